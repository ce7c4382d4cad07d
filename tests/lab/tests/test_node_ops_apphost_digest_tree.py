"""``apphost_digest_tree``: nodes with the same logical configuration digest equal (whatever
their ciphertexts and default-valued attributes), every difference is found by section and
element, an encrypted value only by its salted digest, per-node settings are left out, and a
wide section is compared by buckets; the digests are the ones docs/instruction-set.md defines."""

from __future__ import annotations

import hashlib
import hmac
import json
import typing as t

from conftest import IIS10_TOPOLOGY, NodeOps

from iis_lab.lab import Lab
from iis_lab.node_ops.apphost_digest_tree import bucket_of

LAB_TOPOLOGY = IIS10_TOPOLOGY
POOLS = "system.applicationHost/applicationPools"
SITES = "system.applicationHost/sites"
ANONYMOUS = "system.webServer/security/authentication/anonymousAuthentication"
NODE_SETTINGS = ["system.applicationHost/sites/site/logFile@directory"]
SALT = "run-salt-0123456789"




def tree(node_ops: NodeOps, host: str, **args: t.Any) -> dict[str, t.Any]:
    instruction = {"op": "apphost_digest_tree", "args": {"salt": "salt", "exclude": NODE_SETTINGS, **args}}
    return t.cast(dict[str, t.Any], node_ops.value(instruction, host=host, secrets={"salt": SALT}))


def hmac_hex(text: str) -> str:
    return hmac.new(SALT.encode(), text.encode(), hashlib.sha256).hexdigest()


def test_equal_nodes_digest_equal_and_nothing_differs(node_ops: NodeOps) -> None:
    source = tree(node_ops, "NODE3")
    assert tree(node_ops, "NODE1") == source
    assert tree(node_ops, "NODE1", against=source) == {"root": source["root"], "differing_sections": [], "details": {}}
    # Sections per location path, unmodeled sections included; an empty one is not listed.
    assert "Shop/checkout|system.webServer/httpErrors" in source["sections"]
    assert "|system.webServer/globalModules" in source["sections"]
    assert "|system.webServer/urlCompression" not in source["sections"]


def test_the_digests_are_the_documented_hmacs(node_ops: NodeOps) -> None:
    details = tree(node_ops, "NODE1", sections=["Shop/checkout|system.webServer/httpErrors"])["details"]
    attribute = hmac_hex("errorMode\nDetailedLocalOnly")
    element = hmac_hex(f"errorMode:{attribute}")
    assert details == {
        "Shop/checkout|system.webServer/httpErrors": {"": {"digest": element[:16], "attributes": {"errorMode": attribute[:16]}}}
    }
    section = hmac_hex(f":{element}")
    summary = tree(node_ops, "NODE1")
    assert summary["sections"]["Shop/checkout|system.webServer/httpErrors"] == section[:16]
    # The whole chain, recomputed from the values alone (no attribute is encrypted here) as the
    # instruction set defines it, gives every section's digest and the root.
    listed = tree(node_ops, "NODE1", sections=list(summary["sections"]), values=True)["details"]
    sections = {}
    for ident, elements in listed.items():
        lines = []
        for path, entry in elements.items():
            full = {name: hmac_hex(f"{name}\n{value}") for name, value in entry["values"].items()}
            assert entry["attributes"] == {name: digest[:16] for name, digest in full.items()}
            element_hmac = hmac_hex("\n".join(f"{name}:{full[name]}" for name in sorted(full, key=str.lower)))
            lines.append(f"{path.lower()}:{element_hmac}")
        sections[ident] = hmac_hex("\n".join(sorted(lines)))
    assert {ident: digest[:16] for ident, digest in sections.items()} == summary["sections"]
    root = hmac_hex("\n".join(sorted(f"{ident.lower()}:{digest}" for ident, digest in sections.items())))
    assert summary["root"] == root[:16]


