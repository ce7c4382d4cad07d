"""``metabase_digest_tree``: equal metabases give equal digests, every difference (a secure value
included) is found top-down and named by key and property, a digest means nothing without the
run's salt, and comparing a large metabase moves a small part of what a full dump would."""

from __future__ import annotations

import hashlib
import hmac
import json
import typing as t

import pytest
from conftest import NodeOps

from iis_lab.lab import Lab
from iis_lab.windows.metabase import Metabase

EXCLUDE = ["ServerState", "Win32Error", "AdminACL"]


def tree(node_ops: NodeOps, host: str, salt: str = "run-salt", **args: t.Any) -> dict[str, t.Any]:
    instruction = {"op": "metabase_digest_tree", "args": {"salt": "salt", "exclude": EXCLUDE, **args}}
    return t.cast(dict[str, t.Any], node_ops.value(instruction, host=host, secrets={"salt": salt}))


def hmac_hex(text: str, salt: bytes = b"run-salt") -> str:
    return hmac.new(salt, text.encode(), hashlib.sha256).hexdigest()


def same_metabase(lab: Lab) -> None:
    """NODE2's metabase made a copy of NODE1's, as a sync leaves it."""
    lab.host_named("NODE2").metabase.replicate_from(lab.host_named("NODE1").metabase)


def test_the_digests_are_the_documented_hmacs_cut_to_64_bits(node_ops: NodeOps) -> None:
    keys = tree(node_ops, "NODE1", subtrees=["/LM/W3SVC/1/ROOT/IISHelp"], keys=["/LM/W3SVC/1"])["keys"]

    site = keys["/LM/W3SVC/1"]
    bindings = hmac_hex("ServerBindings\nLIST\n:80:")
    assert site["properties"]["ServerBindings"] == bindings[:16]
    help_key = keys["/LM/W3SVC/1/ROOT/IISHelp"]
    full = {
        "AccessFlags": hmac_hex("AccessFlags\nINTEGER\n513"),
        "KeyType": hmac_hex("KeyType\nSTRING\nIIsWebVirtualDir"),
        "Path": hmac_hex("Path\nSTRING\nC:\\WINNT\\Help\\iisHelp"),
    }
    assert help_key["properties"] == {name: digest[:16] for name, digest in full.items()}
    key = hmac_hex("\n".join(f"{name}:{full[name]}" for name in sorted(full, key=str.lower)))
    assert help_key["digest"] == key[:16]
    assert list(keys) == ["/LM/W3SVC/1", "/LM/W3SVC/1/ROOT/IISHelp"]


def test_a_subtree_digest_chains_its_key_and_its_children_by_lower_case_name(lab: Lab, node_ops: NodeOps) -> None:
    metabase = lab.host_named("NODE1").metabase
    metabase.create_key("W3SVC/1/ROOT/IISHelp/Sub", "IIsWebDirectory")
    _open_every_key(metabase)

    summary = tree(node_ops, "NODE1")["subtrees"]

    sub = hmac_hex(hmac_hex("KeyType:" + hmac_hex("KeyType\nSTRING\nIIsWebDirectory")))
    help_key = hmac_hex(
        "\n".join(
            f"{name}:{hmac_hex(text)}"
            for name, text in (
                ("AccessFlags", "AccessFlags\nINTEGER\n513"),
                ("KeyType", "KeyType\nSTRING\nIIsWebVirtualDir"),
                ("Path", "Path\nSTRING\nC:\\WINNT\\Help\\iisHelp"),
            )
        )
    )
    assert summary["/LM/W3SVC/1/ROOT/IISHelp"] == [hmac_hex(f"{help_key}\nsub:{sub}")[:16]]
    # Opened, largest first, parents before children; /LM/W3SVC/1/ROOT's children all listed.
    assert list(summary)[:4] == ["/LM", "/LM/W3SVC", "/LM/W3SVC/1", "/LM/W3SVC/1/ROOT"]
    assert all(len(summary[path]) == 2 for path in list(summary)[:4])
    assert "/LM/W3SVC/1/ROOT/IISHelp/Sub" not in summary


def test_against_a_summary_without_the_root_the_whole_tree_differs(node_ops: NodeOps) -> None:
    compared = tree(node_ops, "NODE1", against={"/LM/W3SVC": ["0" * 16]})

    assert compared["differing_keys"] == []
    assert compared["differing_subtrees"] == ["/LM"]
    assert "/LM/MSFTPSVC/1/ROOT" in compared["keys"]


