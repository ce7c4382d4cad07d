"""``metabase_digest``: equal metabases give equal digests, every difference (a secure value
included) shows in its key and property, and a digest means nothing without the run's salt."""

from __future__ import annotations

import hashlib
import hmac
import typing as t

from conftest import NodeOps

from iis_lab.lab import Lab


def digest(node_ops: NodeOps, host: str, salt: str = "run-salt", **args: t.Any) -> dict[str, t.Any]:
    instruction = {"op": "metabase_digest", "args": {"salt": "salt", **args}}
    return t.cast(dict[str, t.Any], node_ops.value(instruction, host=host, secrets={"salt": salt})["keys"])


def test_a_property_digest_is_the_documented_hmac(node_ops: NodeOps) -> None:
    keys = digest(node_ops, "NODE1")

    text = "ServerBindings\nLIST\n:80:".encode()
    expected = hmac.new(b"run-salt", text, hashlib.sha256).hexdigest()
    assert keys["/LM/W3SVC/1"]["properties"]["ServerBindings"] == expected
    lines = sorted((name.lower(), f"{name}:{value}") for name, value in keys["/LM/W3SVC/1"]["properties"].items())
    key_text = "\n".join(line for _, line in lines).encode()
    assert keys["/LM/W3SVC/1"]["digest"] == hmac.new(b"run-salt", key_text, hashlib.sha256).hexdigest()


def test_every_key_is_digested_with_the_properties_set_at_it(node_ops: NodeOps) -> None:
    keys = digest(node_ops, "NODE1")

    assert list(keys) == [
        "/LM",
        "/LM/W3SVC",
        "/LM/W3SVC/1",
        "/LM/W3SVC/1/ROOT",
        "/LM/W3SVC/1/ROOT/IISHelp",
        "/LM/W3SVC/1/ROOT/Shop",
        "/LM/W3SVC/1/ROOT/Catalog",
        "/LM/MSFTPSVC",
        "/LM/MSFTPSVC/1",
        "/LM/MSFTPSVC/1/ROOT",
    ]
    assert sorted(keys["/LM/W3SVC/1/ROOT/IISHelp"]["properties"]) == ["AccessFlags", "KeyType", "Path"]


def test_nodes_differ_exactly_where_their_values_differ_secure_ones_included(lab: Lab, node_ops: NodeOps) -> None:
    node1, node2 = digest(node_ops, "NODE1"), digest(node_ops, "NODE2")

    differing = {
        (path, name)
        for path in node1
        for name in node1[path]["properties"]
        if node1[path]["properties"][name] != node2[path]["properties"][name]
    }
    assert differing == {
        ("/LM/W3SVC", "AnonymousUserName"),
        ("/LM/W3SVC", "AnonymousUserPass"),
        ("/LM/W3SVC", "WAMUserName"),
        ("/LM/W3SVC", "WAMUserPass"),
        ("/LM/MSFTPSVC", "AnonymousUserName"),
        ("/LM/MSFTPSVC", "AnonymousUserPass"),
    }
    assert node1["/LM/W3SVC/1"] == node2["/LM/W3SVC/1"]
    assert node1["/LM/W3SVC"]["digest"] != node2["/LM/W3SVC"]["digest"]


def test_no_value_and_no_digest_outlives_its_salt(lab: Lab, node_ops: NodeOps) -> None:
    first, second = digest(node_ops, "NODE1", salt="one"), digest(node_ops, "NODE1", salt="two")
    password = lab.host_named("NODE1").metabase.read("W3SVC", "WAMUserPass").value

    assert first["/LM/W3SVC"]["properties"]["WAMUserPass"] != second["/LM/W3SVC"]["properties"]["WAMUserPass"]
    assert password not in str(first)


def test_excluded_properties_are_left_out(node_ops: NodeOps) -> None:
    keys = digest(node_ops, "NODE1", exclude=["serverstate", "ServerComment"])

    assert sorted(keys["/LM/W3SVC/1"]["properties"]) == ["KeyType", "ServerAutoStart", "ServerBindings"]
