"""Backups that are made (issue 11, defect 6), by the real ansible-playbook against the lab: a new
backup version on each target before every sync, pruned to the retention, the source backed up
before steps 6-7 change it, no stray backup when a run stops before IISSync, and names that
Windows or IIS refuse refused before any remote call."""

from __future__ import annotations

import typing as t

import pytest
import yaml
from lab_harness import ROOT, Lab

ROLE = "webfarm.iis_cluster.metabase_sync : "
BACKUP = ROLE + "Back up the metabase of each target the sync will overwrite"
IISSYNC = ROLE + "Run IISSync from the source node to the targets that differ (KB Q249603 step 8)"
REMOVE = ROLE + "Remove this run's backup where IISSync did not start"
STEP_6 = "webfarm.iis_cluster.anonymous_identity : Make the web and FTP sites' anonymous user the domain IUSR account (KB Q249603 step 6)"
STEP_7 = (
    "webfarm.iis_cluster.wam_identity : "
    "Make IIS's out-of-process identity the domain IWAM account, in the metabase and COM+ (KB Q249603 step 7)"
)
PLAYBOOK = "webfarm.iis_cluster.cluster_iis"
DEMO_VARS = yaml.safe_load((ROOT / "tests" / "lab" / "cluster-vars.yml").read_text())


def backups(lab: Lab, host: str) -> list[tuple[str, int]]:
    return [(backup["name"], backup["version"]) for backup in lab.state()["hosts"][host]["metabase_backups"]]


def drift_and_sync(lab: Lab, comment: str, **extra_vars: t.Any):
    lab.edit("NODE2", "W3SVC/1", "ServerComment", comment)
    return lab.playbook("sync.yml", extra_vars={**lab.become_vars(), **extra_vars})


def test_every_sync_with_a_fixed_name_makes_a_new_version_and_the_summary_names_it(lab: Lab):
    lab.converge_identities()
    first = lab.playbook(PLAYBOOK, extra_vars={**DEMO_VARS, "metabase_sync_backup_name": "before-sync"})
    assert first.rc == 0, first.output
    lab.edit("NODE2", "W3SVC/1", "ServerComment", "Changed by hand")

    second = lab.playbook(PLAYBOOK, extra_vars={**DEMO_VARS, "metabase_sync_backup_name": "before-sync"})

    assert second.rc == 0, second.output
    assert backups(lab, "NODE2") == [("before-sync", 0), ("before-sync", 1)]
    # The second backup holds the drifted metabase the second sync overwrote.
    [_, newest] = lab.state()["hosts"]["NODE2"]["metabase_backups"]
    assert newest["metabase"]["/LM/W3SVC/1"]["properties"]["ServerComment"]["value"] == "Changed by hand"
    assert "backed up as before-sync version 1, then replicated from node1" in second.output
    lab.assert_healthy()

    third = lab.playbook(PLAYBOOK, extra_vars={**DEMO_VARS, "metabase_sync_backup_name": "before-sync"})

    # Nothing to sync: no backup, and the summary claims none.
    assert third.rc == 0, third.output
    assert third.status(BACKUP, "node2") == "skipped"
    assert backups(lab, "NODE2") == [("before-sync", 0), ("before-sync", 1)]
    assert "backed up as" not in third.output


def test_the_retention_prunes_the_oldest_versions(lab: Lab):
    lab.converge_identities()
    for run in range(4):
        synced = drift_and_sync(lab, f"Drift {run}", metabase_sync_backup_keep=2)
        assert synced.rc == 0, synced.output

    assert backups(lab, "NODE2") == [("iissync", 2), ("iissync", 3)]
    assert synced.result(BACKUP, "node2")["deleted"] == [{"name": "iissync", "version": 1}]
    lab.assert_healthy()


def test_check_mode_predicts_the_backup_and_its_pruning_and_writes_nothing(lab: Lab):
    lab.converge_identities()
    for run in range(2):
        assert drift_and_sync(lab, f"Drift {run}").rc == 0
    lab.edit("NODE2", "W3SVC/1", "ServerComment", "Drift again")
    before = lab.state_text()

    run = lab.playbook("sync.yml", "--check", extra_vars={**lab.become_vars(), "metabase_sync_backup_keep": 1})

    assert run.rc == 0, run.output
    predicted = run.result(BACKUP, "node2")
    assert predicted["changed"] and predicted["backup"]["version"] is None
    assert predicted["deleted"] == [{"name": "iissync", "version": 0}, {"name": "iissync", "version": 1}]
    assert lab.state_text() == before


def test_the_source_is_backed_up_before_step_6_changes_it_and_not_when_nothing_changes(lab: Lab):
    original = lab.state()["hosts"]["NODE1"]["metabase"]

    first = lab.playbook(PLAYBOOK, extra_vars={**DEMO_VARS, "iis_cluster_steps": "domain_accounts,node_access,anonymous_identity,wam_identity"})

    assert first.rc == 0, first.output
    assert backups(lab, "NODE1") == [("iissync", 0)]
    [made] = lab.state()["hosts"]["NODE1"]["metabase_backups"]
    # The backup holds the metabase as it was before step 6: IIS setup's anonymous user.
    assert made["metabase"] == original
    assert made["metabase"]["/LM/W3SVC"]["properties"]["AnonymousUserName"]["value"] == "IUSR_NODE1"
    assert first.result(STEP_6, "node1")["sites"][0]["backup"]["version"] == 0
    # Once per run: step 7 changed the source too, but did not back it up again.
    assert first.result(STEP_7, "node1")["changed"] and "backup" not in first.result(STEP_7, "node1")
    assert "backed up as iissync version 0 before steps 6-7 changed it" in first.output

    second = lab.playbook(PLAYBOOK, extra_vars={**DEMO_VARS, "iis_cluster_steps": "anonymous_identity,wam_identity"})

    assert second.rc == 0, second.output
    assert backups(lab, "NODE1") == [("iissync", 0)]
    assert "backup" not in second.result(STEP_6, "node1")["sites"][0] and "backup" not in second.result(STEP_7, "node1")