def test_a_value_equal_to_its_schema_default_counts_as_unset(lab: Lab, node_ops: NodeOps) -> None:
    before = tree(node_ops, "NODE1")
    # Shop's serverAutoStart="true" is the schema's default: removing it changes nothing logical.
    lab.edit_web_config("NODE1", SITES, "serverAutoStart", clear=True, element="site[@name='Shop']")
    lab.edit_web_config("NODE1", POOLS, "queueLength", "1000", element="add[@name='Shop']")
    lab.edit_web_config("NODE1", POOLS, "autoStart", "True", element="add[@name='DefaultAppPool']")
    assert "serverAutoStart" not in lab.host_named("NODE1").iis.config.text.split("<site name=\"Shop\"")[1].split(">")[0]
    assert tree(node_ops, "NODE1") == before
    lab.edit_web_config("NODE1", POOLS, "queueLength", "2000", element="add[@name='Shop']")
    assert tree(node_ops, "NODE1")["root"] != before["root"]


def test_a_setting_changed_on_one_node_is_named_by_section_location_element_attribute(
    lab: Lab, node_ops: NodeOps
) -> None:
    source = tree(node_ops, "NODE3")
    lab.edit_web_config("NODE1", POOLS, "idleTimeout", "00:05:00", element="add[@name='Shop']/processModel")
    lab.edit_web_config("NODE1", ANONYMOUS, "userName", "WEBFARM\\Anon", location="Shop")
    target = tree(node_ops, "NODE1", against=source, values=True)
    assert target["differing_sections"] == [f"|{POOLS}", f"Shop|{ANONYMOUS}"]
    pool = target["details"][f"|{POOLS}"]["add[@name='Shop']/processModel"]
    assert pool["values"] == {"idleTimeout": "00:05:00"}
    assert target["details"][f"Shop|{ANONYMOUS}"][""]["values"] == {"userName": "WEBFARM\\Anon"}
    listed = tree(node_ops, "NODE3", sections=target["differing_sections"], values=True)["details"]
    assert listed[f"|{POOLS}"]["add[@name='Shop']/processModel"]["values"] == {"idleTimeout": "00:00:00"}
    assert listed[f"Shop|{ANONYMOUS}"] == {}  # the source has no such section there


def test_an_encrypted_value_is_compared_by_its_salted_digest_only(lab: Lab, node_ops: NodeOps) -> None:
    element = "add[@name='Shop']/processModel"
    for host in ("NODE1", "NODE3"):
        lab.edit_web_config(host, POOLS, "identityType", "SpecificUser", element=element)
        lab.edit_web_config(host, POOLS, "userName", "WEBFARM\\ShopPool", element=element)
        lab.edit_web_config(host, POOLS, "password", "Pool-Secret-1", element=element)
    # Each machine wrote its own ciphertext of the same password: logically equal.
    assert tree(node_ops, "NODE1") == tree(node_ops, "NODE3")
    lab.edit_web_config("NODE1", POOLS, "password", "Changed-By-Hand-2", element=element)
    target = tree(node_ops, "NODE1", against=tree(node_ops, "NODE3"), values=True)
    entry = target["details"][f"|{POOLS}"][element]
    assert entry["values"]["password"] is None
    source = tree(node_ops, "NODE3", sections=[f"|{POOLS}"], values=True)["details"][f"|{POOLS}"][element]
    assert entry["attributes"]["password"] != source["attributes"]["password"]
    assert entry["attributes"]["userName"] == source["attributes"]["userName"]
    text = json.dumps([target, source])
    assert "Changed-By-Hand-2" not in text and "Pool-Secret-1" not in text


def test_another_machines_ciphertext_fails_as_iis_does(lab: Lab, node_ops: NodeOps) -> None:
    lab.edit_web_config("NODE3", ANONYMOUS, "password", "Anon-Secret-1")
    raw = lab.host_named("NODE3").iis.config.get(ANONYMOUS, "", None, ["password"])[0].raw
    lab.host_named("NODE1").iis.config.set_raw(ANONYMOUS, "", None, "password", raw)
    result = node_ops({"op": "apphost_digest_tree", "args": {"salt": "salt"}}, secrets={"salt": SALT})
    [entry] = result["results"]
    assert entry["error"]["code"] == 0x80090005


