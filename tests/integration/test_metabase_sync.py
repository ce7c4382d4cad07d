"""KB Q249603 step 8 with the metabase_sync role and the sync modules, run by the real
ansible-playbook over WinRM against the lab: preflight, backup, IISSync, verification."""

from __future__ import annotations

import secrets

import pytest
from lab_harness import Lab, topology_file

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iissync_status import decode
from iis_lab.faults import FAULT_KINDS, SOURCE

ROLE = "webfarm.iis_cluster.metabase_sync : "
PREFLIGHT = ROLE + "Preflight on the source node, every checkable condition of KB Q224801"
BACKUP = ROLE + "Back up the metabase of each target the sync will overwrite"
IISSYNC = ROLE + "Run IISSync from the source node to the targets that differ (KB Q249603 step 8)"
VERIFY = ROLE + "Verify that every target equals the source node"
IISSYNC_EXE = "C:\\WINNT\\system32\\inetsrv\\iissync.exe"
BACKUP_NAME = "iissync"


def metabase(lab, host):
    return lab.state()["hosts"][host]["metabase"]


def model(lab):
    """What a sync may change: every host's metabase, backups and COM+ catalog."""
    return {
        name: (host["metabase"], host["metabase_backups"], host["complus"])
        for name, host in lab.state()["hosts"].items()
    }


def test_check_mode_predicts_the_backup_and_the_sync_and_changes_nothing(lab: Lab):
    lab.converge_identities()
    before = model(lab)

    run = lab.playbook("sync.yml", "--check", extra_vars=lab.become_vars())

    assert run.rc == 0, run.output
    assert run.changed() == {"node1": 1, "node2": 1}
    assert run.result(BACKUP, "node2")["backup"]["version"] is None
    assert run.result(IISSYNC, "node1")["targets"] == [{"target": "NODE2", "outcome": "would be replicated"}]
    assert run.result(PREFLIGHT, "node1")["out_of_sync"] == ["node2"]
    assert model(lab) == before
    assert lab.iissync_runs() == []


def test_a_clean_sync_is_verified_backed_up_and_the_next_run_changes_nothing(lab: Lab):
    lab.converge_identities()
    original_node2 = metabase(lab, "NODE2")

    first = lab.playbook("sync.yml", extra_vars=lab.become_vars())

    assert first.rc == 0, first.output
    assert first.changed() == {"node1": 1, "node2": 1}
    assert metabase(lab, "NODE2") == metabase(lab, "NODE1") != original_node2
    assert metabase(lab, "NODE2")["/LM/W3SVC"]["properties"]["AnonymousUserName"]["value"] == "IUSR_NODE1"
    assert [(run["host"], run["user"], run["command_line"]) for run in lab.iissync_runs()] == [
        ("NODE1", "WEBFARM\\Administrator", f"{IISSYNC_EXE} NODE2")
    ]
    verified = first.result(VERIFY, "node1")
    assert verified["in_sync"] is True
    assert verified["targets"] == [
        {"host": "node2", "computer": "NODE2", "in_sync": True, "differences": [], "problems": []}
    ]
    assert verified["works"] is True
    lab.assert_healthy()
    assert verified["keys_read"] == []

    backup = first.result(BACKUP, "node2")["backup"]
    assert (backup["name"], backup["version"]) == (BACKUP_NAME, 0)
    [recorded] = lab.state()["hosts"]["NODE2"]["metabase_backups"]
    assert (recorded["name"], recorded["version"]) == (backup["name"], 0)
    # The source's only backup is the one steps 6-7 made before changing it; the sync made none there.
    assert [(b["name"], b["version"]) for b in lab.state()["hosts"]["NODE1"]["metabase_backups"]] == [("iissync", 0)]

    second = lab.playbook("sync.yml", extra_vars=lab.become_vars())

    assert second.rc == 0, second.output
    assert second.changed() == {"node1": 0, "node2": 0}
    assert second.status(IISSYNC, "node1") == "skipped"
    assert second.result(VERIFY, "node1")["in_sync"] is True
    assert len(lab.iissync_runs()) == 1
    assert len(lab.state()["hosts"]["NODE2"]["metabase_backups"]) == 1


def test_the_backup_puts_a_target_back_as_it_was_before_the_sync(lab: Lab):
    lab.converge_identities()
    original_node2 = metabase(lab, "NODE2")
    name = lab.playbook("sync.yml", extra_vars=lab.become_vars()).result(BACKUP, "node2")["backup"]["name"]

    restored = lab.playbook("backup.yml", extra_vars={"target": "node2", "name": name, "state": "restored"})

    assert restored.rc == 0, restored.output
    assert restored.result("Backup", "node2")["backup"]["name"] == name
    assert metabase(lab, "NODE2") == original_node2