def test_an_opened_key_differs_by_its_own_digest_and_its_children_are_compared(node_ops: NodeOps) -> None:
    compared = tree(node_ops, "NODE1", against={"/LM": ["0" * 16, "0" * 16], "/LM/W3SVC": ["0" * 16]})

    assert compared["differing_keys"] == ["/LM"]
    # /LM/W3SVC differs; /LM/MSFTPSVC is only on this node.
    assert compared["differing_subtrees"] == ["/LM/W3SVC", "/LM/MSFTPSVC"]
    assert list(compared["keys"])[:2] == ["/LM", "/LM/W3SVC"]


def test_equal_metabases_differ_nowhere_and_send_only_the_root(lab: Lab, node_ops: NodeOps) -> None:
    same_metabase(lab)
    summary = tree(node_ops, "NODE1")

    compared = tree(node_ops, "NODE2", against=summary["subtrees"])

    assert compared == {"root": summary["root"], "differing_keys": [], "differing_subtrees": [], "keys": {}}


def test_every_difference_is_found_by_key_and_property_secure_ones_included(lab: Lab, node_ops: NodeOps) -> None:
    summary = tree(node_ops, "NODE1")

    compared = tree(node_ops, "NODE2", against=summary["subtrees"])
    source = tree(node_ops, "NODE1", keys=compared["differing_keys"], subtrees=compared["differing_subtrees"])

    assert compared["root"] != summary["root"]
    mine, theirs = compared["keys"], source["keys"]
    assert list(mine) == list(theirs)
    differing = {
        (path, name) for path in mine for name in mine[path]["properties"] if mine[path]["properties"][name] != theirs[path]["properties"][name]
    }
    assert differing == {
        ("/LM/W3SVC", "AnonymousUserName"),
        ("/LM/W3SVC", "AnonymousUserPass"),
        ("/LM/W3SVC", "WAMUserName"),
        ("/LM/W3SVC", "WAMUserPass"),
        ("/LM/MSFTPSVC", "AnonymousUserName"),
        ("/LM/MSFTPSVC", "AnonymousUserPass"),
    }


def test_a_key_only_one_node_has_is_a_differing_subtree_case_aside(lab: Lab, node_ops: NodeOps) -> None:
    same_metabase(lab)
    node1, node2 = lab.host_named("NODE1").metabase, lab.host_named("NODE2").metabase
    node1.create_key("W3SVC/1/ROOT/Extra", "IIsWebVirtualDir")
    node2.create_key("W3SVC/1/ROOT/Other", "IIsWebVirtualDir")
    _open_every_key(node1, node2)
    summary = tree(node_ops, "NODE1")
    assert summary["subtrees"]["/LM/W3SVC/1/ROOT"][1:]  # opened: its children are listed

    compared = tree(node_ops, "NODE2", against={path.upper(): digests for path, digests in summary["subtrees"].items()})

    assert compared["differing_keys"] == []
    assert sorted(compared["differing_subtrees"]) == ["/LM/W3SVC/1/ROOT/EXTRA", "/LM/W3SVC/1/ROOT/Other"]
    assert list(compared["keys"]) == ["/LM/W3SVC/1/ROOT/Other"]


def test_values_are_listed_but_never_a_secure_one(lab: Lab, node_ops: NodeOps) -> None:
    listing = tree(node_ops, "NODE1", keys=["/LM/W3SVC/1", "/lm/w3svc"], values=True)["keys"]
    password = lab.host_named("NODE1").metabase.read("W3SVC", "WAMUserPass").value

    assert listing["/LM/W3SVC/1"]["values"]["ServerBindings"] == [":80:"]
    assert "WAMUserPass" in listing["/LM/W3SVC"]["properties"]
    assert "WAMUserPass" not in listing["/LM/W3SVC"]["values"]
    assert listing["/LM/W3SVC"]["values"]["WAMUserName"]
    assert str(password) not in json.dumps(listing)


def test_no_digest_outlives_its_salt(node_ops: NodeOps) -> None:
    first = tree(node_ops, "NODE1", salt="one", keys=["/LM/W3SVC"])["keys"]["/LM/W3SVC"]
    second = tree(node_ops, "NODE1", salt="two", keys=["/LM/W3SVC"])["keys"]["/LM/W3SVC"]

    assert first["properties"]["WAMUserPass"] != second["properties"]["WAMUserPass"]