def test_node_settings_are_not_compared(lab: Lab, node_ops: NodeOps) -> None:
    source = tree(node_ops, "NODE3")
    lab.edit_web_config("NODE1", SITES, "directory", "E:\\Logs\\Shop", element="site[@name='Shop']/logFile")
    assert tree(node_ops, "NODE1", against=source)["differing_sections"] == []
    # Without the exclusion it differs; '*' matches one step, keys narrow a step to one item.
    for exclude in ([], ["system.applicationHost/sites/site[@name='Other']/logFile@directory"]):
        summary = tree(node_ops, "NODE3", exclude=exclude)
        assert tree(node_ops, "NODE1", exclude=exclude, against=summary)["differing_sections"] == [f"|{SITES}"]
    for exclude in (["system.applicationHost/*/site/logFile@dir*"], ["system.applicationHost/sites/site[@name='shop']/logFile@directory"]):
        summary = tree(node_ops, "NODE3", exclude=exclude)
        assert tree(node_ops, "NODE1", exclude=exclude, against=summary)["differing_sections"] == []


def test_a_bad_exclusion_is_refused(node_ops: NodeOps) -> None:
    result = node_ops(
        {"op": "apphost_digest_tree", "args": {"salt": "salt", "exclude": ["logFile"]}}, secrets={"salt": SALT}
    )
    [entry] = result["results"]
    assert entry["error"]["code"] == 0x80070057


def test_a_wide_section_is_compared_by_buckets(lab: Lab, node_ops: NodeOps) -> None:
    for host in ("NODE1", "NODE3"):
        for index in range(600):
            lab.host_named(host).iis.config.add_item(POOLS, "", None, "add", {"name": f"Pool{index:03}"})
    source = tree(node_ops, "NODE3")
    assert len(source["buckets"][f"|{POOLS}"]) == 256
    assert tree(node_ops, "NODE1", against=source)["differing_sections"] == []
    lab.host_named("NODE1").iis.config.set(POOLS, "", "add[@name='Pool123']", "queueLength", "5000")
    target = tree(node_ops, "NODE1", against=source)
    bucket = bucket_of("add[@name='Pool123']")
    assert target["differing_sections"] == [f"|{POOLS}//{bucket}"]
    assert "add[@name='Pool123']" in target["details"][f"|{POOLS}//{bucket}"]
    listed = tree(node_ops, "NODE3", sections=target["differing_sections"])["details"][f"|{POOLS}//{bucket}"]
    assert 0 < len(listed) < 20 and all(bucket_of(path) == bucket for path in listed)


def test_a_section_or_location_on_one_node_only_differs(lab: Lab, node_ops: NodeOps) -> None:
    lab.edit_web_config("NODE3", ANONYMOUS, "userName", "WEBFARM\\Anon", location="Shop/checkout")
    source = tree(node_ops, "NODE3")
    target = tree(node_ops, "NODE1", against=source)
    assert target["differing_sections"] == [f"Shop/checkout|{ANONYMOUS}"]
    assert target["details"] == {f"Shop/checkout|{ANONYMOUS}": {}}


def test_a_location_counts_what_differs_from_the_levels_above(lab: Lab, node_ops: NodeOps) -> None:
    before = tree(node_ops, "NODE1")
    # Shop's tag repeats the server level's defaultDocument enabled="true": nothing of its own.
    assert "Shop|system.webServer/defaultDocument" not in before["sections"]
    # The server level enables anonymous requests; the schema default (false) set at a location
    # disables them there, which counts.
    lab.edit_web_config("NODE1", ANONYMOUS, "enabled", "false", location="Shop/checkout")
    after = tree(node_ops, "NODE1")
    assert set(after["sections"]) - set(before["sections"]) == {f"Shop/checkout|{ANONYMOUS}"}
    lab.edit_web_config("NODE1", ANONYMOUS, "enabled", "true", location="Shop/checkout")
    assert tree(node_ops, "NODE1") == before
