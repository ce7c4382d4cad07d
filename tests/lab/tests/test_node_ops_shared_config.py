"""Shared Configuration on the iis10 topology: file shares (share_get, share_set), a node
reading a UNC path as IIS does (unc_read_check), redirection.config and the configuration keys
(shared_config_*), WAS reading the share, and the faults of a shared configuration."""

from __future__ import annotations

import json
import os
import typing as t

import pytest
from conftest import NodeOps

from iis_lab.lab import Lab

TOPOLOGY = os.path.join(os.path.dirname(__file__), "..", "iis_lab", "topologies", "iis10.yml")
READER = "WEBFARM\\IISConfigReader"
READER_PASSWORD = "Lab-Reader-1"
SHARE = "\\\\DC1\\IISConfig"


def op(op_name: str, **args: t.Any) -> dict[str, t.Any]:
    return {"op": op_name, "args": args}


@pytest.fixture
def lab(tmp_path) -> Lab:
    return Lab.from_topology(TOPOLOGY, str(tmp_path))


@pytest.fixture
def node_ops(lab: Lab) -> NodeOps:
    return NodeOps(lab)


def make_share(node_ops: NodeOps, *, read: t.Sequence[str] = (READER,)) -> None:
    node_ops.value(
        op("share_set", name="IISConfig", path="C:\\IISConfig", read=list(read), change=["WEBFARM\\Domain Admins"]),
        host="DC1",
    )


def grant_batch(lab: Lab, *nodes: str) -> None:
    for node in nodes or ("NODE1", "NODE2", "NODE3"):
        lab.change_condition(node, "batch_right_removed", READER, clear=True)


def read_check(node_ops: NodeOps, path: str = SHARE, password: str = READER_PASSWORD, host: str = "NODE1") -> t.Any:
    return node_ops.value(op("unc_read_check", path=path, user=READER, secret="r"), host=host, secrets={"r": password})


def state(lab: Lab) -> dict[str, t.Any]:
    lab.save_changes()
    assert lab.state_file is not None
    with open(lab.state_file, encoding="utf-8") as stream:
        return t.cast(dict[str, t.Any], json.load(stream))


def code(check: dict[str, t.Any]) -> int | None:
    return None if check["error"] is None else check["error"]["code"]


# Shares ---------------------------------------------------------------------------------------
def test_share_get_of_a_missing_share_and_of_an_administrative_one(node_ops: NodeOps) -> None:
    assert node_ops.value(op("share_get", name="IISConfig"), host="DC1") is None
    assert node_ops.value(op("share_get", name="admin$"), host="DC1") == {
        "name": "ADMIN$",
        "path": "C:\\Windows",
        "access": [{"account": "BUILTIN\\Administrators", "right": "full"}],
    }


def test_share_set_creates_the_share_and_its_folder_then_sets_its_access(lab: Lab, node_ops: NodeOps) -> None:
    make_share(node_ops)
    assert node_ops.value(op("share_get", name="iisconfig"), host="DC1") == {
        "name": "IISConfig",
        "path": "C:\\IISConfig",
        "access": [
            {"account": READER, "right": "read"},
            {"account": "WEBFARM\\Domain Admins", "right": "change"},
        ],
    }
    # One model: the file_shares op (IISSync's) lists it too.
    shares = node_ops.value(op("file_shares"), host="DC1")["shares"]
    assert {"name": "IISConfig", "path": "C:\\IISConfig"} in shares
    node_ops.value(op("share_set", name="IISConfig", path="C:\\IISConfig\\", change=[READER]), host="DC1")
    assert node_ops.value(op("share_get", name="IISConfig"), host="DC1")["access"] == [
        {"account": READER, "right": "change"}
    ]
    dc = state(lab)["hosts"]["DC1"]["file_server"]
    assert dc["share_access"] == {"IISConfig": {READER: "change"}}
    assert dc["folders"] == {"c:\\iisconfig": {"access": {READER: "change"}, "files": []}}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"name": "IISConfig", "path": "C:\\Other"}, 2118),  # the name is taken by another folder
        ({"name": "C$", "path": "C:\\"}, 2118),  # an administrative share
        ({"name": "Bad/Name", "path": "C:\\IISConfig"}, 123),
        ({"name": "Other", "path": "IISConfig"}, 161),
        ({"name": "Other", "path": "C:\\Other", "read": ["WEBFARM\\NoSuchUser"]}, 1332),
    ],
)
def test_share_set_refusals(node_ops: NodeOps, args: dict[str, t.Any], expected: int) -> None:
    make_share(node_ops)
    result = node_ops(op("share_set", **args), host="DC1")
    assert result["results"][0]["error"]["code"] == expected
    assert node_ops.value(op("share_get", name="Other"), host="DC1") is None


# unc_read_check --------------------------------------------------------------------------------
def test_the_reader_needs_the_batch_right_on_the_node_then_reads(lab: Lab, node_ops: NodeOps) -> None:
    make_share(node_ops)
    # "Log on as a batch job" is not granted by default (Shared Configuration).
    assert code(read_check(node_ops)) == 1385
    grant_batch(lab, "NODE1")
    assert read_check(node_ops) == {"error": None, "files": []}
    assert code(read_check(node_ops, host="NODE2")) == 1385


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("\\\\NOSUCHHOST\\IISConfig", 53),
        ("\\\\DC1\\NoSuchShare", 67),
        ("\\\\dc1.webfarm.test\\IISConfig\\missing", 3),
        ("C:\\IISConfig", 161),
    ],
)
def test_unc_paths_that_lead_nowhere(lab: Lab, node_ops: NodeOps, path: str, expected: int) -> None:
    make_share(node_ops)
    grant_batch(lab, "NODE1")
    assert code(read_check(node_ops, path)) == expected


def test_the_readers_logon_failures(lab: Lab, node_ops: NodeOps) -> None:
    make_share(node_ops)
    grant_batch(lab, "NODE1")
    assert code(read_check(node_ops, password="wrong")) == 1326
    reader = lab.domain.accounts.find("IISConfigReader")
    assert reader is not None
    reader.password_expired = True
    assert code(read_check(node_ops)) == 1330
    assert code(read_check(node_ops, password="wrong")) == 1326
    reader.password_expired = False
    lab.change_condition("NODE1", "account_disabled", READER)
    assert code(read_check(node_ops)) == 1331
    lab.change_condition("NODE1", "account_disabled", READER, clear=True)
    lab.change_condition("NODE1", "account_locked_out", READER)
    assert code(read_check(node_ops)) == 1909


def test_share_and_folder_both_must_grant_read(lab: Lab, node_ops: NodeOps) -> None:
    make_share(node_ops, read=["WEBFARM\\Domain Admins"])
    grant_batch(lab, "NODE1")
    assert code(read_check(node_ops)) == 5
    make_share(node_ops, read=["WEBFARM\\Domain Users"])  # through a group
    assert code(read_check(node_ops)) is None
    dc = lab.host_named("DC1")
    folder = dc.folders["c:\\iisconfig"]
    folder.access.clear()  # the folder's ACL changed by hand: the share alone is not enough
    assert code(read_check(node_ops)) == 5
    assert node_ops.value(op("share_get", name="IISConfig"), host="DC1")["access"] == []


def test_a_file_server_that_does_not_answer(lab: Lab, node_ops: NodeOps) -> None:
    make_share(node_ops)
    grant_batch(lab, "NODE1")
    lab.host_named("DC1").file_server_reachable = False
    assert code(read_check(node_ops)) == 53