def test_drift_after_a_sync_fails_verification_naming_key_and_property(lab: Lab):
    lab.converge_identities()
    assert lab.playbook("sync.yml", extra_vars=lab.become_vars()).rc == 0
    lab.edit("NODE2", "W3SVC/1", "ServerComment", "Changed by hand")
    lab.edit("NODE2", "W3SVC", "WAMUserPass", "Drifted-Secret-9")

    run = lab.playbook("verify.yml", "-vvvv")

    assert run.rc != 0
    result = run.result(VERIFY, "node1")
    assert result["targets"][0]["differences"] == [
        "/LM/W3SVC: WAMUserPass differs: node1 has a secret value (not shown), node2 has another value",
        '/LM/W3SVC/1: ServerComment differs: node1 has "Default Web Site", node2 has another value',
    ]
    assert result["msg"].startswith("Verification failed: node2 differs from node1: /LM/W3SVC: WAMUserPass differs")
    # The lab's metabase is small: its summary is the root alone, so the source lists every key.
    assert result["keys_read"] == list(metabase(lab, "NODE1"))
    lab.assert_never_exposed("Drifted-Secret-9", [run])


def test_machine_specific_properties_are_excluded_unless_the_list_is_overridden(lab: Lab):
    lab.converge_identities()
    assert lab.playbook("sync.yml", extra_vars=lab.become_vars()).rc == 0
    lab.edit("NODE2", "W3SVC/1", "ServerState", "4")

    assert lab.playbook("verify.yml").rc == 0
    strict = lab.playbook("verify.yml", extra_vars={"metabase_sync_exclude": []})

    assert strict.rc != 0
    assert strict.result(VERIFY, "node1")["targets"][0]["differences"] == [
        "/LM/W3SVC/1: ServerState differs: node1 has 2, node2 has another value"
    ]


def fault_lab(tmp_path, kind: str) -> Lab:
    host = "NODE1" if FAULT_KINDS[kind].host == SOURCE else "NODE2"
    return Lab(tmp_path, topology=topology_file(tmp_path, faults=[{"kind": kind, "host": host}]))


@pytest.mark.parametrize("kind", sorted(name for name, kind in FAULT_KINDS.items() if kind.checkable))
def test_a_checkable_fault_stops_the_run_in_the_preflight_decoded(tmp_path, kind):
    lab = fault_lab(tmp_path, kind)
    try:
        run = lab.playbook("sync.yml", extra_vars=lab.become_vars())

        assert run.rc != 0
        assert run.status(PREFLIGHT, "node1") == "failed"
        result = run.result(PREFLIGHT, "node1")
        code = FAULT_KINDS[kind].code
        # A fault lab's identities are IIS setup's, which the identity checks (no IISSync code,
        # test_replicated_identities.py) refuse too; a fault may stop steps 1-7 themselves.
        failed = [check["code"] for check in result["checks"] if check["outcome"] == "failed"]
        assert [failed_code for failed_code in failed if failed_code is not None] == [code]
        assert decode(code).describe() in result["msg"]
        assert lab.iissync_runs() == []
        assert lab.state()["hosts"]["NODE2"]["metabase_backups"] == []
    finally:
        lab.stop()


def test_a_source_whose_metabase_cannot_be_read_stops_in_the_preflight_decoded(tmp_path):
    # The targets get no summary to compare with: they list their whole tree, and the preflight
    # meets the source's own error.
    lab = Lab(tmp_path, topology=topology_file(tmp_path, faults=[{"kind": "metabase_in_use", "host": "NODE1"}]))
    try:
        run = lab.playbook("sync.yml", extra_vars=lab.become_vars())

        assert run.rc != 0
        assert run.status(PREFLIGHT, "node1") == "failed"
        result = run.result(PREFLIGHT, "node1")
        code = FAULT_KINDS["metabase_in_use"].code
        assert [check["code"] for check in result["checks"] if check["outcome"] == "failed"] == [code]
        assert "node1: the metabase" in result["msg"] and decode(code).describe() in result["msg"]
        assert result["targets"][0]["in_sync"] is False
        assert lab.iissync_runs() == []
    finally:
        lab.stop()


