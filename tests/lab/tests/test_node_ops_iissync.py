"""``iissync_run``: iissync.exe as KB Q249603 step 8 runs it, with Q224801's codes, Q214783's
5-second rule, the double hop, and COM+ replication as COMREPL does it."""

from __future__ import annotations

import typing as t

import pytest
from conftest import ADMIN, NodeOps, lab_of

from iis_lab.faults import FAULT_KINDS, SOURCE
from iis_lab.lab import Lab
from iis_lab.state import lab_state
from iis_lab.windows import iissync

IISSYNC = "C:\\WINNT\\system32\\inetsrv\\iissync.exe"
SUMMARY = "At least one target computer was not replicated successfully.\r\n"


def sync(*targets: str) -> dict[str, t.Any]:
    return {"op": "iissync_run", "args": {"targets": list(targets)}}


def metabases(lab: Lab) -> dict[str, t.Any]:
    state = lab_state(lab.topology, lab.domain, lab.hosts, lambda secret: f"digest of {secret}")
    return {name: host["metabase"] for name, host in state["hosts"].items()}


class Clock:
    """The lab's clock, moved by hand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 1000.0
        monkeypatch.setattr("iis_lab.lab.time.monotonic", lambda: self.now)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def test_a_clean_sync_copies_the_metabase_secure_data_included_and_prints_nothing(
    lab: Lab, node_ops: NodeOps, clock: Clock
) -> None:
    assert metabases(lab)["NODE1"] != metabases(lab)["NODE2"]

    value = node_ops.value(sync("NODE2"), become_password=True)

    assert value == {"exit_code": 0, "output": ""}
    assert metabases(lab)["NODE2"] == metabases(lab)["NODE1"]
    node1, node2 = (lab.host_named(name).metabase for name in ("NODE1", "NODE2"))
    assert node2.read("W3SVC", "WAMUserPass").value == node1.read("W3SVC", "WAMUserPass").value
    assert node2.read("W3SVC/1/ROOT", "AnonymousUserName").value == "IUSR_NODE1"
    assert [(record.host, record.user, record.command_line) for record in lab.processes] == [
        ("NODE1", ADMIN, f"{IISSYNC} NODE2")
    ]


def test_without_network_credentials_the_target_refuses_the_anonymous_logon(lab: Lab, node_ops: NodeOps) -> None:
    before = metabases(lab)
    for become_password in (None, False):
        value = node_ops.value(sync("node2"), become_password=become_password)

        assert value == {
            "exit_code": 5,
            "output": f"Error replicating to target node2: Access is denied.\r\nError code 5 (00000005)\r\n{SUMMARY}",
        }
    assert metabases(lab) == before


def test_running_again_within_5_seconds_fails_with_64_and_later_succeeds(
    lab: Lab, node_ops: NodeOps, clock: Clock
) -> None:
    node_ops.value(sync("NODE2"), become_password=True)
    clock.now += 4.9

    again = node_ops.value(sync("NODE2"), become_password=True)

    assert again["exit_code"] == 64
    assert again["output"] == (
        "Error replicating to target NODE2: The specified network name is no longer available.\r\n"
        f"Error code 64 (00000040)\r\n{SUMMARY}"
    )
    clock.now += 0.2
    assert node_ops.value(sync("NODE2"), become_password=True) == {"exit_code": 0, "output": ""}


def test_an_unknown_target_name_is_1722(node_ops: NodeOps) -> None:
    value = node_ops.value(sync("NODE9"), become_password=True)

    assert value["exit_code"] == 1722
    assert value["output"].startswith("Error replicating to target NODE9: The RPC server is unavailable.\r\n")
    assert "Error code 1722 (000006BA)\r\n" in value["output"]


def fault_lab(kind: str) -> Lab:
    host = "NODE1" if FAULT_KINDS[kind].host == SOURCE else "NODE2"
    return lab_of(faults=[{"kind": kind, "host": host}])


@pytest.mark.parametrize("kind", sorted(FAULT_KINDS))
def test_every_fault_kind_gives_exactly_its_code(kind: str) -> None:
    lab = fault_lab(kind)
    code = FAULT_KINDS[kind].code
    before = metabases(lab)["NODE2"]

    value = NodeOps(lab).value(sync("NODE2"), become_password=True)

    message = iissync.MESSAGES[code]
    first_line = f"Error replicating to target NODE2: {message}".rstrip()
    assert value == {"exit_code": code, "output": f"{first_line}\r\nError code {code} ({code:08X})\r\n{SUMMARY}"}
    assert metabases(lab)["NODE2"] == before


SHOP_PACKAGE = "IIS-{Default Web Site//Root/Shop}"


def test_com_plus_replication_replaces_the_targets_own_applications(clock: Clock) -> None:
    lab = lab_of(NODE1={"complus_applications": ["Orders"]}, NODE2={"complus_applications": ["Legacy"]})

    NodeOps(lab).value(sync("NODE2"), become_password=True)

    names = [application.name for application in lab.host_named("NODE2").complus.applications]
    # The default topology's isolated web application has a COM+ package of its own, replicated too.
    assert names == ["System Application", "IIS Out-Of-Process Pooled Applications", "Orders", SHOP_PACKAGE]
    assert not lab.host_named("NODE2").complus.unregistered_components()


def test_volatile_run_state_is_not_replicated(lab: Lab, node_ops: NodeOps, clock: Clock) -> None:
    lab.host_named("NODE2").metabase.write("W3SVC/1", "ServerState", 4)  # stopped on the passive node

    node_ops.value(sync("NODE2"), become_password=True)

    assert lab.host_named("NODE2").metabase.read("W3SVC/1", "ServerState").value == 4
    assert lab.host_named("NODE2").metabase.read("W3SVC/1", "ServerComment").value == "Default Web Site"


def test_several_targets_in_one_run_each_get_their_outcome(clock: Clock) -> None:
    lab = lab_of(
        hosts=[
            {"name": "DC1", "address": "127.0.0.11", "role": "domain_controller"},
            {"name": "NODE1", "address": "127.0.0.12", "role": "member", "iis": "5.0"},
            {"name": "NODE2", "address": "127.0.0.13", "role": "member", "iis": "5.0"},
            {"name": "NODE3", "address": "127.0.0.14", "role": "member", "iis": "5.0"},
        ],
        faults=[{"kind": "rpc_call_fails", "host": "NODE2"}],
    )

    value = NodeOps(lab).value(sync("NODE2", "NODE3"), become_password=True)

    assert value == {
        "exit_code": 1726,
        "output": "Error replicating to target NODE2: The remote procedure call failed.\r\n"
        f"Error code 1726 (000006BE)\r\n{SUMMARY}",
    }
    assert metabases(lab)["NODE3"] == metabases(lab)["NODE1"] != metabases(lab)["NODE2"]


@pytest.mark.parametrize("targets", [[], ["NODE2 /quiet"], ["NODE2", "-h"], ['NODE2"'], ["NODE2&calc"]])
def test_only_computer_names_reach_the_command_line(lab: Lab, node_ops: NodeOps, targets: list[str]) -> None:
    [entry] = node_ops(sync(*targets), become_password=True)["results"]

    assert entry["status"] == "failed"
    assert entry["error"]["code"] == 0x80070057
    assert lab.processes == []


def test_iissync_is_refused_in_check_mode(lab: Lab, node_ops: NodeOps) -> None:
    result = node_ops(sync("NODE2"), check_mode=True, become_password=True)

    assert result["failed"] is True
    assert "refused in check mode" in result["msg"]
    assert lab.processes == []
