"""Metabase backup names IIS can store, and choosing the backup to restore."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_backup import (
    backup_to_restore,
    backups_named,
    check_backup_name,
)

BACKUPS = [
    {"name": "iissync-20240501T101500Z", "version": 1, "date": "2024-05-01T10:30:00Z"},
    {"name": "IISSYNC-20240501T101500Z", "version": 0, "date": "2024-05-01T10:15:00Z"},
    {"name": "other", "version": 0, "date": "2024-04-01T00:00:00Z"},
]


@pytest.mark.parametrize("name", ["iissync-20240501T101500Z", "x", "a" * 100, "before sync (manual)"])
def test_names_iis_can_store(name):
    assert check_backup_name(name) == name


@pytest.mark.parametrize("name", ["", "a" * 101, "a/b", "a\\b", "c:x", "what?", "tab\tname"])
def test_other_names_are_refused_naming_the_field(name):
    with pytest.raises(InvalidInput, match="^name: "):
        check_backup_name(name)


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
