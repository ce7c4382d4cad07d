"""Metabase backup names IIS can store, and choosing the backup to restore."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_backup import (
    BackupFirst,
    backup_to_restore,
    backups_named,
    backups_to_delete,
    backups_to_prune,
    check_backup_name,
    check_keep,
    check_listing,
)

BACKUPS = [
    {"name": "iissync-20240501T101500Z", "version": 1, "date": "2024-05-01T10:30:00Z"},
    {"name": "IISSYNC-20240501T101500Z", "version": 0, "date": "2024-05-01T10:15:00Z"},
    {"name": "other", "version": 0, "date": "2024-04-01T00:00:00Z"},
]


@pytest.mark.parametrize("name", ["iissync-20240501T101500Z", "x", "a" * 100, "before sync, manual", "iissync_2024-05-01"])
def test_names_iis_can_store(name):
    assert check_backup_name(name) == name


@pytest.mark.parametrize("name", ["", "a" * 101, "a/b", "a\\b", "c:x", "what?", "tab\tname", "a.b", "50%", "(x)"])
def test_other_names_are_refused_naming_the_field(name):
    with pytest.raises(InvalidInput, match="^name: "):
        check_backup_name(name)


@pytest.mark.parametrize("name", ["CON", "con", "Nul", "PRN", "AUX", "COM1", "com9", "LPT1", "lpt9", "CON.txt", "NUL.MD0"])
def test_reserved_device_names_are_refused_with_the_rule(name):
    with pytest.raises(InvalidInput, match="^metabase_sync_backup_name: .*reserved Windows device name"):
        check_backup_name(name, "metabase_sync_backup_name")


@pytest.mark.parametrize("name", [".", "..", "name.", "name ", "name. "])
def test_dot_names_and_trailing_dots_or_spaces_are_refused(name):
    with pytest.raises(InvalidInput, match="^name: .*cannot be . or .. or end in a dot or space"):
        check_backup_name(name)


@pytest.mark.parametrize("name", ["COM10", "CONSOLE", "LPT0", "xcon"])
def test_names_that_only_look_like_devices_are_accepted(name):
    assert check_backup_name(name) == name


@pytest.mark.parametrize("keep", [0, -1, 21])
def test_a_retention_outside_1_to_20_is_refused(keep):
    with pytest.raises(InvalidInput, match="^keep: must be from 1 to 20"):
        check_keep(keep)


def test_pruning_keeps_the_newest_counting_the_backup_being_made():
    versions = [{"name": "iissync", "version": v, "date": ""} for v in (3, 0, 2, 1)]
    assert [b["version"] for b in backups_to_prune(versions, "ISSYNC", 2, adding=1)] == []
    assert [b["version"] for b in backups_to_prune(versions, "IISSYNC", 2, adding=1)] == [0, 1, 2]
    assert [b["version"] for b in backups_to_prune(versions, "iissync", 5, adding=1)] == []
    assert [b["version"] for b in backups_to_prune(versions, "iissync", 4)] == []


def test_absent_deletes_one_version_or_all_and_nothing_when_gone():
    assert [b["version"] for b in backups_to_delete(BACKUPS, "iissync-20240501t101500z", None)] == [0, 1]
    assert [b["version"] for b in backups_to_delete(BACKUPS, "iissync-20240501T101500Z", 1)] == [1]
    assert backups_to_delete(BACKUPS, "iissync-20240501T101500Z", 7) == []


def test_backups_of_a_name_match_in_any_case_oldest_first():
    assert [backup["version"] for backup in backups_named(BACKUPS, "iissync-20240501t101500z")] == [0, 1]


def test_the_newest_version_is_restored_unless_one_is_named():
    assert backup_to_restore(BACKUPS, "iissync-20240501T101500Z", None)["version"] == 1
    assert backup_to_restore(BACKUPS, "iissync-20240501T101500Z", 0)["version"] == 0


def test_a_backup_that_does_not_exist_is_refused_listing_the_others():
    with pytest.raises(InvalidInput) as refused:
        backup_to_restore(BACKUPS, "iissync-20240501T101500Z", 7)
    assert str(refused.value) == (
        "name: the node has no metabase backup 'iissync-20240501T101500Z' version 7 (its backups: "
        "iissync-20240501T101500Z v1, IISSYNC-20240501T101500Z v0, other v0)"
    )


def test_a_backup_before_a_change_is_made_first_then_the_versions_it_makes_too_many_go():
    versions = [{"name": "iissync", "version": version, "date": None} for version in (0, 1, 2)]
    backup = BackupFirst.from_option({"name": "iissync", "keep": 2})
    assert [(i.op, i.args) for i in backup.instructions(versions)] == [
        ("metabase_backup_create", {"name": "iissync"}),
        ("metabase_backup_delete", {"name": "iissync", "version": 0}),
        ("metabase_backup_delete", {"name": "iissync", "version": 1}),
    ]
    assert BackupFirst.from_option(None) is None
    with pytest.raises(InvalidInput, match=r"^backup\.name: 'CON' cannot name a metabase backup"):
        BackupFirst.from_option({"name": "CON", "keep": 2})
    with pytest.raises(InvalidInput, match=r"^backup\.keep: must be from 1 to 20; got 0"):
        BackupFirst.from_option({"name": "iissync", "keep": 0})


def test_a_listing_given_back_is_taken_as_the_node_listed_it():
    listed = [{"name": "iissync", "version": 3, "date": "2026-12-06T23:00:00Z"}]
    assert check_listing(listed) == listed


@pytest.mark.parametrize(
    "entry", ["iissync", {"name": "iissync"}, {"name": "iissync", "version": "3"}, {"name": 7, "version": 3}, {"name": "x", "version": True}]
)
def test_a_listing_that_is_not_the_node_s_is_refused_naming_the_field(entry):
    with pytest.raises(InvalidInput, match=r"^backups\[1\]: is not a metabase backup .*backups: true"):
        check_listing([{"name": "iissync", "version": 0}, entry])
