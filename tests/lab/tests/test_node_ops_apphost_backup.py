"""IIS 7+ configuration backups (apphost_backup_*) and web_deploy_info on the iis10 topology,
through the real node_ops dispatch, with what state.json records of them."""

from __future__ import annotations

import datetime
import json
import re
import typing as t

import pytest
from conftest import IIS10_TOPOLOGY, NodeOps, failure, op

from iis_lab.lab import Lab
from iis_lab.windows.apphost_backup import create_backup

LAB_TOPOLOGY = IIS10_TOPOLOGY
POOLS = "system.applicationHost/applicationPools"






def _state(lab: Lab) -> dict[str, t.Any]:
    lab.save_changes()  # as the WinRM server does after each command
    assert lab.state_file is not None
    with open(lab.state_file, encoding="utf-8") as stream:
        return json.load(stream)


def test_a_backup_copies_the_configuration_files_as_they_are_then(lab: Lab, node_ops: NodeOps) -> None:
    before = lab.host_named("NODE1").iis.config.text  # type: ignore[union-attr]
    created = node_ops.value(op("apphost_backup_create", name="step8-1"))
    assert created["name"] == "step8-1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created["date"])
    node_ops.values(op("web_config_set", section=POOLS, element="add[@name='Shop']", attribute="queueLength", value="2000"))
    [recorded] = _state(lab)["hosts"]["NODE1"]["iis"]["backups"]
    assert recorded["name"] == "step8-1" and recorded["date"] == created["date"]
    assert sorted(recorded["files"]) == ["administration.config", "applicationHost.config", "redirection.config"]
    # The copy is the file as it was: the later change is in the live file only.
    assert recorded["files"]["applicationHost.config"] == before
    assert 'queueLength="2000"' in _state(lab)["hosts"]["NODE1"]["iis"]["applicationhost"]
    assert '<configurationRedirection enabled="false" />' in recorded["files"]["redirection.config"]


def test_a_backup_copies_the_node_own_files_under_shared_configuration(lab: Lab) -> None:
    iis = lab.host_named("NODE1").iis
    assert iis is not None
    own = iis.local.text
    iis.redirection.enabled, iis.redirection.path = True, "\\\\DC1\\IISConfig"
    # The copy is made without reading the share (which this lab does not serve).
    files = create_backup(iis, "shared", datetime.datetime.now(datetime.timezone.utc)).files
    assert 'enabled="true"' in files["redirection.config"] and "IISConfig" in files["redirection.config"]
    assert files["applicationHost.config"] == own


def test_backups_are_listed_by_name_and_deleted_once(lab: Lab, node_ops: NodeOps) -> None:
    node_ops.values(op("apphost_backup_create", name="b"), op("apphost_backup_create", name="A"))
    assert [entry["name"] for entry in node_ops.value(op("apphost_backup_list"))] == ["A", "b"]
    # Folder names are case-insensitive: "a" is the existing "A".
    assert failure(node_ops(op("apphost_backup_create", name="a"))) == {
        "code": 0x800700B7,
        "message": "Cannot create a file when that file already exists.",
    }
    node_ops.values(op("apphost_backup_delete", name="a"))
    assert [entry["name"] for entry in node_ops.value(op("apphost_backup_list"))] == ["b"]
    assert failure(node_ops(op("apphost_backup_delete", name="A")))["code"] == 0x80070002
    assert [backup["name"] for backup in _state(lab)["hosts"]["NODE1"]["iis"]["backups"]] == ["b"]
    # Other nodes keep their own folders.
    assert node_ops.value(op("apphost_backup_list"), host="NODE2") == []


@pytest.mark.parametrize("name", ["a/b", "x:y", "what?", "CON", "nul.txt", "", "  "])
def test_a_name_that_cannot_name_a_folder_is_refused(node_ops: NodeOps, name: str) -> None:
    assert failure(node_ops(op("apphost_backup_create", name=name)))["code"] == 0x8007007B
    assert node_ops.value(op("apphost_backup_list")) == []


def test_backups_need_iis7_and_are_refused_in_check_mode(node_ops: NodeOps) -> None:
    assert failure(node_ops(op("apphost_backup_list"), host="DC1"))["code"] == 0x80070002
    result = node_ops(op("apphost_backup_create", name="x"), check_mode=True)
    assert result["failed"] and "refused in check mode" in result["msg"]


def test_web_deploy_info_on_the_iis10_nodes_and_elsewhere(lab: Lab, node_ops: NodeOps) -> None:
    for name in ("NODE1", "NODE2", "NODE3"):
        assert node_ops.value(op("web_deploy_info"), host=name) == {
            "installed": True,
            "version": "3.6",
            "agent_service": "running",
            "management_service": "absent",
        }
    assert node_ops.value(op("web_deploy_info"), host="DC1") == {
        "installed": False,
        "version": None,
        "agent_service": "absent",
        "management_service": "absent",
    }
    recorded = _state(lab)["hosts"]["NODE2"]["iis"]["web_deploy"]
    assert recorded == {
        "installed": True,
        "version": "3.6",
        "agent_service": "running",
        "management_service": "absent",
        "syncs": [],
    }
