"""KB Q249603 step 8 on IIS 7-10 by Web Deploy, through the real playbooks/cluster_iis.yml against
the lab's iis10 topology (a domain controller and three IIS 10 nodes, the source NODE2 seeded with
settings the targets lack): the preflight on the source, a backup of each target that differs,
the sync; check mode predicts it and changes nothing; every Web Deploy fault the lab provides ends
the run decoded, the checkable ones before any change."""

from __future__ import annotations

import json
import typing as t
from collections import Counter

import pytest
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._apphost_sync_status import decode
from lab_harness import ROOT, Lab, PlaybookRun

IIS10 = ROOT / "tests" / "lab" / "iis_lab" / "topologies" / "iis10.yml"
LAB_TOPOLOGY = IIS10  # the lab fixture's (conftest.py)
PLAYBOOK = "webfarm.iis_cluster.cluster_iis"
NODES = ("NODE1", "NODE2", "NODE3")
TARGETS = ("NODE1", "NODE3")
IUSR_PASSWORD = "Iusr-Ten-Passw0rd"
IWAM_PASSWORD = "Iwam-Ten-Passw0rd"
ENCRYPT_SECRET = "Encrypt-Ten-Secret-0123456789"
KB = {
    "iis_cluster_account_base": "web",
    "iis_cluster_iusr_password": IUSR_PASSWORD,
    "iis_cluster_iwam_password": IWAM_PASSWORD,
    "anonymous_identity_site": "Shop",
}
PREFLIGHT = "webfarm.iis_cluster.metabase_sync : Preflight on the source node, Web Deploy and a what-if sync to each target"
BACKUP = "webfarm.iis_cluster.metabase_sync : Back up the configuration of each target the sync will overwrite"
SYNC = "webfarm.iis_cluster.metabase_sync : Sync the targets that differ from the source node with Web Deploy (KB Q249603 step 8)"
REMOVE = "webfarm.iis_cluster.metabase_sync : Remove this run's backup where the sync did not start"


def _run(lab: Lab, *options: str, leaves_broken: str = "", **extra: t.Any) -> PlaybookRun:
    return lab.playbook(PLAYBOOK, *options, extra_vars={**KB, **lab.become_vars(), **extra}, leaves_broken=leaves_broken)


def _iis(lab: Lab, node: str) -> dict[str, t.Any]:
    return lab.state()["hosts"][node]["iis"]


def _syncs(lab: Lab) -> dict[str, list[dict[str, t.Any]]]:
    return {node: _iis(lab, node)["web_deploy"]["syncs"] for node in NODES}


def _backups(lab: Lab) -> dict[str, list[str]]:
    return {node: [backup["name"] for backup in _iis(lab, node)["backups"]] for node in NODES}


def _configs(lab: Lab) -> dict[str, str]:
    return {node: _iis(lab, node)["applicationhost"] for node in NODES}


def _summary(run: PlaybookRun) -> str:
    return run.output.rpartition("TASK [Summary, node by node]")[2]


def _preview(lab: Lab, source: str = "node2") -> dict[str, t.Any]:
    """What a what-if sync from the source to each target finds now: the preflight alone (its
    result), the check mode of step 8."""
    run = _run(lab, "--check", "--tags", "metabase_sync")
    assert run.rc == 0, run.output
    return run.result(PREFLIGHT, source)


def test_check_predicts_the_sync_then_converge_backs_up_and_syncs_then_a_rerun_changes_nothing(lab: Lab) -> None:
    seeded = _configs(lab)
    check = _run(lab, "--check", "--diff", metabase_sync_encrypt_secret=ENCRYPT_SECRET)
    assert check.rc == 0, check.output
    preflight = check.result(PREFLIGHT, "node2")
    # The source holds settings the targets lack: both differ, and the what-if names the changes.
    assert preflight["out_of_sync"] == ["node1", "node3"]
    assert preflight["out_of_sync_targets"] == {"node1": "NODE1", "node3": "NODE3"}
    for target in preflight["targets"]:
        assert not target["in_sync"] and target["changes"] and not target["errors"], target
    assert "optimistic" in preflight["note"]
    # --diff lists each target's changed paths (paths only).
    for target in preflight["targets"]:
        for change in target["changes"]:
            assert f"{change['action']} {change['path']}" in check.output
    assert "optimistic" in json.dumps(check.result(SYNC, "node2"))
    assert check.result(SYNC, "node2")["changed"] is True
    # Check mode touched nothing: no sync reached a target, no backup, every file as seeded.
    assert _syncs(lab) == {node: [] for node in NODES}
    assert _backups(lab) == {node: [] for node in NODES}
    assert _configs(lab) == seeded

    run = _run(lab, "-vvvv", metabase_sync_encrypt_secret=ENCRYPT_SECRET)
    assert run.rc == 0, run.output
    # Each target was backed up before the sync, the source was not.
    assert _backups(lab) == {"NODE1": ["iissync-0"], "NODE2": [], "NODE3": ["iissync-0"]}
    for target in TARGETS:
        (backup,) = _iis(lab, target)["backups"]
        assert set(backup["files"]) >= {"applicationHost.config", "administration.config"}
    # One sync from the source reached each target, and reported no error.
    syncs = _syncs(lab)
    assert len(syncs["NODE1"]) == len(syncs["NODE3"]) == 1 and syncs["NODE2"] == []
    sync = run.result(SYNC, "node2")
    assert sync["synced"] == ["node1", "node3"] and sync["failed_targets"] == []
    assert all(target["errors"] == [] and not target["in_sync"] for target in sync["targets"])
    # Web Deploy now finds nothing to change: every target equals the source but for the skipped
    # per-node settings.
    after = _preview(lab)
    assert after["out_of_sync"] == [] and all(target["changes"] == [] for target in after["targets"])
    summary = _summary(run)
    assert "configuration    Web Deploy: node1 synced" in summary
    assert "backed up as iissync version 0, then replicated from node2" in summary

    again = _run(lab)
    assert again.rc == 0, again.output
    assert again.changed() == {"node1": 0, "node2": 0, "node3": 0}
    assert _backups(lab) == {"NODE1": ["iissync-0"], "NODE2": [], "NODE3": ["iissync-0"]}
    assert len(_syncs(lab)["NODE1"]) == 1
    assert "every target already equals this node: no sync needed" in _summary(again)

    for secret in (IUSR_PASSWORD, IWAM_PASSWORD, ENCRYPT_SECRET, lab.admin_password):
        lab.assert_never_exposed(secret, [check, run, again])
    lab.assert_healthy()


