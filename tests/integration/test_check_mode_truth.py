"""Issue 11, defect 9: check mode tells the truth. For a fresh cluster, a password rotation, a
new account base and hand drift on a target, ``--check --diff`` predicts exactly the tasks the
real run that follows changes, node by node, and changes nothing itself; the real run leaves
every node working."""

from __future__ import annotations

import typing as t

import pytest
from lab_harness import Lab, PlaybookRun
from test_cluster_iis import DEMO_VARS, PLAYBOOK

ROLE = "webfarm.iis_cluster.metabase_sync : "
BACKUP = ROLE + "Back up the metabase of each target the sync will overwrite"
IISSYNC = ROLE + "Run IISSync from the source node to the targets that differ (KB Q249603 step 8)"
VERIFY = ROLE + "Verify that every target equals the source node"
ROTATED = {"iis_cluster_iusr_password": "Rotated-Iusr-Passw0rd", "iis_cluster_iwam_password": "Rotated-Iwam-Passw0rd"}


def changed_tasks(run: PlaybookRun) -> set[tuple[str, str]]:
    """(host, task) of every task that changed (or, in check mode, would change) something."""
    return {(entry["host"], entry["task"]) for entry in run.results if entry["result"].get("changed")}


def _fresh(lab: Lab) -> dict[str, t.Any]:
    return DEMO_VARS


def _rotation(lab: Lab) -> dict[str, t.Any]:
    _converge(lab)
    return {**DEMO_VARS, **ROTATED}


def _new_base(lab: Lab) -> dict[str, t.Any]:
    _converge(lab)
    return {**DEMO_VARS, "iis_cluster_account_base": "shop"}


def _drift(lab: Lab) -> dict[str, t.Any]:
    _converge(lab)
    lab.edit("NODE2", "W3SVC/1", "ServerComment", "Changed by hand")
    return DEMO_VARS


def _wam_drift(lab: Lab) -> dict[str, t.Any]:
    _converge(lab)
    # Step 7 runs on every node: it puts node2's WAM password right again before the sync.
    lab.edit("NODE2", "W3SVC", "WAMUserPass", "Drifted-Secret-9")
    return DEMO_VARS


def _converge(lab: Lab) -> None:
    run = lab.playbook(PLAYBOOK, extra_vars=DEMO_VARS)
    assert run.rc == 0, run.output
    lab.assert_healthy()


@pytest.mark.parametrize(
    ("scenario", "synced"),
    [(_fresh, True), (_rotation, True), (_new_base, True), (_drift, True), (_wam_drift, False)],
    ids=["fresh lab", "rotation", "new account base", "drift", "step 7 repairs a target"],
)
def test_check_mode_predicts_exactly_the_changes_of_the_real_run(lab: Lab, scenario, synced: bool) -> None:
    extra_vars = scenario(lab)
    before = lab.state_text()
    syncs = len(lab.iissync_runs())

    check = lab.playbook(PLAYBOOK, "--check", "--diff", extra_vars=extra_vars)

    assert check.rc == 0, check.output
    assert lab.state_text() == before
    assert len(lab.iissync_runs()) == syncs
    # When node2 will differ, check mode says the sync would be made; it does not verify the
    # changes it did not make.
    assert (("node1", IISSYNC) in changed_tasks(check)) is synced
    assert (("node2", BACKUP) in changed_tasks(check)) is synced
    assert run_status(check, VERIFY) == set()

    real = lab.playbook(PLAYBOOK, "--diff", extra_vars=extra_vars)

    assert real.rc == 0, real.output
    assert changed_tasks(check) == changed_tasks(real)
    assert len(lab.iissync_runs()) == syncs + synced
    lab.assert_healthy()


def run_status(run: PlaybookRun, task: str) -> set[str]:
    """The hosts that ran ``task`` (not skipped)."""
    return {entry["host"] for entry in run.results if entry["task"] == task and entry["status"] != "skipped"}
