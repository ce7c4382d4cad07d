"""Faults changed in a running lab (``iis-lab fault``) meet the real ansible-playbook: a sync that
failed on a fault succeeds once the fault is cleared, and a fault added between runs stops the
next one."""

from __future__ import annotations

from lab_harness import Lab, topology_file

ROLE = "webfarm.iis_cluster.metabase_sync : "
PREFLIGHT = ROLE + "Preflight on the source node, every checkable condition of KB Q224801"
IISSYNC = ROLE + "Run IISSync from the source node to the targets that differ (KB Q249603 step 8)"


def test_a_cleared_fault_lets_the_next_sync_through_and_an_added_one_stops_it(tmp_path):
    lab = Lab(tmp_path, topology=topology_file(tmp_path, faults=[{"kind": "rpc_call_fails", "host": "NODE2"}]))
    try:
        lab.converge_identities()
        sync_vars = {**lab.become_vars(), "metabase_sync_iissync_retries": 1, "metabase_sync_iissync_retry_delay": 0}
        failed = lab.playbook("sync.yml", extra_vars=sync_vars)
        lab.fault("NODE2", clear="rpc_call_fails")
        # IISSync's own retry waits out the 5 seconds a target refuses a second run within.
        synced = lab.playbook("sync.yml", extra_vars=lab.become_vars())
        if synced.rc == 0:
            lab.assert_healthy()
        node2_after_sync = lab.state()["hosts"]["NODE2"]["metabase"]
        lab.fault("NODE2", add="dcom_protocols_differ")
        stopped = lab.playbook("sync.yml", extra_vars=sync_vars)
    finally:
        lab.stop()

    assert failed.rc != 0 and failed.result(IISSYNC, "node1")["targets"][0]["status"]["code"] == 1726
    assert synced.rc == 0, synced.output
    assert node2_after_sync["/LM/W3SVC"] == lab.state()["hosts"]["NODE1"]["metabase"]["/LM/W3SVC"]
    assert stopped.rc != 0 and stopped.status(PREFLIGHT, "node1") == "failed"
    assert [check["code"] for check in stopped.result(PREFLIGHT, "node1")["checks"] if check["outcome"] == "failed"] == [
        1060
    ]