def test_the_per_node_settings_are_skipped_and_a_drawn_encryption_secret_is_never_shown(lab: Lab) -> None:
    run = _run(lab)
    assert run.rc == 0, run.output
    skip = run.result(PREFLIGHT, "node2")["skip"]
    assert "xPath=/system.applicationHost/sites/site/logFile/@directory" in skip
    # The run's own secret is no_log everywhere it travels.
    for task in (PREFLIGHT, SYNC):
        entry = run.entry(task, "node2")
        assert "encrypt_password" not in json.dumps(entry["result"].get("invocation", {}).get("module_args", {})) or (
            entry["result"]["invocation"]["module_args"]["encrypt_password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
        )
    lab.assert_healthy()


@pytest.mark.parametrize(
    ("host", "fault", "code"),
    [
        ("NODE3", "web_deploy_agent_stopped", "ERROR_DESTINATION_NOT_REACHABLE"),
        ("NODE1", "web_deploy_not_installed", "ERROR_DESTINATION_NOT_REACHABLE"),
        ("NODE3", "caller_not_admin", "ERROR_USER_NOT_ADMIN"),
    ],
)
def test_a_checkable_web_deploy_fault_of_a_target_stops_the_run_in_the_preflight_before_any_change(
    lab: Lab, host: str, fault: str, code: str
) -> None:
    lab.converge_identities(**{**KB, "iis_cluster_iusr_password": IUSR_PASSWORD})
    seeded = _configs(lab)
    lab.fault(host, add=fault)
    run = _run(lab, leaves_broken=f"{fault} on {host}")
    assert run.rc != 0
    assert run.status(PREFLIGHT, "node2") == "failed"
    message = run.result(PREFLIGHT, "node2")["msg"]
    # The decoded error (the status table's meaning and remedy) reaches the operator, and the
    # sync never started.
    assert f"{host.lower()} ({host}): {decode(code).describe()}" in message and "nothing was changed" in message
    assert not [entry for entry in run.results if entry["task"] in (BACKUP, SYNC) and entry["status"] != "skipped"]
    assert _syncs(lab) == {node: [] for node in NODES}
    assert _backups(lab) == {node: [] for node in NODES}
    assert _configs(lab) == seeded
    assert f"Web Deploy preflight failed: web_deploy_preflight: the sync would fail" in _summary(run)


def test_web_deploy_missing_on_the_source_is_named_with_the_remedy_before_any_change(lab: Lab) -> None:
    seeded = _configs(lab)
    lab.fault("NODE2", add="web_deploy_not_installed")
    run = _run(lab, "--tags", "metabase_sync", leaves_broken="Web Deploy uninstalled on the source")
    assert run.rc != 0
    message = run.result(PREFLIGHT, "node2")["msg"]
    assert "node2: Web Deploy is not installed on the source node" in message and "install Web Deploy" in message
    assert _syncs(lab) == {node: [] for node in NODES}
    assert _backups(lab) == {node: [] for node in NODES}
    assert _configs(lab) == seeded


def test_a_file_in_use_at_sync_time_fails_the_run_naming_the_target_and_keeps_its_backup(lab: Lab) -> None:
    lab.fault("NODE3", add="apphost_in_use")
    run = _run(lab, "--tags", "metabase_sync", leaves_broken="NODE3's applicationHost.config held by another process")
    assert run.rc != 0
    # What-if is optimistic: the preflight did not see it.
    preflight = run.result(PREFLIGHT, "node2")
    assert preflight["out_of_sync"] == ["node1", "node3"] and run.status(PREFLIGHT, "node2") == "ok"
    sync = run.result(SYNC, "node2")
    assert run.status(SYNC, "node2") == "failed"
    assert sync["failed_targets"] == ["node3"] and sync["synced"] == ["node1"]
    assert f"node3 (NODE3): {decode('ERROR_FILE_IN_USE').describe()}" in sync["msg"]
    # Both backups stay: the sync started.
    assert _backups(lab) == {"NODE1": ["iissync-0"], "NODE2": [], "NODE3": ["iissync-0"]}
    assert run.status(REMOVE, "node3") == "skipped"
    assert "the Web Deploy sync from node2 failed" in _summary(run)


def test_the_sync_costs_the_source_two_executions_and_a_target_two_and_a_rerun_one_on_the_source(lab: Lab) -> None:
    preflight = Counter({node.lower(): 1 for node in NODES})

    def executions() -> Counter[str]:
        started = len(lab.processes())
        run = _run(lab, "--tags", "metabase_sync")
        assert run.rc == 0, run.output
        return Counter(process["host"].lower() for process in lab.processes()[started:]) - preflight

    converge, rerun = executions(), executions()
    assert converge["node2"] <= 2 and converge["node1"] <= 2 and converge["node3"] <= 2, converge
    assert rerun["node2"] <= 1 and rerun["node1"] <= 1 and rerun["node3"] <= 1, rerun
    lab.assert_healthy()
