"""KB Q249603 step 8 on IIS 7-10 by Shared Configuration, through the real playbooks/cluster_iis.yml
against the lab's iis10 topology (a domain controller DC1 serving the share, three IIS 10 nodes,
the source NODE2, the reader WEBFARM\\IISConfigReader): check mode predicts the export and every
node's switch and changes nothing; the run converges and every node reads the share; a rerun
changes nothing; maintenance disables everywhere, then enabling again re-exports; every fault the
lab provides ends the run decoded, or is cured by the run where the run owns its cause; no secret
anywhere; the executions each node costs."""

from __future__ import annotations

import typing as t

import pytest
from lab_harness import ROOT, Lab, PlaybookRun

IIS10 = ROOT / "tests" / "lab" / "iis_lab" / "topologies" / "iis10.yml"
LAB_TOPOLOGY = IIS10  # the lab fixture's (conftest.py)
PLAYBOOK = "webfarm.iis_cluster.cluster_iis"
NODES = ("NODE1", "NODE2", "NODE3")
HOSTS = ("node1", "node2", "node3")
IUSR_PASSWORD = "Iusr-Ten-Passw0rd"
IWAM_PASSWORD = "Iwam-Ten-Passw0rd"
READER = "WEBFARM\\IISConfigReader"
READER_PASSWORD = "Lab-Reader-1"
KEY_PASSWORD = "Key-Encryption-Ten-0123"
SHARE_PATH = "\\\\DC1\\IisConfig"
KB = {
    "iis_cluster_account_base": "web",
    "iis_cluster_iusr_password": IUSR_PASSWORD,
    "iis_cluster_iwam_password": IWAM_PASSWORD,
    "anonymous_identity_site": "Shop",
}
SHARED = {
    "metabase_sync_method": "shared_config",
    "metabase_sync_shared_config_path": SHARE_PATH,
    "metabase_sync_shared_config_host": "dc1",
    "metabase_sync_shared_config_user": READER,
    "metabase_sync_shared_config_password": READER_PASSWORD,
    "metabase_sync_shared_config_key_password": KEY_PASSWORD,
    "metabase_sync_shared_config_folder": "C:\\IisConfig",
}
ROLE = "webfarm.iis_cluster.metabase_sync : "
INFO = ROLE + "Report how each node reads the shared configuration"
PREFLIGHT = ROLE + "Pre-flight of Shared Configuration, every checkable failure before any change"
SHARE = ROLE + "Ensure the share, readable by the reader, on the host serving it"
SOURCE = ROLE + "The source node, exporting its configuration and keys when it does not read the share yet"
OTHERS = ROLE + "Every other node, reading the share"
VERIFY = ROLE + "Verify that every node reads the shared configuration and decrypts it with the shared keys"
SHARED_FILES = ["administration.config", "applicationHost.config", "configEncKey.key"]


def _run(lab: Lab, *options: str, leaves_broken: str = "", **extra: t.Any) -> PlaybookRun:
    return lab.playbook(
        PLAYBOOK, *options, extra_vars={**KB, **SHARED, **lab.become_vars(), **extra}, leaves_broken=leaves_broken
    )


def _shared(lab: Lab) -> dict[str, dict[str, t.Any]]:
    """Each node's redirection as the lab holds it."""
    return {node: lab.state()["hosts"][node]["iis"]["shared_config"] for node in NODES}


def _backups(lab: Lab) -> dict[str, list[str]]:
    return {node: [backup["name"] for backup in lab.state()["hosts"][node]["iis"]["backups"]] for node in NODES}


def _share_files(lab: Lab) -> list[str] | None:
    """The files of the share's folder on DC1, or None when there is no share."""
    dc = lab.state()["hosts"]["DC1"]
    share = next((name for name in dc.get("shares", {}) if name.lower() == "iisconfig"), None)
    if share is None:
        return None
    folder = dc["file_server"]["folders"][dc["shares"][share].lower().rstrip("\\")]
    return sorted(folder["files"])


