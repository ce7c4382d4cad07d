"""IIS 7-10 configuration backups: the folders of a name's versions and their retention."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._apphost_backup import (
    ApphostBackupFirst,
    backups_to_delete,
    check_backup_name,
    check_listing,
    next_version,
    versions,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction

LISTING = [
    {"name": "CFGBACKUP-20260101-000000", "date": "2026-01-01T00:00:00Z"},
    {"name": "iissync-0", "date": "2026-05-01T10:00:00Z"},
    {"name": "IISSYNC-2", "date": "2026-05-03T10:00:00Z"},
    {"name": "iissync-1", "date": "2026-05-02T10:00:00Z"},
    {"name": "iissync-old", "date": "2026-04-01T10:00:00Z"},
    {"name": "iissync-2-7", "date": "2026-04-01T10:00:00Z"},
]


@pytest.mark.parametrize("name", ["iissync", "x", "a" * 80, "web_deploy-2026"])
def test_names_that_make_folder_names(name):
    assert check_backup_name(name) == name


@pytest.mark.parametrize("name", ["", "a" * 81, "a/b", "a\\b", "..", "a.b", "a b", "-x", "CON?", "a,b"])
def test_other_names_are_refused_naming_the_field_and_the_rule(name):
    with pytest.raises(InvalidInput, match="^metabase_sync_backup_name: .*letters, digits"):
        check_backup_name(name, "metabase_sync_backup_name")


def test_versions_are_the_folders_named_name_dash_number_and_others_are_no_one_s():
    found = versions(LISTING)
    assert {(backup["name"].lower(), backup["version"]) for backup in found} == {
        ("iissync", 0), ("iissync", 1), ("iissync", 2), ("iissync-2", 7), ("cfgbackup-20260101", 0)
    }
    assert next(backup for backup in found if backup["version"] == 2)["folder"] == "IISSYNC-2"


def test_a_new_version_is_one_after_the_highest_listed_case_insensitively_from_zero():
    assert next_version(LISTING, "iissync") == 3
    assert next_version(LISTING, "IISSync") == 3
    assert next_version(LISTING, "websync") == 0
    assert next_version([], "iissync") == 0


def test_a_new_backup_is_made_before_the_oldest_versions_beyond_keep_are_deleted():
    first = ApphostBackupFirst("iissync", 2)
    assert [backup["folder"] for backup in first.pruned(LISTING)] == ["iissync-0", "iissync-1"]
    assert first.instructions(LISTING) == [
        Instruction("apphost_backup_create", {"name": "iissync-3"}),
        Instruction("apphost_backup_delete", {"name": "iissync-0"}),
        Instruction("apphost_backup_delete", {"name": "iissync-1"}),
    ]
    assert first.planned(LISTING) == {"name": "iissync", "version": 3, "folder": "iissync-3", "date": None}


def test_without_keep_nothing_is_pruned_and_folders_of_other_names_never_are():
    assert ApphostBackupFirst("iissync", None).instructions(LISTING) == [Instruction("apphost_backup_create", {"name": "iissync-3"})]
    pruned = ApphostBackupFirst("iissync", 1).pruned(LISTING)
    assert {backup["folder"] for backup in pruned} == {"iissync-0", "iissync-1", "IISSYNC-2"}


def test_absent_deletes_one_version_or_all_and_is_idempotent():
    assert [backup["folder"] for backup in backups_to_delete(LISTING, "iissync", 1)] == ["iissync-1"]
    assert [backup["folder"] for backup in backups_to_delete(LISTING, "iissync", None)] == ["iissync-0", "iissync-1", "IISSYNC-2"]
    assert backups_to_delete(LISTING, "iissync", 9) == []


def test_a_listing_passed_in_must_be_the_node_s():
    assert check_listing(LISTING) == LISTING
    with pytest.raises(InvalidInput, match=r"^backups\[1\]: is not an IIS configuration backup"):
        check_listing([LISTING[0], {"version": 3}])
