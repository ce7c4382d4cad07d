"""Topology files: the default one, and every mistake reported with where it is."""

from __future__ import annotations

import copy
import pathlib
import typing as t

import pytest

from iis_lab.topology import TopologyError, load_topology, parse_topology

VALID: dict[str, t.Any] = {
    "domain": {
        "netbios": "WEBFARM",
        "dns": "webfarm.test",
        "admin": {"user": "Administrator", "password": "Lab-Admin-1"},
    },
    "hosts": [
        {"name": "DC1", "address": "127.0.0.11", "role": "domain_controller"},
        {"name": "NODE1", "address": "127.0.0.12", "role": "member", "iis": "5.0"},
    ],
    "faults": [],
}


def problems_of(document: t.Any) -> list[str]:
    with pytest.raises(TopologyError) as caught:
        parse_topology(document, "lab.yml")
    assert str(caught.value).startswith("invalid topology lab.yml:")
    return caught.value.problems


def changed(path: str, value: t.Any) -> dict[str, t.Any]:
    """VALID with the entry at dotted ``path`` (list indexes as numbers) set to ``value``."""
    document = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target: t.Any = document
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = value
    return document


def test_default_topology_is_the_packaged_file() -> None:
    topology = load_topology(None)

    assert topology.source == "default"
    assert (topology.domain.netbios, topology.domain.dns, topology.domain.admin_user) == (
        "WEBFARM",
        "webfarm.test",
        "Administrator",
    )
    assert [(host.name, host.role, host.iis) for host in topology.hosts] == [
        ("DC1", "domain_controller", None),
        ("NODE1", "member", "5.0"),
        ("NODE2", "member", "5.0"),
    ]


def test_topology_file_is_read_and_names_are_normalised(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "lab.yml"
    path.write_text(
        "domain: {netbios: webfarm, dns: WebFarm.Test, admin: {user: Administrator, password: pw}}\n"
        "hosts:\n"
        "  - {name: dc1, address: 127.0.0.21, role: domain_controller}\n"
        "  - {name: web1, address: 127.0.0.22, role: member, iis: 5.0}\n",  # unquoted: YAML reads a number
        encoding="utf-8",
    )

    topology = load_topology(str(path))

    assert topology.source == str(path)
    assert (topology.domain.netbios, topology.domain.dns) == ("WEBFARM", "webfarm.test")
    assert [(host.name, host.iis, host.os) for host in topology.hosts] == [
        ("DC1", None, "2000"),
        ("WEB1", "5.0", "2000"),
    ]
    assert topology.faults == ()


def test_unreadable_and_unparsable_files_are_reported(tmp_path: pathlib.Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("hosts: [\n", encoding="utf-8")

    with pytest.raises(TopologyError, match="cannot read the file"):
        load_topology(str(tmp_path / "missing.yml"))
    with pytest.raises(TopologyError, match="not valid YAML"):
        load_topology(str(broken))


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ([], "topology: must be a mapping, not list"),
        ({"hosts": VALID["hosts"]}, "topology: missing key 'domain'"),
        (
            {**VALID, "host": []},
            "topology: unknown key 'host' (known: cluster, domain, faults, hosts, metabase_properties, shared_config)",
        ),
        (changed("domain.netbios", "WEB FARM"), "domain.netbios: 'WEB FARM' is not a NetBIOS name"),
        (changed("domain.netbios", "A" * 16), "is not a NetBIOS name"),
        (changed("domain.dns", "webfarm"), "domain.dns: 'webfarm' is not a DNS domain name"),
        (changed("domain.admin", {"user": "Administrator"}), "domain.admin: missing key 'password'"),
        (changed("domain.admin.password", ""), "domain.admin.password: must be a non-empty string, not str"),
        (changed("hosts", []), "hosts: must be a non-empty list, not list"),
        (
            changed("hosts.1.role", "server"),
            "hosts[1].role: must be one of 'domain_controller', 'member', not 'server'",
        ),
        (changed("hosts.1.iis", "7.0"), "hosts[1].iis: must be one of '5.0', '6.0', '7.5', '8.5', '10.0', not '7.0'"),
        (
            changed("hosts.1.os", 2003),
            "hosts[1].iis: IIS 5.0 does not run on Windows 2003 (it ships with Windows 2000)",
        ),
        (changed("hosts.1.address", "10.0.0.5"), "hosts[1].address: 10.0.0.5 is not a loopback address"),
        (changed("hosts.1.address", "127.0.0.11"), "hosts[1].address: 127.0.0.11 is already used by hosts[0]"),
        (changed("hosts.1.name", "Dc1"), "hosts[1].name: DC1 is already used by hosts[0]"),
        (changed("hosts.1.name", "WEBFARM"), "hosts[1].name: WEBFARM is the domain's NetBIOS name"),
        (changed("hosts.1.colour", "blue"), "hosts[1]: unknown key 'colour'"),
        (changed("hosts.1.prefix", 33), "hosts[1].prefix: must be a prefix length from 1 to 30, not 33"),
        (
            changed("hosts.1.ip_addresses", ["10.20.0.12"]),
            "hosts[1].ip_addresses[0]: must be an IPv4 address with its prefix length",
        ),
        (changed("hosts.0.role", "member"), "hosts: no host has role 'domain_controller': the domain needs one"),
        (
            changed("faults", [{"kind": "iissync_status", "host": "NODE1"}]),
            "faults[0].kind: unknown fault kind 'iissync_status' (known kinds: address_outside_subnet, ",
        ),
        (
            changed("faults", [{"kind": "rpc_unreachable", "host": "DC1"}]),
            "faults[0].host: 'DC1' is not a cluster node of this topology (NODE1)",
        ),
        (changed("faults", [{"kind": "rpc_unreachable"}]), "faults[0]: missing key 'host'"),
        (changed("cluster", {"addresses": ["10.20.0.100"]}), "cluster.addresses[0]: must be an IPv4 address with"),
        (changed("hosts.1.complus_applications", "Orders"), "hosts[1].complus_applications: must be a list of"),
        (changed("faults", {}), "faults: must be a list, not dict"),
    ],
)
def test_mistakes_are_reported_with_their_place(document: t.Any, problem: str) -> None:
    assert any(problem in reported for reported in problems_of(document)), problems_of(document)


def test_prefix_and_explicit_addresses_are_exclusive() -> None:
    document = changed("hosts.1.ip_addresses", ["10.20.0.12/24"])
    document["hosts"][1]["prefix"] = 24

    assert problems_of(document) == [
        "hosts[1].prefix: applies only to the derived address: give it in ip_addresses instead"
    ]


def test_every_problem_is_reported_at_once() -> None:
    document = changed("hosts.1.iis", "4.0")
    document["hosts"][0]["address"] = "localhost"

    assert len(problems_of(document)) == 2


def test_errors_never_show_the_admin_password() -> None:
    document = changed("domain.admin", {"user": "Administrator", "password": "Sekrit-9", "pasword": "Sekrit-9"})

    assert "Sekrit-9" not in "\n".join(problems_of(document))