def test_excluded_properties_are_left_out(node_ops: NodeOps) -> None:
    instruction = {
        "op": "metabase_digest_tree",
        "args": {"salt": "salt", "exclude": ["serverstate", "ServerComment"], "keys": ["/LM/W3SVC/1"]},
    }
    keys = node_ops.value(instruction, secrets={"salt": "s"})["keys"]

    assert sorted(keys["/LM/W3SVC/1"]["properties"]) == ["KeyType", "ServerAutoStart", "ServerBindings"]


def _open_every_key(*metabases: Metabase) -> None:
    """Enough properties below /LM/W3SVC/1/ROOT that the summary opens it (and the keys above)."""
    for metabase in metabases:
        for index in range(30):
            key = metabase.create_key(f"W3SVC/1/ROOT/Filler{index}", "IIsWebVirtualDir")
            key.values.update(_vdir_values(index, 0))


# ---- Bytes on the wire for a 50,000-property metabase ---------------------------------------

_PROPERTIES_PER_KEY = 10
_APPLICATIONS, _DIRECTORIES = 50, 100


def _vdir_values(application: int, directory: int) -> dict[str, t.Any]:
    """A web directory's ten properties, as an application's directories hold them."""
    return {
        "KeyType": "IIsWebVirtualDir",
        "Path": f"D:\\Sites\\app{application:02d}\\dir{directory:03d}",
        "AccessFlags": 513,
        "DefaultDoc": "Default.htm,Default.asp,index.htm",
        "DirBrowseFlags": 1073741854,
        "AuthFlags": 5,
        "LogonMethod": 1,
        "DefaultLogonDomain": "WEBFARM",
        "AppFriendlyName": f"Application {application} directory {directory}",
        "UNCUserName": "",
    }


def _large_metabase(lab: Lab) -> int:
    """50 applications of 100 directories of 10 properties on NODE1, NODE2 a copy of it: the
    number of properties they then hold, both alike."""
    metabase = lab.host_named("NODE1").metabase
    for application in range(_APPLICATIONS):
        metabase.create_key(f"W3SVC/1/ROOT/app{application:02d}", "IIsWebVirtualDir")
        for directory in range(_DIRECTORIES):
            key = metabase.create_key(f"W3SVC/1/ROOT/app{application:02d}/dir{directory:03d}", "IIsWebVirtualDir")
            key.values.update(_vdir_values(application, directory))
    same_metabase(lab)
    return sum(len(key.values) for key in metabase.keys())


class _Wire:
    """node_ops executions and the JSON bytes they move: the module's arguments and its result."""

    def __init__(self, node_ops: NodeOps) -> None:
        self.node_ops = node_ops
        self.bytes = 0
        self.executions: list[str] = []

    def values(self, host: str, *instructions: dict[str, t.Any], secrets: dict[str, str] | None = None) -> list[t.Any]:
        result = self.node_ops(*instructions, host=host, secrets=secrets or {})
        self.bytes += len(json.dumps({"instructions": list(instructions), "secrets": secrets or {}}))
        self.bytes += len(json.dumps(result))
        self.executions.append(host)
        assert [entry["status"] for entry in result["results"]] == ["ok"] * len(instructions)
        return [entry["value"] for entry in result["results"]]


def _full_dump(node_ops: NodeOps) -> int:
    """The bytes of reading every key with every property value from both nodes."""
    wire = _Wire(node_ops)
    for host in ("NODE1", "NODE2"):
        paths = [key.adsi_path for key in node_ops.lab.host_named(host).metabase.keys()]
        wire.values(host, *({"op": "metabase_get", "args": {"path": path, "children": False}} for path in paths))
    return wire.bytes