@pytest.mark.parametrize("kind", sorted(name for name, kind in FAULT_KINDS.items() if not kind.checkable))
def test_a_fault_only_iissync_meets_fails_the_sync_decoded(tmp_path, kind):
    lab = fault_lab(tmp_path, kind)
    try:
        lab.converge_identities()
        sync_vars = {**lab.become_vars(), "metabase_sync_iissync_retries": 1, "metabase_sync_iissync_retry_delay": 0}
        run = lab.playbook("sync.yml", extra_vars=sync_vars)

        assert run.rc != 0
        assert run.status(PREFLIGHT, "node1") == "ok"
        assert run.status(IISSYNC, "node1") == "failed"
        result = run.result(IISSYNC, "node1")
        code = FAULT_KINDS[kind].code
        [target] = result["targets"]
        assert (target["target"], target["replicated"], target["status"]["code"]) == ("NODE2", False, code)
        assert decode(code).describe() in result["msg"]
        # Only 64 is transient: it is run again once (retries=1), the others are not.
        assert len(lab.iissync_runs()) == (2 if code == 64 else 1)
        assert target["attempts"] == len(lab.iissync_runs())
    finally:
        lab.stop()


def test_a_run_too_soon_after_another_gets_64_and_is_retried(lab: Lab):
    lab.converge_identities()
    run = lab.playbook(
        "iissync.yml", extra_vars={**lab.become_vars(), "targets": ["NODE2"], "twice": True, "retry_delay": 6}
    )

    assert run.rc == 0, run.output
    again = run.result("IISSync again at once", "node1")
    assert [entry["exit_code"] for entry in again["runs"]] == [64, 0]
    assert again["runs"][0]["output"].startswith(
        "Error replicating to target NODE2: The specified network name is no longer available.\r\nError code 64 (00000040)"
    )
    assert again["targets"][0]["replicated"] is True and again["targets"][0]["attempts"] == 2


def test_several_targets_go_in_one_run_and_each_failure_is_decoded(tmp_path):
    nodes = [{"name": "DC1", "address": "127.0.0.11", "role": "domain_controller"}] + [
        {"name": f"NODE{number}", "address": f"127.0.0.{11 + number}", "role": "member", "iis": "5.0"}
        for number in (1, 2, 3)
    ]
    lab = Lab(
        tmp_path, topology=topology_file(tmp_path, hosts=nodes, faults=[{"kind": "rpc_call_fails", "host": "NODE3"}])
    )
    try:
        lab.converge_identities()
        run = lab.playbook("sync.yml", extra_vars=lab.become_vars())

        assert run.rc != 0
        assert [process["command_line"] for process in lab.iissync_runs()] == [f"{IISSYNC_EXE} NODE2 NODE3"]
        targets = run.result(IISSYNC, "node1")["targets"]
        assert [(entry["target"], entry["replicated"], entry["status"]["code"]) for entry in targets] == [
            ("NODE2", True, 0),
            ("NODE3", False, 1726),
        ]
        assert run.result(IISSYNC, "node1")["msg"].startswith(
            "IISSync could not replicate node1 to 1 of 2 targets: NODE3 (after 1 run(s)): IISSync status 1726"
        )
        assert metabase(lab, "NODE2") == metabase(lab, "NODE1") != metabase(lab, "NODE3")
    finally:
        lab.stop()


def test_com_plus_applications_are_replicated_as_comrepl_does(tmp_path):
    topology = topology_file(
        tmp_path, NODE1={"complus_applications": ["Orders"]}, NODE2={"complus_applications": ["Legacy"]}
    )
    lab = Lab(tmp_path, topology=topology)
    try:
        lab.converge_identities()
        run = lab.playbook("sync.yml", extra_vars=lab.become_vars())

        assert run.rc == 0, run.output
        [state] = run.result(PREFLIGHT, "node1")["targets"]
        assert state["complus_differs"] is True
        names = [app["name"] for app in lab.state()["hosts"]["NODE2"]["complus"]["applications"]]
        # The default topology's isolated web application has a COM+ package of its own, replicated too.
        assert names == ["System Application", "IIS Out-Of-Process Pooled Applications", "Orders", "IIS-{Default Web Site//Root/Shop}"]
    finally:
        lab.stop()


def test_the_source_can_be_another_node(lab: Lab):
    lab.converge_identities(iis_cluster_source="node2")
    run = lab.playbook("sync.yml", extra_vars={**lab.become_vars(), "iis_cluster_source": "node2"})

    assert run.rc == 0, run.output
    assert [(process["host"], process["command_line"]) for process in lab.iissync_runs()] == [
        ("NODE2", f"{IISSYNC_EXE} NODE1")
    ]
    assert metabase(lab, "NODE1")["/LM/W3SVC"]["properties"]["AnonymousUserName"]["value"] == "IUSR_NODE2"