def _executions(lab: Lab, since: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for process in lab.processes()[since:]:
        counts[process["host"]] = counts.get(process["host"], 0) + 1
    return counts


def _reads_share(lab: Lab) -> None:
    for node, shared in _shared(lab).items():
        assert shared["enabled"] and shared["path"] == SHARE_PATH and shared["user_name"] == READER, (node, shared)
        assert shared["read_error"] is None and shared["decrypt_error"] is None, (node, shared)


def _converge(lab: Lab) -> PlaybookRun:
    run = _run(lab)
    assert run.rc == 0, run.output
    _reads_share(lab)
    return run


def test_check_predicts_every_switch_then_the_run_converges_and_a_rerun_changes_nothing(lab: Lab) -> None:
    check = _run(lab, "--check", "--diff")
    assert check.rc == 0, check.output
    preflight = check.result(PREFLIGHT, "node1")
    assert sorted(preflight["switching"]) == list(HOSTS) and preflight["export"] is True
    assert check.result(SHARE, "node1")["changed"]
    source = check.result(SOURCE, "node2")
    assert source["changed"] and source["exported"] and source["switched"] and source["right_granted"]
    assert source["backup"]["folder"] == "iissync-0" and source["backup"]["date"] is None
    for host in ("node1", "node3"):
        other = check.result(OTHERS, host)
        assert other["switched"] and not other["exported"]
    # --diff shows the switch, the reader's password only as changed.
    assert "password: (secret) (changed)" in check.output
    # Check mode changes nothing on any host: no share, no redirection, no backup.
    assert _share_files(lab) is None
    assert not any(shared["enabled"] for shared in _shared(lab).values())
    assert _backups(lab) == {node: [] for node in NODES}

    run = _converge(lab)
    assert _share_files(lab) == SHARED_FILES
    # Each node backed up before step 6 changed it, then again before it switched.
    assert _backups(lab) == {node: ["iissync-0", "iissync-1"] for node in NODES}
    assert run.result(SOURCE, "node2")["exported"]
    # Every node runs the source's configuration: the shared file is the one NODE2 exported.
    configs = {node: lab.state()["hosts"][node]["iis"]["applicationhost"] for node in NODES}
    assert configs["NODE1"] == configs["NODE2"] == configs["NODE3"]

    since = len(lab.processes())
    rerun = _run(lab, "--tags", "metabase_sync")
    assert rerun.rc == 0, rerun.output
    assert set(rerun.changed().values()) == {0}, rerun.output
    # A rerun: the play's pre-flight (node_info) and step 8's one read per node; the share host one.
    assert _executions(lab, since) == {"NODE1": 2, "NODE2": 2, "NODE3": 2, "DC1": 1}
    _reads_share(lab)


def test_converging_costs_each_node_two_executions_for_step_8(lab: Lab) -> None:
    setup = _run(lab, "--skip-tags", "metabase_sync,verify")
    assert setup.rc == 0, setup.output
    since = len(lab.processes())
    run = _run(lab, "--tags", "metabase_sync")
    assert run.rc == 0, run.output
    # node_info, then step 8's read and its one write batch (grant, backup, export, enable).
    assert _executions(lab, since) == {"NODE1": 3, "NODE2": 3, "NODE3": 3, "DC1": 2}
    _reads_share(lab)


def test_maintenance_disables_everywhere_then_enabling_again_re_exports(lab: Lab) -> None:
    _converge(lab)
    exported = lab.state()["hosts"]["NODE2"]["iis"]["applicationhost"]
    down = _run(lab, "--tags", "metabase_sync", metabase_sync_shared_config_state="disabled")
    assert down.rc == 0, down.output
    for node, shared in _shared(lab).items():
        assert not shared["enabled"], node
        # Each node keeps working on a local copy of the shared configuration.
        assert lab.state()["hosts"][node]["iis"]["applicationhost"] == exported, node
    assert _backups(lab) == {node: ["iissync-0", "iissync-1", "iissync-2"] for node in NODES}

    up = _run(lab, "--tags", "metabase_sync")
    assert up.rc == 0, up.output
    assert up.result(SOURCE, "node2")["exported"]
    assert sorted(up.result(PREFLIGHT, "node1")["switching"]) == list(HOSTS)
    _reads_share(lab)


def _stopped_before_any_change(lab: Lab, run: PlaybookRun, code: str) -> str:
    assert run.rc != 0, run.output
    assert run.status(PREFLIGHT, "node1") == "failed", run.output
    message = run.result(PREFLIGHT, "node1")["msg"]
    assert code in message and "nothing was changed" in message, message
    assert _share_files(lab) in (None, []) or _share_files(lab) == SHARED_FILES
    return message


def test_a_wrong_reader_password_stops_the_run_before_any_change_decoded(lab: Lab) -> None:
    run = _run(lab, "--tags", "metabase_sync", metabase_sync_shared_config_password="Not-The-Password-1", leaves_broken="refused")
    # 1326 ERROR_LOGON_FAILURE on every node, before the share or any node changed.
    message = _stopped_before_any_change(lab, run, "0x8007052E")
    assert f"dc1: the reader {READER} cannot log on to the share's host" in message
    assert _share_files(lab) is None
    assert not any(shared["enabled"] for shared in _shared(lab).values())
    assert _backups(lab) == {node: [] for node in NODES}


@pytest.mark.parametrize(("fault", "host", "code"), [("share_unreachable", "DC1", "0x80070035"), ("reader_password_expired", "DC1", "0x80070532")])
def test_a_checkable_fault_stops_the_run_before_any_change_decoded(lab: Lab, fault: str, host: str, code: str) -> None:
    _converge(lab)
    # A node that left the share since: the next run would switch it back.
    down = _run(lab, "--tags", "metabase_sync", metabase_sync_shared_config_state="disabled")
    assert down.rc == 0, down.output
    backups = _backups(lab)
    lab.fault(host, add=fault)
    run = _run(lab, "--tags", "metabase_sync", leaves_broken=fault)
    _stopped_before_any_change(lab, run, code)
    assert _backups(lab) == backups
    assert not any(shared["enabled"] for shared in _shared(lab).values())


def test_what_the_run_owns_is_cured_and_keys_not_imported_are_named_by_verify(lab: Lab) -> None:
    _converge(lab)
    lab.fault("NODE1", add="keys_not_imported")
    verify = lab.playbook(
        "shared_config_verify.yml", extra_vars={**SHARED, "metabase_sync_method": "shared_config"}, leaves_broken="keys_not_imported"
    )
    assert verify.rc != 0, verify.output
    assert verify.status(VERIFY, "node1") == "failed", verify.output
    assert "0x80090005" in verify.result(VERIFY, "node1")["msg"]
    assert verify.status(VERIFY, "node3") == "ok"
    # The run imports the shared keys again on that node, after a backup.
    cured = _run(lab, "--tags", "metabase_sync")
    assert cured.rc == 0, cured.output
    assert cured.result(OTHERS, "node1")["switched"] and not cured.result(OTHERS, "node3")["changed"]
    _reads_share(lab)


def test_offline_files_absent_is_a_warning(lab: Lab) -> None:
    run = _converge(lab)
    assert "Offline Files does not cache" in run.output
    warnings = run.result(PREFLIGHT, "node1")["warnings"]
    assert len(warnings) == 3


def test_no_secret_at_vvvv_in_the_lab_or_on_a_command_line(lab: Lab) -> None:
    runs = [_run(lab, "-vvvv"), _run(lab, "-vvvv", "--tags", "metabase_sync,verify")]
    assert all(run.rc == 0 for run in runs), runs[-1].output
    for secret in (READER_PASSWORD, KEY_PASSWORD, IUSR_PASSWORD, IWAM_PASSWORD):
        lab.assert_never_exposed(secret, runs)


def test_a_batch_right_or_share_access_taken_away_is_given_back_by_the_run(lab: Lab) -> None:
    _converge(lab)
    lab.fault("NODE3", add="reader_batch_right_missing")
    lab.fault("DC1", add="reader_access_denied")
    run = _run(lab, "--tags", "metabase_sync")
    assert run.rc == 0, run.output
    # The pre-flight saw both (1385 on NODE3, 5 everywhere) and let the run cure them: the share's
    # access is set again and the reader's right granted again, no node switches.
    assert run.result(SHARE, "node1")["changed"]
    assert run.result(OTHERS, "node3")["right_granted"] and not run.result(OTHERS, "node3")["switched"]
    assert not run.result(OTHERS, "node1")["changed"] and not run.result(SOURCE, "node2")["changed"]
    assert _backups(lab) == {node: ["iissync-0", "iissync-1"] for node in NODES}
    _reads_share(lab)