def _verify(node_ops: NodeOps) -> tuple[_Wire, set[tuple[str, str]]]:
    """The verification's digest exchange, as sync_node_info and metabase_verify run it: the
    source's summary, the target compared with it, and the source's listing of what differs;
    the wire it used and the (key, property) pairs that differ."""
    wire = _Wire(node_ops)
    secrets = {"salt": "a-salt-of-this-run"}
    digest = {"salt": "salt", "exclude": EXCLUDE}
    (summary,) = wire.values("NODE1", {"op": "metabase_digest_tree", "args": digest}, secrets=secrets)
    (compared,) = wire.values(
        "NODE2", {"op": "metabase_digest_tree", "args": {**digest, "against": summary["subtrees"]}}, secrets=secrets
    )
    if not compared["differing_keys"] and not compared["differing_subtrees"]:
        return wire, set()
    scope = {"keys": compared["differing_keys"], "subtrees": compared["differing_subtrees"], "values": True}
    (listing,) = wire.values("NODE1", {"op": "metabase_digest_tree", "args": {**digest, **scope}}, secrets=secrets)
    source, target = listing["keys"], compared["keys"]
    differing = {
        (path, name)
        for path in source.keys() | target.keys()
        for name in source.get(path, {}).get("properties", {}).keys() | target.get(path, {}).get("properties", {}).keys()
        if source.get(path, {}).get("properties", {}).get(name) != target.get(path, {}).get("properties", {}).get(name)
    }
    return wire, differing


@pytest.fixture(scope="module")
def full_dump() -> int:
    """The bytes of a full dump of both nodes of the large metabase (the same for every test)."""
    lab = Lab.from_topology(None)
    _large_metabase(lab)
    return _full_dump(NodeOps(lab))


@pytest.fixture
def large(lab: Lab, full_dump: int) -> int:
    """The large metabase on both nodes of ``lab``, alike; the bytes of a full dump of it."""
    properties = _large_metabase(lab)
    assert properties >= 50_000
    return full_dump


def test_a_large_metabase_in_sync_verifies_in_one_execution_per_node_under_1_percent(
    node_ops: NodeOps, large: int
) -> None:
    wire, differing = _verify(node_ops)

    assert differing == set()
    assert wire.executions == ["NODE1", "NODE2"]
    assert wire.bytes <= large / 100, f"{wire.bytes} bytes of a full dump's {large}"


def test_one_drifted_property_of_a_large_metabase_is_found_under_5_percent(
    lab: Lab, node_ops: NodeOps, large: int
) -> None:
    lab.host_named("NODE2").metabase.write("W3SVC/1/ROOT/app17/dir042", "DefaultDoc", "index.html")

    wire, differing = _verify(node_ops)

    assert differing == {("/LM/W3SVC/1/ROOT/app17/dir042", "DefaultDoc")}
    assert wire.executions == ["NODE1", "NODE2", "NODE1"]
    assert wire.bytes <= large * 5 / 100, f"{wire.bytes} bytes of a full dump's {large}"


def test_a_drifted_property_and_an_extra_key_deep_in_a_large_metabase_are_found(lab: Lab, node_ops: NodeOps, large: int) -> None:
    lab.host_named("NODE2").metabase.write("W3SVC/1/ROOT/app03/dir007", "UNCUserName", "WEBFARM\\other")
    lab.host_named("NODE2").metabase.create_key("W3SVC/1/ROOT/app44/new", "IIsWebDirectory")

    wire, differing = _verify(node_ops)

    assert differing == {("/LM/W3SVC/1/ROOT/app03/dir007", "UNCUserName"), ("/LM/W3SVC/1/ROOT/app44/new", "KeyType")}
    assert wire.bytes <= large * 5 / 100


# ---- A wide key: more children than a summary can list --------------------------------------

_WIDE_CHILDREN = 2_000


def _wide_metabase(lab: Lab) -> None:
    """W3SVC/1/ROOT with 2,000 virtual directories of 10 properties on NODE1, NODE2 a copy."""
    metabase = lab.host_named("NODE1").metabase
    for index in range(_WIDE_CHILDREN):
        key = metabase.create_key(f"W3SVC/1/ROOT/site{index:04d}", "IIsWebVirtualDir")
        key.values.update(_vdir_values(index, 0))
    same_metabase(lab)


def _bucket(name: str) -> str:
    return hashlib.sha256(name.lower().encode()).hexdigest()[:2]


