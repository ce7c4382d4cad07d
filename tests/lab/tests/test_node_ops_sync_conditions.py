"""The read ops a preflight uses, and every fault the preflight can check showing in them."""

from __future__ import annotations

import typing as t

import pytest
from conftest import NodeOps, lab_of

from iis_lab.faults import FAULT_KINDS, SOURCE

SALT = {"salt": "s"}


def op(name: str, **args: t.Any) -> dict[str, t.Any]:
    return {"op": name, "args": args}


def test_a_default_node_reports_what_iissync_needs(node_ops: NodeOps) -> None:
    protocols, shares, cluster, probe, catalog = node_ops.values(
        op("dcom_protocols"),
        op("file_shares"),
        op("cluster_addresses"),
        op("rpc_probe", computer="node2.webfarm.test"),
        op("complus_catalog", account="WEBFARM\\Administrator"),
    )

    assert protocols == ["ncacn_ip_tcp"]
    assert shares == {
        "system_drive": "C:",
        "shares": [
            {"name": "C$", "path": "C:\\"},
            {"name": "ADMIN$", "path": "C:\\WINNT"},
            {"name": "IPC$", "path": ""},
        ],
    }
    assert cluster == [{"address": "10.20.0.100", "prefix_length": 24}]
    assert probe == {"computer": "node2.webfarm.test", "addresses": ["10.20.0.13"]}
    # COM+ has no ReplicationShare on LocalComputer: Windows cannot report it.
    assert catalog["replication_share"] is None
    assert catalog["administrator"] is True
    assert [(app["name"], app["system"]) for app in catalog["applications"]] == [
        ("System Application", True),
        ("IIS Out-Of-Process Pooled Applications", True),
        ("IIS-{Default Web Site//Root/Shop}", False),  # the default topology's isolated application
    ]


def test_a_domain_controller_is_not_a_cluster_node(node_ops: NodeOps) -> None:
    assert node_ops.value(op("cluster_addresses"), host="DC1") == []


def test_an_account_outside_the_role_is_not_an_administrator(node_ops: NodeOps) -> None:
    assert node_ops.value(op("complus_catalog", account="WEBFARM\\IUSR_web"))["administrator"] is False


def test_a_name_nobody_answers_to_does_not_resolve(node_ops: NodeOps) -> None:
    [entry] = node_ops(op("rpc_probe", computer="NODE9"))["results"]

    assert entry["error"] == {"code": 11001, "message": "No such host is known."}


def fails_with(code: int) -> t.Callable[[dict[str, t.Any]], bool]:
    return lambda result: result["results"][0].get("error", {}).get("code") == code


# What each fault the preflight can check looks like through the ops, on the host it names.
VISIBLE: dict[str, tuple[str, dict[str, t.Any], t.Callable[[dict[str, t.Any]], bool]]] = {
    "metabase_in_use": ("NODE2", op("metabase_digest_tree", **SALT), fails_with(0x80070094)),
    "metabase_access_denied": ("NODE2", op("metabase_digest_tree", **SALT), fails_with(0x80070005)),
    "dcom_protocols_differ": (
        "NODE2",
        op("dcom_protocols"),
        lambda r: r["results"][0]["value"] == ["ncacn_spx", "ncacn_ip_tcp"],
    ),
    "rpc_unreachable": ("NODE1", op("rpc_probe", computer="NODE2"), fails_with(10060)),
    "complus_damaged": ("NODE2", op("complus_catalog"), fails_with(0x80040154)),
    "address_outside_subnet": (
        "NODE2",
        op("host_facts"),
        lambda r: {"address": "10.99.0.13", "prefix_length": 24} in r["results"][0]["value"]["ip_addresses"],
    ),
    "component_clsid_missing": (
        "NODE1",
        op("complus_catalog"),
        lambda r: any(
            component["registered"] is False
            for application in r["results"][0]["value"]["applications"]
            for component in application["components"]
        ),
    ),
    "complus_role_restricted": (
        "NODE2",
        op("complus_catalog", account="WEBFARM\\Administrator"),
        lambda r: r["results"][0]["value"]["administrator"] is False,
    ),
}


def test_every_checkable_fault_kind_has_its_view_here() -> None:
    assert sorted(VISIBLE) == sorted(name for name, kind in FAULT_KINDS.items() if kind.checkable)


@pytest.mark.parametrize("kind", sorted(VISIBLE))
def test_a_checkable_fault_shows_in_the_ops(kind: str) -> None:
    faulty_host = "NODE1" if FAULT_KINDS[kind].host == SOURCE else "NODE2"
    run_on, instruction, shows = VISIBLE[kind]
    healthy = NodeOps(lab_of())(instruction, host=run_on, secrets={"s": "salt"})
    faulty = NodeOps(lab_of(faults=[{"kind": kind, "host": faulty_host}]))(
        instruction, host=run_on, secrets={"s": "salt"}
    )

    assert not shows(healthy)
    assert shows(faulty)
