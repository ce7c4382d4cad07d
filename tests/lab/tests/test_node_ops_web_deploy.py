"""Web Deploy between the iis10 topology's nodes (web_deploy_preview, web_deploy_sync): what a
fresh lab has to sync, the logical comparison, skip directives, encrypted attributes, WAS after a
sync, and every code the lab produces, through the real node_ops dispatch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import typing as t

import pytest
import yaml
from conftest import IIS10_TOPOLOGY, NodeOps, op
from test_cli_serve import ENTRY_POINT

from iis_lab.lab import Lab
from iis_lab.topology import TopologyError
from iis_lab.web_deploy_faults import WEB_DEPLOY_FAULT_KINDS
from iis_lab.windows.xml_document import parse

TOPOLOGY = LAB_TOPOLOGY = IIS10_TOPOLOGY
POOLS = "system.applicationHost/applicationPools"
SITES = "system.applicationHost/sites"
SOURCE_CHANGES = [
    {"action": "add", "path": "system.applicationHost/sites/site[@name='Shop']/application[@path='/api']"},
    {"action": "add", "path": "location[@path='Shop']/system.webServer/defaultDocument/files"},
]
SECRETS = {"wd": "run-secret-1"}





def web_deploy(
    node_ops: NodeOps, verb: str, computer: str = "NODE1", *, become_password: bool = True, **args: t.Any
) -> dict[str, t.Any]:
    """A preview or sync run on the source NODE2 as the domain administrator through become."""
    args.setdefault("provider", "webServer")
    args.setdefault("encrypt_secret", "wd")
    return node_ops.value(
        op(f"web_deploy_{verb}", computer=computer, **args), host="NODE2", secrets=SECRETS, become_password=become_password
    )


def text(lab: Lab, host: str) -> str:
    iis = lab.host_named(host).iis
    assert iis is not None
    return iis.config.text


def hand_edit(lab: Lab, host: str, old: str, new: str) -> None:
    """An administrator editing the host's applicationHost.config in a text editor (the lab's
    schema slice does not model logFile)."""
    iis = lab.host_named(host).iis
    assert iis is not None and old in iis.config.text
    iis.config.document = parse(iis.config.text.replace(old, new, 1))


def recorded(lab: Lab) -> dict[str, t.Any]:
    lab.save_changes()
    assert lab.state_file is not None
    with open(lab.state_file, encoding="utf-8") as stream:
        return json.load(stream)


def test_a_fresh_lab_has_a_sync_to_do_and_a_sync_does_it(lab: Lab, node_ops: NodeOps) -> None:
    before = text(lab, "NODE1")
    preview = web_deploy(node_ops, "preview")
    assert preview == {
        "added": 5,  # the application and its virtual directory; files with its clear and add
        "updated": 0,
        "deleted": 0,
        "bytes_copied": 0,
        "changes": SOURCE_CHANGES,
        "errors": [],
    }
    assert text(lab, "NODE1") == before  # a preview writes nothing
    assert recorded(lab)["hosts"]["NODE1"]["iis"]["web_deploy"]["syncs"] == []
    assert web_deploy(node_ops, "sync") == preview
    # The target now holds the source's configuration, and the file says it in the source's words.
    assert text(lab, "NODE1") == text(lab, "NODE2")
    assert web_deploy(node_ops, "preview")["changes"] == []
    [sync] = recorded(lab)["hosts"]["NODE1"]["iis"]["web_deploy"]["syncs"]
    assert {key: sync[key] for key in ("source", "provider", "site", "added", "errors")} == {
        "source": "NODE2",
        "provider": "webServer",
        "site": None,
        "added": 5,
        "errors": [],
    }
    assert recorded(lab)["hosts"]["NODE3"]["iis"]["web_deploy"]["syncs"] == []
    assert node_ops.value(op("iis_sites_get"), host="NODE1")[1]["applications"][-1] == {"path": "/api", "pool": "Shop"}


def test_changes_are_logical_updates_and_deletes_with_untouched_text_kept(lab: Lab, node_ops: NodeOps) -> None:
    web_deploy(node_ops, "sync")
    lab.edit_web_config("NODE1", POOLS, "queueLength", "3000", element="add[@name='Shop']")
    node_ops.values(
        op("web_config_element_add", section=SITES, element="site[@name='Shop']", item="application", attributes={"path": "/old"})
    )
    # The same value set on both sides is no change.
    node_ops.values(op("web_config_set", section=POOLS, element="add[@name='DefaultAppPool']", attribute="autoStart", value="true"), host="NODE2")
    node_ops.values(op("web_config_set", section=POOLS, element="add[@name='DefaultAppPool']", attribute="autoStart", value="true"))
    preview = web_deploy(node_ops, "preview")
    assert preview["changes"] == [
        {"action": "update", "path": "system.applicationHost/applicationPools/add[@name='Shop']@queueLength"},
        {"action": "delete", "path": "system.applicationHost/sites/site[@name='Shop']/application[@path='/old']"},
    ]
    assert (preview["added"], preview["updated"], preview["deleted"]) == (0, 1, 1)
    before = text(lab, "NODE1")
    web_deploy(node_ops, "sync")
    after = text(lab, "NODE1")
    assert 'queueLength="3000"' not in after and "/old" not in after
    # Only the changed elements are written anew: the rest of the file is as it was.
    assert after.split("<applicationPools>")[0] == before.split("<applicationPools>")[0]
    assert after.split("</sites>")[1] == before.split("</sites>")[1]
    assert web_deploy(node_ops, "preview")["changes"] == []


def test_the_sites_provider_syncs_one_site_and_its_locations(lab: Lab, node_ops: NodeOps) -> None:
    node_ops.values(op("web_config_set", section=POOLS, element="add[@name='Shop']", attribute="queueLength", value="10"), host="NODE2")
    shop = web_deploy(node_ops, "preview", provider="appHostConfig", site="shop")
    assert shop["changes"] == SOURCE_CHANGES  # the pool is not the site's
    assert web_deploy(node_ops, "preview", provider="appHostConfig", site="Default Web Site")["changes"] == []
    web_deploy(node_ops, "sync", provider="appHostConfig", site="Shop")
    assert web_deploy(node_ops, "preview")["changes"] == [
        {"action": "update", "path": "system.applicationHost/applicationPools/add[@name='Shop']@queueLength"}
    ]
    for args, code in (({"site": "Nowhere"}, "ERROR_SITE_DOES_NOT_EXIST"), ({}, "ERROR_INVALID_PATH")):
        summary = web_deploy(node_ops, "sync", provider="appHostConfig", **args)
        assert [error["code"] for error in summary["errors"]] == [code]
        assert summary["changes"] == []


NODE_SETTING = "xPath=/system.applicationHost/sites/site/logFile/@directory"


def test_skip_directives_keep_per_node_settings_and_skipped_objects(lab: Lab, node_ops: NodeOps) -> None:
    hand_edit(lab, "NODE1", 'logFile directory="D:\\Logs\\Shop"', 'logFile directory="E:\\Logs\\Shop"')
    changed = {"action": "update", "path": "system.applicationHost/sites/site[@name='Shop']/logFile@directory"}
    assert changed in web_deploy(node_ops, "preview")["changes"]
    # The node-settings mapping: path "a/b/c@attr" -> xPath=/a/b/c/@attr, a step with keys kept.
    for skip in (NODE_SETTING, "xPath=/system.applicationHost/sites/site[@name='SHOP']/logFile/@directory"):
        assert web_deploy(node_ops, "preview", skip=[skip])["changes"] == SOURCE_CHANGES
    assert changed in web_deploy(node_ops, "preview", skip=["xPath=/system.applicationHost/sites/site[@name='Other']/logFile/@directory"])["changes"]
    # objectName and absolutePath skip whole objects (regular expressions, without case).
    assert web_deploy(node_ops, "preview", skip=[NODE_SETTING, "objectName=^application$,absolutePath=/api'\\]$"])[
        "changes"
    ] == SOURCE_CHANGES[1:]
    assert web_deploy(node_ops, "preview", skip=[NODE_SETTING, "objectName=^files$"])["changes"] == SOURCE_CHANGES[:1]
    assert web_deploy(node_ops, "preview", skip=[NODE_SETTING, "keyAttribute=^/API$"])["changes"] == SOURCE_CHANGES[1:]
    web_deploy(node_ops, "sync", skip=[NODE_SETTING])
    assert 'directory="E:\\Logs\\Shop"' in text(lab, "NODE1")  # kept: the node's own
    assert web_deploy(node_ops, "preview", skip=[NODE_SETTING])["changes"] == []
    # A new site carries no skipped attribute to the target either.
    hand_edit(lab, "NODE2", "            <siteDefaults>", '            <site name="Blog" id="3"><logFile directory="F:\\Blog" /></site>\r\n            <siteDefaults>')
    web_deploy(node_ops, "sync", skip=[NODE_SETTING])
    assert '<site name="Blog" id="3">' in text(lab, "NODE1") and "F:\\Blog" not in text(lab, "NODE1")


@pytest.mark.parametrize(
    ("skip", "words"),
    [
        ("skipAction=Delete", "Unrecognized skip directive 'skipAction'"),
        ("objectName=[", "not a valid regular expression"),
        ("xPath=site/logFile", "not an absolute path"),
    ],
)
def test_a_skip_directive_web_deploy_refuses_is_an_error(node_ops: NodeOps, skip: str, words: str) -> None:
    [error] = web_deploy(node_ops, "sync", skip=[skip])["errors"]
    assert error["code"] is None and words in error["message"]


def test_encrypted_attributes_travel_with_the_encrypt_secret_only(lab: Lab, node_ops: NodeOps) -> None:
    node_ops.values(
        op("domain_user_add", name="ShopPool", secret="pw", enabled=True), host="DC1", secrets={"pw": "Shop-Pool-9"}
    )
    node_ops.values(
        op("app_pool_identity_set", name="Shop", identity_type="SpecificUser", user="WEBFARM\\ShopPool", secret="pw"),
        host="NODE2",
        secrets={"pw": "Shop-Pool-9"},
    )
    path = "system.applicationHost/applicationPools/add[@name='Shop']/processModel"
    for verb in ("preview", "sync"):
        summary = node_ops.value(op(f"web_deploy_{verb}", computer="NODE1", provider="webServer"), host="NODE2", become_password=True)
        [error] = summary["errors"]
        assert error["code"] is None
        assert f"The property 'password' located at '/{path}' is marked as secure" in error["message"]
        assert "Shop-Pool-9" not in json.dumps(summary)
    assert "ShopPool" not in text(lab, "NODE1")
    preview = web_deploy(node_ops, "preview")
    assert {"action": "update", "path": f"{path}@password"} in preview["changes"]
    web_deploy(node_ops, "sync")
    # Re-encrypted with the target's keys: other text, the same password, and it logs on there.
    assert node_ops.value(
        op("web_config_secret_matches", section=POOLS, element="add[@name='Shop']/processModel", attribute="password", secret="pw"),
        secrets={"pw": "Shop-Pool-9"},
    )
    assert recorded(lab)["hosts"]["NODE1"]["iis"]["pools"]["Shop"] == {"state": "Started", "logon_error": None}
    assert web_deploy(node_ops, "preview")["changes"] == []
    state = json.dumps(recorded(lab))
    assert "Shop-Pool-9" not in state and SECRETS["wd"] not in state


def test_was_recycles_the_pools_a_sync_changed(lab: Lab, node_ops: NodeOps) -> None:
    node_ops.values(
        op("app_pool_identity_set", name="Shop", identity_type="SpecificUser", user="WEBFARM\\WebFarmPool$"),
        host="NODE2",
    )
    web_deploy(node_ops, "sync", computer="NODE1")
    web_deploy(node_ops, "sync", computer="NODE3")
    pools = {name: recorded(lab)["hosts"][name]["iis"]["pools"]["Shop"]["state"] for name in ("NODE1", "NODE3")}
    # NODE3 may not retrieve the gMSA's password: its recycled worker cannot log on.
    assert pools == {"NODE1": "Started", "NODE3": "Stopped"}


def test_the_caller_needs_network_credentials_and_a_known_computer(lab: Lab, node_ops: NodeOps) -> None:
    before = text(lab, "NODE1")
    # become without a password (S4U) has no network credentials: the double hop.
    summary = web_deploy(node_ops, "sync", become_password=False)
    assert [error["code"] for error in summary["errors"]] == ["ERROR_USER_UNAUTHORIZED"]
    plain = node_ops.value(op("web_deploy_preview", computer="NODE1", provider="webServer"), host="NODE2")
    assert [error["code"] for error in plain["errors"]] == ["ERROR_USER_UNAUTHORIZED"]  # the WinRM logon itself
    assert [error["code"] for error in web_deploy(node_ops, "preview", computer="NODE9")["errors"]] == [
        "ERROR_DESTINATION_INVALID"
    ]
    # A DNS name and an FQDN resolve as the NetBIOS name does.
    assert web_deploy(node_ops, "preview", computer="node1.webfarm.test")["changes"] == SOURCE_CHANGES
    assert text(lab, "NODE1") == before
    assert recorded(lab)["hosts"]["NODE1"]["iis"]["web_deploy"]["syncs"] == []


@pytest.mark.parametrize("kind", sorted(WEB_DEPLOY_FAULT_KINDS))
def test_each_fault_of_a_target_gives_its_code(lab: Lab, node_ops: NodeOps, kind: str) -> None:
    fault = WEB_DEPLOY_FAULT_KINDS[kind]
    before = text(lab, "NODE1")
    lab.change_fault("NODE1", kind)
    preview = web_deploy(node_ops, "preview")
    if fault.checkable:
        assert [error["code"] for error in preview["errors"]] == [fault.target_code]
        assert preview["changes"] == []
    else:
        assert preview["errors"] == [] and preview["changes"] == SOURCE_CHANGES  # what-if is optimistic
    summary = web_deploy(node_ops, "sync")
    assert [error["code"] for error in summary["errors"]] == [fault.target_code]
    assert text(lab, "NODE1") == before
    # Cleared, the node is as provisioning left it and the sync goes through.
    lab.change_fault("NODE1", kind, clear=True)
    lab.change_fault("NODE1", kind, clear=True)
    assert web_deploy(node_ops, "sync")["errors"] == []
    assert web_deploy(node_ops, "preview")["changes"] == []


def test_web_deploy_missing_on_the_source_fails_the_op(lab: Lab, node_ops: NodeOps) -> None:
    lab.change_fault("NODE2", "web_deploy_not_installed")
    result = node_ops(op("web_deploy_preview", computer="NODE1", provider="webServer"), host="NODE2", become_password=True)
    assert result["results"][0]["error"]["code"] == WEB_DEPLOY_FAULT_KINDS["web_deploy_not_installed"].source_error
    assert node_ops.value(op("web_deploy_info"), host="NODE2") == {
        "installed": False,
        "version": None,
        "agent_service": "absent",
        "management_service": "absent",
    }


def test_faults_are_of_iis7_nodes_and_recorded(lab: Lab) -> None:
    with pytest.raises(LookupError, match="IIS 7-10 nodes"):
        lab.change_fault("DC1", "apphost_in_use")
    with pytest.raises(LookupError, match="IIS 5/6 nodes"):
        lab.change_fault("NODE1", "rpc_unreachable")
    lab.change_fault("NODE3", "web_deploy_agent_stopped")
    lab.change_fault("NODE3", "apphost_in_use")
    iis = recorded(lab)["hosts"]["NODE3"]["iis"]
    assert iis["web_deploy"]["agent_service"] == "stopped" and iis["conditions"] == {"apphost_in_use": True}


@pytest.mark.parametrize("kind", sorted(WEB_DEPLOY_FAULT_KINDS))
def test_a_web_deploy_fault_added_then_cleared_leaves_the_node_as_it_was(lab: Lab, kind: str) -> None:
    fresh = recorded(lab)["hosts"]["NODE1"]
    lab.change_fault("NODE1", kind)
    faulty = recorded(lab)["hosts"]["NODE1"]
    lab.change_fault("NODE1", kind)
    assert faulty != fresh and recorded(lab)["hosts"]["NODE1"] == faulty
    lab.change_fault("NODE1", kind, clear=True)
    assert recorded(lab)["hosts"]["NODE1"] == fresh


def test_a_topology_injects_web_deploy_faults_on_iis7_nodes_only(tmp_path) -> None:
    with open(TOPOLOGY, encoding="utf-8") as stream:
        document = yaml.safe_load(stream)
    document["faults"] = [{"kind": "web_deploy_agent_stopped", "host": "NODE3"}]
    topology = tmp_path / "iis10.yml"
    topology.write_text(yaml.safe_dump(document))
    for name in ("iis10-applicationHost.config", "iis10-source-applicationHost.config"):
        shutil.copy(os.path.join(os.path.dirname(TOPOLOGY), name), tmp_path / name)
    lab = Lab.from_topology(str(topology))
    assert NodeOps(lab).value(op("web_deploy_info"), host="NODE3")["agent_service"] == "stopped"
    document["faults"] = [{"kind": "rpc_unreachable", "host": "NODE3"}]
    topology.write_text(yaml.safe_dump(document))
    with pytest.raises(TopologyError, match="'rpc_unreachable' is a fault of IIS 5/6 nodes"):
        Lab.from_topology(str(topology))


def test_iis_lab_fault_knows_the_web_deploy_kinds(tmp_path) -> None:
    command = [sys.executable, "-c", ENTRY_POINT, "fault", "--state-dir", str(tmp_path), "--host", "NODE1"]
    known = subprocess.run([*command, "--add", "apphost_in_use", "--timeout", "0.2"], capture_output=True, text=True, check=False)
    unknown = subprocess.run([*command, "--add", "no_such_fault"], capture_output=True, text=True, check=False)
    # Known: the command waits for a lab that does not answer (1); unknown: a usage error (2).
    assert (known.returncode, unknown.returncode) == (1, 2), known.stderr
