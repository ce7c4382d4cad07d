"""Issue 11, defect 9: check mode tells the truth. For a fresh cluster, a password rotation, a
new account base and hand drift on a target, ``--check --diff`` predicts exactly the tasks the
real run that follows changes, node by node, and changes nothing itself; the real run leaves
every node working. Issue 14: the sync is predicted as the real run will find the nodes once
step 6 has changed the source, after a rotated IUSR password and after a password changed by
hand on the source that step 6 puts back."""

from __future__ import annotations

import typing as t

import pytest
from lab_harness import Lab, PlaybookRun
from test_cluster_iis import DEMO_VARS, PLAYBOOK

ROLE = "webfarm.iis_cluster.metabase_sync : "
BACKUP = ROLE + "Back up the metabase of each target the sync will overwrite"
IISSYNC = ROLE + "Run IISSync from the source node to the targets that differ (KB Q249603 step 8)"
VERIFY = ROLE + "Verify that every target equals the source node"
PREFLIGHT = ROLE + "Preflight on the source node, every checkable condition of KB Q224801"
TARGET_REPORT = ROLE + "Report what IISSync depends on at each target, and where its metabase differs from the source's"
ROTATED = {"iis_cluster_iusr_password": "Rotated-Iusr-Passw0rd", "iis_cluster_iwam_password": "Rotated-Iwam-Passw0rd"}


def changed_tasks(run: PlaybookRun) -> set[tuple[str, str]]:
    """(host, task) of every task that changed (or, in check mode, would change) something."""
    return {(entry["host"], entry["task"]) for entry in run.results if entry["result"].get("changed")}


def _fresh(lab: Lab) -> dict[str, t.Any]:
    return DEMO_VARS


def _rotation(lab: Lab) -> dict[str, t.Any]:
    _converge(lab)
    return {**DEMO_VARS, **ROTATED}


def _iusr_rotation(lab: Lab) -> dict[str, t.Any]:
    _converge(lab)
    # Steps 1-3 and 6 change the anonymous password on the source only; the sync carries it.
    return {**DEMO_VARS, "iis_cluster_iusr_password": ROTATED["iis_cluster_iusr_password"]}


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
    [(_fresh, True), (_rotation, True), (_iusr_rotation, True), (_new_base, True), (_drift, True), (_wam_drift, False)],
    ids=["fresh lab", "rotation", "IUSR password rotated", "new account base", "drift", "step 7 repairs a target"],
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
    assert check.result(PREFLIGHT, "node1")["out_of_sync"] == (["node2"] if synced else [])
    assert run_status(check, VERIFY) == set()

    real = lab.playbook(PLAYBOOK, "--diff", extra_vars=extra_vars)

    assert real.rc == 0, real.output
    assert changed_tasks(check) == changed_tasks(real)
    # IISSync ran exactly when check mode said it would, as often as the module reports: a run
    # within seconds of the previous one to the same target fails with 64 (Q214783) and is
    # retried, which a fast machine reaches after the scenario's own sync.
    started = len(lab.iissync_runs()) - syncs
    assert (started > 0) is synced
    assert started == len(real.result(IISSYNC, "node1").get("runs") or [])
    lab.assert_healthy()


def run_status(run: PlaybookRun, task: str) -> set[str]:
    """The hosts that ran ``task`` (not skipped)."""
    return {entry["host"] for entry in run.results if entry["task"] == task and entry["status"] != "skipped"}


def test_check_mode_predicts_no_sync_where_step_6_puts_the_source_back(lab: Lab) -> None:
    """The source's anonymous password changed by hand: step 6 puts it back on the source, and the
    target, which holds it, then equals the source; check mode says so, from the target's own
    answer, without any password leaving the nodes."""
    _converge(lab)
    lab.edit("NODE1", "W3SVC/1", "AnonymousUserPass", "Drifted-Secret-9")
    before = lab.state_text()
    syncs = len(lab.iissync_runs())

    check = lab.playbook(
        PLAYBOOK,
        "--check",
        "--diff",
        "-vvvv",
        extra_vars=DEMO_VARS,
        leaves_broken="check mode does not put node1's anonymous password back",
    )

    assert check.rc == 0, check.output
    assert lab.state_text() == before
    assert DEMO_VARS["iis_cluster_iusr_password"] not in check.output
    report = check.result(TARGET_REPORT, "node2")
    # Only the web site drifted: only its identity is pending, and node2 holds it.
    assert report["holds_anonymous_identity"] == {"/LM/W3SVC/1": True}
    preflight = check.result(PREFLIGHT, "node1")
    assert preflight["out_of_sync"] == []
    assert [target["in_sync"] for target in preflight["targets"]] == [True]
    assert ("node1", IISSYNC) not in changed_tasks(check)

    real = lab.playbook(PLAYBOOK, "--diff", extra_vars=DEMO_VARS)

    assert real.rc == 0, real.output
    assert changed_tasks(check) == changed_tasks(real)
    assert len(lab.iissync_runs()) == syncs
    lab.assert_healthy()