def test_a_source_outside_the_cluster_is_refused_before_any_remote_call(lab: Lab):
    run = lab.playbook("sync.yml", extra_vars={**lab.become_vars(), "iis_cluster_source": "dc1"})

    assert run.rc != 0
    assert "iis_cluster_source: 'dc1' is not a host of the iis_cluster group (node1, node2)" in run.output
    assert lab.processes() == []


@pytest.mark.parametrize(
    ("become", "reason"),
    [
        ({}, "the task logs on with winrm (ntlm) without delegating credentials"),
        (
            {"ansible_become_method": "runas", "ansible_become_user": "WEBFARM\\Administrator"},
            "the task becomes its user without a password",
        ),
    ],
    ids=["no become", "become without a password"],
)
def test_iissync_refuses_to_run_without_network_credentials(lab: Lab, become, reason):
    run = lab.playbook("iissync.yml", extra_vars={**become, "targets": ["NODE2"]})

    assert run.rc != 0
    msg = run.result("IISSync", "node1")["msg"]
    assert msg.startswith(f"network credentials: {reason}")
    assert "become_password" in msg or "ansible_become_password" in msg
    assert lab.processes() == []


def test_the_role_without_become_stops_before_iissync_starts(lab: Lab):
    lab.converge_identities()
    run = lab.playbook("sync.yml", extra_vars={"metabase_sync_become": False})

    assert run.rc != 0
    assert run.result(IISSYNC, "node1")["msg"].startswith("network credentials: the task logs on with winrm (ntlm)")
    assert lab.iissync_runs() == []


def test_bad_input_fails_naming_the_field_before_any_remote_call(lab: Lab):
    run = lab.playbook("iissync.yml", extra_vars={**lab.become_vars(), "targets": ["NODE2 /quiet"]})
    assert run.result("IISSync", "node1")["msg"].startswith("targets: 'NODE2 /quiet' is not a computer name")
    run = lab.playbook("backup.yml", extra_vars={"target": "node2", "name": "a/b"})
    assert run.result("Backup", "node2")["msg"].startswith("name: 'a/b' cannot name a metabase backup")
    assert lab.processes() == []


def test_no_secret_in_output_at_vvvv_in_state_or_in_process_records(lab: Lab):
    lab.converge_identities()
    wam_password = "Iwam-Sync-Secret-7"
    assert (
        lab.playbook(
            "property.yml",
            extra_vars={"target": "node1", "path": "W3SVC", "property": "WAMUserPass", "secret": wam_password},
        ).rc
        == 0
    )

    # Extra vars outrank the role's own draw, so the test knows this run's salt.
    salt = {"metabase_sync_salt": "Run-Salt-" + secrets.token_hex(12)}

    runs = [
        lab.playbook("sync.yml", "-vvvv", "--diff", extra_vars={**lab.become_vars(), **salt}),
        lab.playbook("sync.yml", "-vvvv", "--diff", extra_vars={**lab.become_vars(), **salt}),
        lab.playbook("verify.yml", "-vvvv", extra_vars=salt),
    ]

    assert [run.rc for run in runs] == [0, 0, 0], runs[0].output[-3000:]
    assert lab.iissync_runs()
    assert runs[0].result(VERIFY, "node1")["in_sync"] is True
    lab.assert_never_exposed(wam_password, runs)
    lab.assert_never_exposed(lab.admin_password, runs)
    lab.assert_never_exposed(salt["metabase_sync_salt"], runs)


def test_each_node_pays_one_remote_execution_per_module_and_one_more_for_a_change(lab: Lab):
    lab.converge_identities()
    def executions(*options):
        started = len(lab.processes())
        assert lab.playbook("sync.yml", *options, extra_vars=lab.become_vars()).rc == 0
        new = [process for process in lab.processes()[started:] if process["command_line"].startswith("PowerShell")]
        return {node: sum(process["host"] == node for process in new) for node in ("NODE1", "NODE2")}

    # The source: the names of the identities it replicates, preflight, iissync (not in check
    # mode), verify. A target: its report (with its backups listed), the backup (not in check
    # mode), its report after the sync. Run alone, without the playbook's pre-flight, the role
    # does not know the targets' computers beforehand: the preflight probes them itself. When
    # nothing was synced, verification judges the sync's reports and asks no node again.
    assert executions("--check") == {"NODE1": 2, "NODE2": 1}
    assert executions() == {"NODE1": 4, "NODE2": 3}
    assert executions() == {"NODE1": 2, "NODE2": 1}