def test_step_7_backs_the_source_up_when_step_6_changed_nothing(lab: Lab):
    steps = {**DEMO_VARS, "iis_cluster_steps": "domain_accounts,node_access,anonymous_identity"}
    assert lab.playbook(PLAYBOOK, extra_vars=steps).rc == 0
    assert backups(lab, "NODE1") == [("iissync", 0)]

    run = lab.playbook(PLAYBOOK, extra_vars={**DEMO_VARS, "iis_cluster_steps": "anonymous_identity,wam_identity"})

    assert run.rc == 0, run.output
    assert "backup" not in run.result(STEP_6, "node1")["sites"][0]
    assert run.result(STEP_7, "node1")["backup"] == {**run.result(STEP_7, "node1")["backup"], "name": "iissync", "version": 1}
    assert backups(lab, "NODE1") == [("iissync", 0), ("iissync", 1)]
    # Targets change their own WAM identity in step 7, but only the source is backed up here.
    assert backups(lab, "NODE2") == []


def test_the_source_backup_is_predicted_in_check_mode_and_nothing_is_written(lab: Lab):
    before = lab.state_text()

    run = lab.playbook(PLAYBOOK, "--check", extra_vars={**DEMO_VARS, "iis_cluster_steps": "domain_accounts,node_access,anonymous_identity"})

    assert run.rc == 0, run.output
    predicted = run.result(STEP_6, "node1")["sites"][0]
    assert predicted["changed"] and predicted["backup"] == {"name": "iissync", "version": None, "date": None}
    assert lab.state_text() == before


def test_a_run_that_stops_before_iissync_leaves_no_backup_of_its_own(lab: Lab):
    lab.converge_identities()
    assert drift_and_sync(lab, "Drift 1").rc == 0
    lab.edit("NODE2", "W3SVC/1", "ServerComment", "Drift 2")

    # Without network credentials IISSync refuses to start: the backup made just before must go.
    run = lab.playbook("sync.yml", extra_vars={"metabase_sync_become": False})

    assert run.rc != 0
    assert run.result(IISSYNC, "node1")["msg"].startswith("network credentials:")
    assert run.result(BACKUP, "node2")["backup"]["version"] == 1
    assert run.status(REMOVE, "node2") == "ok"
    assert len(lab.iissync_runs()) == 1
    assert backups(lab, "NODE2") == [("iissync", 0)]
    assert lab.state()["hosts"]["NODE2"]["metabase"]["/LM/W3SVC/1"]["properties"]["ServerComment"]["value"] == "Drift 2"


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({"metabase_sync_backup_name": "CON"}, "metabase_sync_backup_name: 'CON' cannot name a metabase backup (it is a reserved Windows device name"),
        ({"metabase_sync_backup_name": "lpt1"}, "metabase_sync_backup_name: 'lpt1' cannot name a metabase backup (it is a reserved Windows device name"),
        ({"metabase_sync_backup_name": "."}, "metabase_sync_backup_name: '.' cannot name a metabase backup (a file name cannot be . or .."),
        ({"metabase_sync_backup_name": "sync 100%"}, "metabase_sync_backup_name: 'sync 100%' cannot name a metabase backup (IIS refuses"),
        ({"metabase_sync_backup_keep": 0}, "metabase_sync_backup_keep: must be from 1 to 20; got 0"),
        ({"metabase_sync_backup_keep": 50}, "metabase_sync_backup_keep: must be from 1 to 20; got 50"),
    ],
)
def test_bad_backup_names_and_retentions_are_refused_before_any_remote_call(lab: Lab, extra, problem):
    before = lab.state_text()

    run = lab.playbook(PLAYBOOK, extra_vars={**DEMO_VARS, **extra})

    assert run.rc != 0
    assert problem in run.result("Pre-flight, the inputs of every selected step", "node1")["msg"]
    assert lab.state_text() == before


@pytest.mark.parametrize("name", ["CON", "nul.txt", "..", "name."])
def test_the_module_refuses_reserved_names_before_any_remote_call(lab: Lab, name: str):
    before = lab.state_text()

    run = lab.playbook("backup.yml", extra_vars={"target": "node2", "name": name, "state": "new"})

    assert run.result("Backup", "node2")["msg"].startswith(f"name: {name!r} cannot name a metabase backup")
    assert lab.state_text() == before
    assert lab.processes() == []


def test_absent_deletes_one_version_or_all_and_is_idempotent(lab: Lab):
    for _ in range(3):
        assert lab.playbook("backup.yml", extra_vars={"target": "node2", "name": "manual", "state": "new"}).rc == 0
    assert backups(lab, "NODE2") == [("manual", 0), ("manual", 1), ("manual", 2)]

    one = lab.playbook("backup.yml", extra_vars={"target": "node2", "name": "manual", "state": "absent", "version": 1})
    assert one.rc == 0 and one.changed() == {"node2": 1}
    assert backups(lab, "NODE2") == [("manual", 0), ("manual", 2)]

    every = lab.playbook("backup.yml", extra_vars={"target": "node2", "name": "MANUAL", "state": "absent"})
    assert every.result("Backup", "node2")["deleted"] == [{"name": "manual", "version": 0}, {"name": "manual", "version": 2}]
    assert backups(lab, "NODE2") == []

    again = lab.playbook("backup.yml", extra_vars={"target": "node2", "name": "manual", "state": "absent"})
    assert again.rc == 0 and again.changed() == {"node2": 0}
