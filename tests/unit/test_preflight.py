"""The preflight's checks: every checkable IISSync condition, decided from the nodes' reports."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, Outcome
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._preflight import (
    FAILED,
    PASSED,
    UNKNOWN,
    addresses_problem,
    preflight_checks,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._sync_report import NodeError, NodeReport

APP = {
    "id": "{A}",
    "name": "Orders",
    "system": False,
    "components": [{"clsid": "{C}", "prog_id": "Orders.Order", "registered": True}],
}


def parts(name, address):
    return {
        "facts": {"name": name, "ip_addresses": [{"address": address, "prefix_length": 24}]},
        "dcom_protocols": ["ncacn_ip_tcp"],
        "shares": {
            "system_drive": "C:",
            "shares": [{"name": "C$", "path": "C:\\"}, {"name": "ADMIN$", "path": "C:\\WINNT"}],
        },
        "cluster_addresses": [{"address": "10.20.0.100", "prefix_length": 24}],
        "complus": {"replication_share": "C$", "administrator": True, "applications": [APP]},
        "metabase": {"keys": {}},
    }


def report(host, name, address, errors=None, **changes):
    node_parts = parts(name, address)
    for part, value in changes.items():
        if value is None:
            del node_parts[part]
        else:
            node_parts[part] = value
    return NodeReport(host, node_parts, errors or {}, "id", ())


SOURCE = report("web1", "WEB1", "10.20.0.11")
TARGET = report("web2", "WEB2", "10.20.0.12")
REACHED = Outcome(
    Instruction("rpc_probe", {"computer": "WEB2"}), "ok", {"computer": "WEB2", "addresses": ["10.20.0.12"]}
)


def outcomes_of(source=SOURCE, target=TARGET, probe=REACHED):
    checks = preflight_checks(source, [target], {"WEB2": probe})
    return {(check.node, check.code): check for check in checks}


def failed(source=SOURCE, target=TARGET, probe=REACHED):
    return [
        (check.node, check.code, check.found)
        for check in outcomes_of(source, target, probe).values()
        if check.outcome == FAILED
    ]


def test_a_healthy_pair_passes_every_check_and_each_code_is_checked():
    checks = preflight_checks(SOURCE, [TARGET], {"WEB2": REACHED})

    assert {check.outcome for check in checks} == {PASSED}
    assert sorted({check.code for check in checks}) == sorted(
        [3, 1722, 1060, 0x80004005, 0x80040154, 0x8011040A, 0x80110408, 0x80110411, 0x80110501]
    )


def test_an_unreachable_target_is_1722_with_windows_words():
    probe = Outcome(REACHED.instruction, "failed", error_code=11001, error_message="No such host is known.")

    [(node, code, found)] = failed(probe=probe)

    assert (node, code) == ("web2", 1722)
    assert (
        found
        == "Windows error 0x00002AF9 WSAHOST_NOT_FOUND: No such host is known. Check the computer name, and that DNS or WINS resolves it from the node."
    )


def test_different_dcom_protocols_are_1060_listing_both():
    target = report("web2", "WEB2", "10.20.0.12", dcom_protocols=["ncacn_spx", "ncacn_ip_tcp"])

    assert failed(target=target) == [("web2", 1060, "web1: ncacn_ip_tcp; web2: ncacn_spx, ncacn_ip_tcp")]


@pytest.mark.parametrize(("error", "code"), [(0x80070094, 3), (0x80070005, 5), (0x80070003, 3)])
def test_an_unreadable_metabase_is_3_or_5_when_access_is_denied(error, code):
    target = report("web2", "WEB2", "10.20.0.12", {"metabase": NodeError(error, "x")}, metabase=None)

    [(node, found_code, found)] = failed(target=target)

    assert (node, found_code) == ("web2", code)
    assert found.startswith(f"reading it failed with Windows error 0x{error:08X}")


def test_a_damaged_com_plus_catalog_is_2147746132_and_other_catalog_errors_are_unknown():
    broken = report(
        "web2", "WEB2", "10.20.0.12", {"complus": NodeError(0x80040154, "Class not registered")}, complus=None
    )
    assert [(node, code) for node, code, _ in failed(target=broken)] == [("web2", 0x80040154)]

    unreadable = report(
        "web2", "WEB2", "10.20.0.12", {"complus": NodeError(0x80070005, "Access is denied.")}, complus=None
    )
    checks = outcomes_of(target=unreadable)
    assert checks[("web2", 0x80040154)].outcome == UNKNOWN
    assert checks[("web2", 0x80110501)].outcome == UNKNOWN
    assert failed(target=unreadable) == []


def complus(**changes):
    value = copy.deepcopy(parts("WEB1", "10.20.0.11")["complus"])
    value.update(changes)
    return value


def test_mts_replication_not_configured_is_2147500037_and_a_catalog_without_the_setting_is_not_checked():
    assert failed(source=report("web1", "WEB1", "10.20.0.11", complus=complus(replication_share=""))) == [
        ("web1", 0x80004005, "no replication share is set"),
    ]
    # COM+ has no ReplicationShare (MTS 2.0 had): nothing to check, rather than unknown every run.
    checks = outcomes_of(source=report("web1", "WEB1", "10.20.0.11", complus=complus(replication_share=None)))
    assert ("web1", 0x80004005) not in checks
    assert ("web2", 0x8011040A) not in checks
    assert checks[("web1", 0x80110411)].outcome == PASSED


@pytest.mark.parametrize(
    ("share", "found"),
    [("D$", "web2 has no share D$"), ("ADMIN$", "ADMIN$ is C:\\WINNT, not the system drive C:\\")],
)
def test_a_replication_share_that_is_not_the_targets_system_drive_is_2148598794(share, found):
    source = report("web1", "WEB1", "10.20.0.11", complus=complus(replication_share=share))

    assert failed(source=source) == [("web2", 0x8011040A, found)]


def test_an_account_outside_the_role_is_2148599041_on_the_node_where_it_is():
    target = report("web2", "WEB2", "10.20.0.12", complus=complus(administrator=False))

    assert failed(target=target) == [("web2", 0x80110501, "the role holds neither the account nor a group of it")]


def test_an_unregistered_component_of_a_replicated_application_is_2148598801():
    broken = dict(APP, components=[{"clsid": "{C}", "prog_id": "Orders.Order", "registered": False}])
    system = dict(APP, system=True, components=[{"clsid": "{D}", "prog_id": "Sys.Thing", "registered": False}])
    source = report("web1", "WEB1", "10.20.0.11", complus=complus(applications=[broken, system]))

    assert failed(source=source) == [("web1", 0x80110411, "no CLSID registration for Orders.Order {C} of Orders")]


def test_an_address_outside_the_subnet_is_2148598792():
    target = report(
        "web2",
        "WEB2",
        "10.20.0.12",
        facts={
            "name": "WEB2",
            "ip_addresses": [
                {"address": "10.20.0.12", "prefix_length": 24},
                {"address": "10.99.0.12", "prefix_length": 24},
            ],
        },
    )

    [(node, code, found)] = failed(target=target)

    assert (node, code) == ("web2", 0x80110408)
    assert found == "the addresses are in different subnets: 10.20.0.0/24, 10.99.0.0/24"


@pytest.mark.parametrize(
    ("addresses", "problem"),
    [
        ([("10.20.0.11", 24), ("10.20.0.12", 24), ("10.20.0.100", 24)], None),
        ([("10.20.0.11", 24), ("10.20.0.11", 24)], "10.20.0.11 is used twice"),
        ([("10.20.0.0", 24)], "10.20.0.0/24 is not a valid host address"),
        ([("10.20.0.255", 24)], "10.20.0.255/24 is not a valid host address"),
        ([("0.0.0.0", 8)], "0.0.0.0/8 is not a valid host address"),
        ([("127.0.0.1", 8)], "127.0.0.1/8 is not a valid host address"),
        (
            [("10.20.0.11", 24), ("10.20.1.12", 24)],
            "the addresses are in different subnets: 10.20.0.0/24, 10.20.1.0/24",
        ),
        (
            [("10.20.0.11", 24), ("10.20.0.12", 16)],
            "the addresses are in different subnets: 10.20.0.0/16, 10.20.0.0/24",
        ),
        ([("10.20.0.300", 24)], "10.20.0.300/24 is not an IPv4 address"),
    ],
)
def test_addresses_must_be_valid_unique_and_in_one_subnet(addresses, problem):
    assert addresses_problem(addresses) == problem


def test_a_failed_check_explains_where_what_and_the_remedy():
    target = report("web2", "WEB2", "10.20.0.12", dcom_protocols=["ncacn_spx"])
    check = outcomes_of(target=target)[("web2", 1060)]

    assert check.explain().startswith(
        "web2: the DCOM default protocols are the source's: web1: ncacn_ip_tcp; web2: ncacn_spx. "
        "IISSync status 1060 (0x00000424, ERROR_SERVICE_DOES_NOT_EXIST): Communications problem"
    )
    assert check.as_result()["symbol"] == "ERROR_SERVICE_DOES_NOT_EXIST"
