"""Metabase backups: created with the next version, listed with their dates, restored whole."""

from __future__ import annotations

import re
import typing as t

import pytest
from conftest import NodeOps, lab_of

from iis_lab.lab import Lab


def op(op_name: str, **args: t.Any) -> dict[str, t.Any]:
    return {"op": op_name, "args": args}


DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_a_backup_restores_the_metabase_it_was_made_of(lab: Lab, node_ops: NodeOps) -> None:
    first = node_ops.value(op("metabase_backup_create", name="before-sync"))
    lab.host_named("NODE1").metabase.write("W3SVC/1", "ServerComment", "Changed")
    second = node_ops.value(op("metabase_backup_create", name="Before-Sync"))

    assert (first["name"], first["version"], second["version"]) == ("before-sync", 0, 1)
    assert DATE.match(first["date"])
    assert node_ops.value(op("metabase_backup_list")) == [first, second]

    node_ops.value(op("metabase_backup_restore", name="before-sync", version=0))

    assert lab.host_named("NODE1").metabase.read("W3SVC/1", "ServerComment").value == "Default Web Site"
    assert node_ops.value(op("metabase_backup_list")) == [first, second]


@pytest.mark.parametrize("name", ["", "a/b", "x" * 101, 'quote"'])
def test_a_name_iis_cannot_store_is_an_invalid_parameter(node_ops: NodeOps, name: str) -> None:
    [entry] = node_ops(op("metabase_backup_create", name=name))["results"]

    assert entry["error"]["code"] == 0x80070057


def test_restoring_a_backup_that_does_not_exist_is_an_invalid_version(node_ops: NodeOps) -> None:
    # [MS-IMSA] 3.1.4.29: Restore answers MD_ERROR_INVALID_VERSION for a version it does not have.
    [entry] = node_ops(op("metabase_backup_restore", name="never", version=0))["results"]

    assert entry["error"] == {"code": 0x800CC802, "message": "The version specified by dwMDVersion is invalid."}


def test_a_refusing_metabase_cannot_be_backed_up() -> None:
    lab = lab_of(faults=[{"kind": "metabase_in_use", "host": "NODE2"}])

    [entry] = NodeOps(lab)(op("metabase_backup_create", name="x"), host="NODE2")["results"]

    assert entry["error"]["code"] == 0x80070094


@pytest.mark.parametrize("name", [".", "..", "a.b", "trailing.", "50%", "(x)", "a+b", "tilde~"])
def test_a_character_the_metabase_refuses_is_an_invalid_parameter(node_ops: NodeOps, name: str) -> None:
    # [MS-IMSA] 3.1.4.15 lists the characters a backup name cannot hold.
    for instruction in (op("metabase_backup_create", name=name), op("metabase_backup_delete", name=name, version=0)):
        [entry] = node_ops(instruction)["results"]
        assert entry["error"]["code"] == 0x80070057


@pytest.mark.parametrize("name", ["CON", "nul", "Com1", "LPT9", "aux "])
def test_a_device_name_cannot_name_the_backup_files(lab: Lab, node_ops: NodeOps, name: str) -> None:
    [entry] = node_ops(op("metabase_backup_create", name=name))["results"]

    assert entry["error"]["code"] == 0x8007007B
    assert lab.host_named("NODE1").backups == []


def test_delete_removes_one_version_and_a_missing_one_is_file_not_found(lab: Lab, node_ops: NodeOps) -> None:
    first = node_ops.value(op("metabase_backup_create", name="iissync"))
    second = node_ops.value(op("metabase_backup_create", name="iissync"))

    node_ops.value(op("metabase_backup_delete", name="IISSYNC", version=0))

    assert node_ops.value(op("metabase_backup_list")) == [second]
    assert first["version"] == 0
    # [MS-IMSA] 3.1.4.15: a name or version that does not exist is ERROR_FILE_NOT_FOUND.
    for name, version in (("iissync", 0), ("never", 0)):
        [entry] = node_ops(op("metabase_backup_delete", name=name, version=version))["results"]
        assert entry["error"]["code"] == 0x80070002
    # The next version still follows the highest left, as MD_BACKUP_NEXT_VERSION does.
    assert node_ops.value(op("metabase_backup_create", name="iissync"))["version"] == 2
