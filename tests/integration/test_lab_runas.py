"""Runas become against the lab, through the real ansible-playbook: the host checks the become
password as Windows' LogonUser does, so a wrong one fails the task before anything runs."""

from __future__ import annotations

from lab_harness import Lab

IISSYNC = "webfarm.iis_cluster.metabase_sync : Run IISSync from the source node to the targets that differ (KB Q249603 step 8)"


def test_a_wrong_become_password_fails_the_become_task_as_windows_refuses_the_logon(lab: Lab):
    lab.converge_identities()
    before = lab.state()
    wrong = {**lab.become_vars(), "ansible_become_password": "Not-The-Password-1"}

    run = lab.playbook("sync.yml", extra_vars=wrong)

    assert run.rc != 0
    assert run.status(IISSYNC, "node1") == "failed"
    assert (
        "Failed to logon WEBFARM\\Administrator (Logon failure: unknown user name or bad password, "
        "Win32ErrorCode 1326)" in run.result(IISSYNC, "node1")["msg"]
    )
    assert lab.iissync_runs() == []
    assert lab.state()["hosts"]["NODE2"]["metabase"] == before["hosts"]["NODE2"]["metabase"]
    lab.assert_never_exposed("Not-The-Password-1", [run])
