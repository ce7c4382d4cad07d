"""``host_facts``: what each kind of lab host says about itself."""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from conftest import NodeOps

HOST_FACTS = {"op": "host_facts", "args": {}}


def test_member_server_with_iis5(node_ops: NodeOps) -> None:
    assert node_ops.value(HOST_FACTS, host="NODE2") == {
        "name": "NODE2",
        "dns_host_name": "node2",
        "domain": "WEBFARM",
        "dns_domain": "webfarm.test",
        "domain_role": 3,
        "os_version": "5.0.2195",
        "iis_version": "5.0",
        "ip_addresses": [{"address": "10.20.0.13", "prefix_length": 24}],
    }


def test_domain_controller_without_iis(node_ops: NodeOps) -> None:
    facts = node_ops.value(HOST_FACTS, host="DC1")

    assert (facts["name"], facts["domain_role"], facts["iis_version"]) == ("DC1", 5, None)


def test_host_facts_is_a_read_op_allowed_in_check_mode(node_ops: NodeOps) -> None:
    assert node_ops.value(HOST_FACTS, check_mode=True)["name"] == "NODE1"


def test_host_facts_takes_no_arguments(node_ops: NodeOps) -> None:
    result = node_ops({"op": "host_facts", "args": {"verbose": True}})

    assert result["msg"] == "instructions[0] (host_facts): unsupported argument verbose (accepted: none)"