def test_a_wide_key_is_opened_by_buckets_of_its_children(lab: Lab, node_ops: NodeOps) -> None:
    _wide_metabase(lab)

    summary = tree(node_ops, "NODE1")["subtrees"]

    assert len(summary) <= 512
    children = [path for path in summary if path.startswith("/LM/W3SVC/1/ROOT/") and "//" not in path]
    assert children == []  # no child is listed by its own path: 2,000 would not fit
    buckets = sorted(path for path in summary if path.startswith("/LM/W3SVC/1/ROOT//"))
    # 2,000 names fill every one of the 256 buckets; each is listed with its subtree digest.
    assert buckets == [f"/LM/W3SVC/1/ROOT//{index:02x}" for index in range(256)]
    assert all(len(summary[path]) == 1 for path in buckets)
    assert len(summary["/LM/W3SVC/1/ROOT"]) == 2  # opened
    members = [f"site{index:04d}" for index in range(_WIDE_CHILDREN) if _bucket(f"site{index:04d}") == "3f"]
    empty = hmac_hex("")
    lines = sorted(f"{name}:{_subtree(node_ops, f'/LM/W3SVC/1/ROOT/{name}')}" for name in members)
    assert summary["/LM/W3SVC/1/ROOT//3f"] == [hmac_hex("\n".join([empty, *lines]))[:16]]


def _subtree(node_ops: NodeOps, path: str) -> str:
    """The full subtree digest of a key without children: its key digest chained with none."""
    keys = tree(node_ops, "NODE1", keys=[path])["keys"]
    # The listing shows 64 bits; recompute the full key digest from the property values.
    values = tree(node_ops, "NODE1", keys=[path], values=True)["keys"][path]["values"]
    assert set(values) == set(keys[path]["properties"])
    full = {name: hmac_hex(_property_text(name, value)) for name, value in values.items()}
    return hmac_hex(hmac_hex("\n".join(f"{name}:{full[name]}" for name in sorted(full, key=str.lower))))


def _property_text(name: str, value: t.Any) -> str:
    kind = {bool: "BOOLEAN", int: "INTEGER", list: "LIST"}.get(type(value), "STRING")
    text = "\0".join(value) if isinstance(value, list) else str(value)
    return f"{name}\n{kind}\n{text}"


def test_a_drift_below_a_wide_key_lists_one_bucket_not_every_child(lab: Lab, node_ops: NodeOps) -> None:
    _wide_metabase(lab)
    lab.host_named("NODE2").metabase.write("W3SVC/1/ROOT/site1234", "DefaultDoc", "index.html")
    summary = tree(node_ops, "NODE1")["subtrees"]

    compared = tree(node_ops, "NODE2", against=summary)

    assert compared["differing_keys"] == []
    assert compared["differing_subtrees"] == [f"/LM/W3SVC/1/ROOT//{_bucket('site1234')}"]
    members = {f"/LM/W3SVC/1/ROOT/site{index:04d}" for index in range(_WIDE_CHILDREN) if _bucket(f"site{index:04d}") == _bucket("site1234")}
    assert set(compared["keys"]) == members
    assert len(members) < 20
    _, differing = _verify(node_ops)
    assert differing == {("/LM/W3SVC/1/ROOT/site1234", "DefaultDoc")}


def test_keys_only_one_node_has_below_a_wide_key_are_found(lab: Lab, node_ops: NodeOps) -> None:
    _wide_metabase(lab)
    node2 = lab.host_named("NODE2").metabase
    node2.create_key("W3SVC/1/ROOT/extra", "IIsWebVirtualDir")
    del node2.key("W3SVC/1/ROOT").children["site0007"]

    _, differing = _verify(node_ops)

    assert differing == {
        ("/LM/W3SVC/1/ROOT/extra", "KeyType"),
        *(("/LM/W3SVC/1/ROOT/site0007", name) for name in ["KeyType", *_vdir_values(7, 0)]),
    }


def test_a_wide_key_on_the_source_is_compared_by_buckets_on_a_target_with_fewer_children(
    lab: Lab, node_ops: NodeOps
) -> None:
    source = lab.host_named("NODE1").metabase
    for index in range(520):
        key = source.create_key(f"W3SVC/1/ROOT/site{index:04d}", "IIsWebVirtualDir")
        key.values.update(_vdir_values(index, 0))
    same_metabase(lab)
    target = lab.host_named("NODE2").metabase.key("W3SVC/1/ROOT")
    for index in range(10):
        del target.children[f"site{index:04d}"]  # 510 children: not wide there

    compared = tree(node_ops, "NODE2", against=tree(node_ops, "NODE1")["subtrees"])

    missing = {f"/LM/W3SVC/1/ROOT//{_bucket(f'site{index:04d}')}" for index in range(10)}
    assert set(compared["differing_subtrees"]) == missing
    _, differing = _verify(node_ops)
    assert {path for path, _ in differing} == {f"/LM/W3SVC/1/ROOT/site{index:04d}" for index in range(10)}
