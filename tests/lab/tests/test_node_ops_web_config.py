"""The IIS 7-10 node: applicationHost.config through the web_config_* ops, WAS's pools and sites,
and gMSAs, through the real node_ops dispatch on the iis10 topology."""

from __future__ import annotations

import json
import os
import typing as t

import pytest
from conftest import IIS10_TOPOLOGY, NodeOps, failure, op

from iis_lab.lab import Lab

TOPOLOGY = LAB_TOPOLOGY = IIS10_TOPOLOGY
FIXTURE = os.path.join(os.path.dirname(__file__), "..", "iis_lab", "topologies", "iis10-applicationHost.config")
ANONYMOUS = "system.webServer/security/authentication/anonymousAuthentication"
POOLS = "system.applicationHost/applicationPools"






def _user(node_ops: NodeOps, name: str, password: str) -> None:
    node_ops.values(op("domain_user_add", name=name, secret="pw", enabled=True), host="DC1", secrets={"pw": password})


def test_an_iis10_host_reports_its_release_and_has_no_metabase(node_ops: NodeOps) -> None:
    facts = node_ops.value(op("host_facts"))
    assert (facts["os_version"], facts["iis_version"]) == ("10.0.20348", "10.0")
    assert failure(node_ops(op("metabase_get", path="W3SVC")))["code"] == 0x80005000
    assert failure(node_ops(op("web_config_get", section=ANONYMOUS), host="DC1"))["code"] == 0x80070002
    assert failure(node_ops(op("iissync_run", targets=["NODE2"])))["code"] == 2
    assert node_ops.value(op("complus_catalog"))["applications"][0]["name"] == "System Application"
    assert len(node_ops.value(op("complus_catalog"))["applications"]) == 1  # no IIS packages


def test_origin_follows_locations_and_collection_defaults(node_ops: NodeOps) -> None:
    at_site = node_ops.value(
        op("web_config_get", section=ANONYMOUS, location="Shop", attributes=["userName", "logonMethod"])
    )
    # overrideModeDefault="Deny" binds web.config files only: applicationHost.config may hold it here.
    assert at_site["override_allowed"] is True
    assert [(a["name"], a["value"], a["origin"]) for a in at_site["attributes"]] == [
        ("userName", "IUSR", "inherited"),
        ("logonMethod", "ClearText", "default"),
    ]
    node_ops.values(
        op("web_config_set", section=ANONYMOUS, location="Shop", attribute="userName", value="WEBFARM\\Anon")
    )
    below = node_ops.value(op("web_config_get", section=ANONYMOUS, location="Shop/checkout", attributes=["userName"]))
    assert below["attributes"][0] == {
        "name": "userName",
        "value": "WEBFARM\\Anon",
        "origin": "inherited",
        "encrypted": False,
    }
    pool = node_ops.value(
        op(
            "web_config_get",
            section=POOLS,
            element="add[@name='Shop']/processModel",
            attributes=["identityType", "idleTimeout"],
        )
    )
    assert [(a["value"], a["origin"]) for a in pool["attributes"]] == [
        ("ApplicationPoolIdentity", "inherited"),
        ("00:00:00", "set"),
    ]
    assert node_ops.value(op("web_config_get", section=POOLS, element="add[@name='Nope']")) is None


def test_locking_and_schema_errors(node_ops: NodeOps, lab: Lab) -> None:
    before = lab.host_named("NODE1").iis.config.text
    errors = [
        failure(
            node_ops(
                op(
                    "web_config_set",
                    section=POOLS,
                    location="Shop",
                    element="add[@name='Shop']",
                    attribute="autoStart",
                    value="true",
                )
            )
        ),
        failure(node_ops(op("web_config_set", section=ANONYMOUS, attribute="noSuch", value="x"))),
        failure(node_ops(op("web_config_set", section=ANONYMOUS, attribute="logonMethod", value="Kerberos"))),
        failure(node_ops(op("web_config_element_add", section=POOLS, item="add", attributes={"name": "shop"}))),
        failure(node_ops(op("web_config_element_remove", section=POOLS, element="add[@name='Nope']"))),
        failure(node_ops(op("web_config_get", section="system.webServer/rewrite/rules"))),
    ]
    assert [error["code"] for error in errors] == [
        0x80070021,
        0x80070057,
        0x80070057,
        0x800700B7,
        0x80070002,
        0x80070032,
    ]
    assert lab.host_named("NODE1").iis.config.text == before


def test_override_mode_deny_locks_the_levels_below_but_not_applicationhost_itself(node_ops: NodeOps, lab: Lab) -> None:
    config = lab.host_named("NODE1").iis.config
    node_ops.values(op("web_config_set", section=ANONYMOUS, location="Shop", attribute="enabled", value="true"))
    shop = [tag for tag in config.document.root.children if tag.name == "location" and tag.get("path") == "Shop"][0]
    shop.set("overrideMode", "Deny")
    assert node_ops.value(op("web_config_get", section=ANONYMOUS, location="Shop/checkout"))["override_allowed"] is True
    # Only allowDefinition keeps a section out of a location path: AppHostOnly at a site.
    pools = node_ops.value(op("web_config_get", section="system.applicationHost/applicationPools", location="Shop"))
    assert pools is not None and pools["override_allowed"] is False
    # A <location> tag of applicationHost.config is not bound by the lock ("More config locking").
    node_ops.values(
        op("web_config_set", section=ANONYMOUS, location="Shop/checkout", attribute="enabled", value="false")
    )
    assert node_ops.value(op("web_config_get", section=ANONYMOUS, location="Shop/checkout", attributes=["enabled"]))[
        "attributes"
    ][0] == {"name": "enabled", "value": "false", "origin": "set", "encrypted": False}


def test_the_seeded_file_round_trips_byte_for_byte_outside_changed_elements(node_ops: NodeOps, lab: Lab) -> None:
    with open(FIXTURE, encoding="utf-8", newline="") as stream:
        original = stream.read()
    config = lab.host_named("NODE1").iis.config
    assert config.text == original
    node_ops.values(
        op(
            "web_config_set",
            section=POOLS,
            element="add[@name='Shop']/processModel",
            attribute="logonType",
            value="LogonService",
        ),
        op("web_config_clear", section=POOLS, element="add[@name='Shop']/processModel", attribute="logonType"),
        host="NODE1",
    )
    assert config.text == original
    node_ops.values(op("web_config_element_add", section=POOLS, item="add", attributes={"name": "Extra"}), host="NODE1")
    changed = config.text
    assert changed.replace('            <add name="Extra" />\r\n', "", 1) == original
    node_ops.values(op("web_config_element_remove", section=POOLS, element="add[@name='Extra']"), host="NODE1")
    assert config.text == original


def test_encrypted_attributes_differ_per_node_and_never_appear_in_clear(node_ops: NodeOps, lab: Lab) -> None:
    secret = "Anon-Secret-9"
    for host in ("NODE1", "NODE2"):
        node_ops.values(
            op("web_config_set", section=ANONYMOUS, location="Shop", attribute="password", secret="pw"),
            host=host,
            secrets={"pw": secret},
        )
    texts = [lab.host_named(name).iis.config.text for name in ("NODE1", "NODE2")]
    ciphertexts = [text.split('password="', 1)[1].split('"', 1)[0] for text in texts]
    assert ciphertexts[0].startswith("[enc:AesProvider:") and ciphertexts[0] != ciphertexts[1]
    with open(lab.state_file, encoding="utf-8") as stream:
        assert secret not in stream.read()
    read = node_ops.value(op("web_config_get", section=ANONYMOUS, location="Shop", attributes=["password"]))
    assert read["attributes"][0] == {"name": "password", "value": None, "origin": "set", "encrypted": True}
    assert node_ops.value(
        op("web_config_secret_matches", section=ANONYMOUS, location="Shop", attribute="password", secret="pw"),
        secrets={"pw": secret},
    )
    assert not node_ops.value(
        op("web_config_secret_matches", section=ANONYMOUS, location="Shop", attribute="password", secret="pw"),
        secrets={"pw": "other"},
    )
    # NODE2's ciphertext copied to NODE1: another machine's key.
    config = lab.host_named("NODE1").iis.config
    config.set_raw(ANONYMOUS, "Shop", None, "password", ciphertexts[1])
    result = node_ops(
        op("web_config_secret_matches", section=ANONYMOUS, location="Shop", attribute="password", secret="pw"),
        secrets={"pw": secret},
    )
    assert failure(result)["code"] == 0x80090005


@pytest.mark.parametrize(
    ("prepare", "logon_type", "code"),
    [
        (None, None, None),
        ("wrong", None, 1326),
        ("disabled", None, 1331),
        (None, "LogonService", 1385),
        ("manual", None, 1385),
    ],
)
def test_a_pool_identity_that_cannot_start_is_put_back(node_ops: NodeOps, lab: Lab, prepare, logon_type, code) -> None:
    _user(node_ops, "ShopPool", "Pool-Pass-1")
    if prepare == "disabled":
        node_ops.values(op("domain_user_set", name="ShopPool", enabled=False), host="DC1")
    if prepare == "manual":
        node_ops.values(
            op(
                "web_config_set",
                section=POOLS,
                element="add[@name='Shop']/processModel",
                attribute="manualGroupMembership",
                value="true",
            )
        )
    iis = lab.host_named("NODE1").iis
    before = iis.config.text
    args = {"name": "Shop", "identity_type": "SpecificUser", "user": "WEBFARM\\ShopPool", "secret": "pw"}
    if logon_type:
        args["logon_type"] = logon_type
    value = node_ops.value(
        op("app_pool_identity_set", **args), secrets={"pw": "Wrong-Pass-1" if prepare == "wrong" else "Pool-Pass-1"}
    )
    [pool] = node_ops.value(op("app_pools_get", names=["Shop"]))
    if code is None:
        assert value == {"state": "Started", "start_error": None, "restored": False}
        assert (pool["identity_type"], pool["user_name"], pool["password_set"]) == (
            "SpecificUser",
            "WEBFARM\\ShopPool",
            True,
        )
        assert iis.failed_logons == {}
    else:
        assert (value["state"], value["start_error"]["code"], value["restored"]) == ("Started", code, True)
        assert iis.config.text == before
        assert pool["identity_type"] == "ApplicationPoolIdentity"
        assert iis.failed_logons == {"WEBFARM\\ShopPool": 1}


def test_a_recycle_stops_a_pool_whose_right_was_removed(node_ops: NodeOps, lab: Lab) -> None:
    _user(node_ops, "ShopPool", "Pool-Pass-1")
    node_ops.values(
        op("app_pool_identity_set", name="Shop", identity_type="SpecificUser", user="WEBFARM\\ShopPool", secret="pw"),
        secrets={"pw": "Pool-Pass-1"},
    )
    host = lab.host_named("NODE1")
    host.rights["SeBatchLogonRight"].clear()
    value = node_ops.value(op("app_pool_recycle", name="Shop"))
    assert (value["state"], value["start_error"]["code"]) == ("Stopped", 1385)
    lab.save()
    with open(lab.state_file, encoding="utf-8") as stream:
        state = json.load(stream)
    shop = state["hosts"]["NODE1"]["iis"]["pools"]["Shop"]
    assert shop["state"] == "Stopped" and "ERROR_LOGON_TYPE_NOT_GRANTED" in shop["logon_error"]


def test_a_gmsa_starts_a_pool_only_on_allowed_nodes(node_ops: NodeOps) -> None:
    assert node_ops.value(op("kds_root_key_get"), host="DC1") == {"exists": True, "usable": True}
    gmsa = node_ops.value(op("gmsa_get", name="WebFarmPool$"), host="DC1")
    assert gmsa["name"] == "WebFarmPool" and [p["name"] for p in gmsa["principals"]] == [
        "WEBFARM\\NODE1$",
        "WEBFARM\\NODE2$",
    ]
    args = {"name": "Shop", "identity_type": "SpecificUser", "user": "WEBFARM\\WebFarmPool$"}
    assert node_ops.value(op("gmsa_check", name="WebFarmPool"), host="NODE1") == {
        "exists": True,
        "can_retrieve": True,
        "error": None,
    }
    assert node_ops.value(op("app_pool_identity_set", **args), host="NODE1") == {
        "state": "Started",
        "start_error": None,
        "restored": False,
    }
    assert node_ops.value(op("gmsa_check", name="WebFarmPool"), host="NODE3") == {
        "exists": True,
        "can_retrieve": False,
        "error": {"code": 5, "message": "Access is denied."},
    }
    assert node_ops.value(op("gmsa_check", name="Nobody"), host="NODE3")["error"]["code"] == 1317
    refused = node_ops.value(op("app_pool_identity_set", **args), host="NODE3")
    assert (refused["start_error"]["code"], refused["restored"]) == (1326, True)
    node_ops.values(op("gmsa_set_principals", name="WebFarmPool", principals=["WEBFARM\\Domain Computers"]), host="DC1")
    assert node_ops.value(op("app_pool_identity_set", **args), host="NODE3")["restored"] is False
    user = node_ops.value(op("domain_user_get", name="WebFarmPool$"), host="DC1")
    assert user["kind"] == "managed_service_account"


def test_without_a_kds_root_key_there_is_no_gmsa(node_ops: NodeOps, lab: Lab) -> None:
    lab.domain.kds_root_key = None
    add = op("gmsa_add", name="Other", dns_host_name="other.webfarm.test", principals=["WEBFARM\\NODE1$"])
    assert failure(node_ops(add, host="DC1"))["code"] == 0x8009000D
    lab.domain.kds_root_key = "usable"
    node_ops.values(add, host="DC1")
    assert failure(node_ops(add, host="DC1"))["code"] == 0x80071392
    missing = op("gmsa_set_principals", name="Nobody", principals=["WEBFARM\\NODE1$"])
    assert failure(node_ops(missing, host="DC1"))["code"] == 0x80072030


def test_sites_and_anonymous_logons(node_ops: NodeOps, lab: Lab) -> None:
    sites = node_ops.value(op("iis_sites_get"))
    assert [(site["name"], site["id"], site["state"], site["applications"]) for site in sites] == [
        ("Default Web Site", 1, "Started", [{"path": "/", "pool": "DefaultAppPool"}]),
        ("Shop", 2, "Started", [{"path": "/", "pool": "Shop"}, {"path": "/checkout", "pool": "Shop"}]),
    ]
    _user(node_ops, "Anon", "Visitor-Word-7")
    node_ops.values(
        op("web_config_set", section=ANONYMOUS, location="Shop", attribute="userName", value="WEBFARM\\Anon"),
        op("web_config_set", section=ANONYMOUS, location="Shop", attribute="password", secret="pw"),
        secrets={"pw": "Visitor-Word-7"},
    )
    lab.save()
    with open(lab.state_file, encoding="utf-8") as stream:
        sites_state = json.load(stream)["hosts"]["NODE1"]["iis"]["sites"]
    assert sites_state["Shop"]["anonymous_logon_error"] is None
    # Batch: no IIS_IUSRS in an anonymous logon's token, and the account holds no batch right.
    node_ops.values(op("web_config_set", section=ANONYMOUS, location="Shop", attribute="logonMethod", value="Batch"))
    lab.save()
    with open(lab.state_file, encoding="utf-8") as stream:
        sites_state = json.load(stream)["hosts"]["NODE1"]["iis"]["sites"]
    assert "ERROR_LOGON_TYPE_NOT_GRANTED" in str(sites_state["Shop"]["anonymous_logon_error"])


def test_health_knows_iis10_nodes(node_ops: NodeOps, lab: Lab) -> None:
    from iis_lab.health import problems

    with open(lab.state_file, encoding="utf-8") as stream:
        assert problems(json.load(stream)) == []
    lab.host_named("NODE3").rights["SeBatchLogonRight"].clear()
    node_ops.value(op("app_pool_recycle", name="DefaultAppPool"), host="NODE3")
    lab.save()
    with open(lab.state_file, encoding="utf-8") as stream:
        assert problems(json.load(stream)) == []  # ApplicationPoolIdentity needs no right
    _user(node_ops, "ShopPool", "Pool-Pass-1")
    node_ops.value(
        op(
            "app_pool_identity_set",
            name="Shop",
            identity_type="SpecificUser",
            user="WEBFARM\\ShopPool",
            secret="pw",
            recycle=False,
        ),
        host="NODE3",
        secrets={"pw": "Pool-Pass-1"},
    )
    lab.save()
    with open(lab.state_file, encoding="utf-8") as stream:
        found = problems(json.load(stream))
    # recycle false: the op does not wait, but WAS recycles the pool for the change, and it stops.
    assert found == [
        "NODE3: application pool 'Shop' is Stopped",
        "NODE3: the worker of application pool 'Shop' cannot log its identity on: "
        "0x00000569 ERROR_LOGON_TYPE_NOT_GRANTED: Logon failure: the user has not been granted the requested logon type at this computer.",
    ]


def test_identity_arguments_follow_the_identity(node_ops: NodeOps, lab: Lab) -> None:
    bad = [
        op(
            "app_pool_identity_set",
            name="Shop",
            identity_type="SpecificUser",
            user="WEBFARM\\WebFarmPool$",
            secret="pw",
        ),
        op("app_pool_identity_set", name="Shop", identity_type="SpecificUser", user="WEBFARM\\ShopPool"),
        op("app_pool_identity_set", name="Shop", identity_type="NetworkService", user="WEBFARM\\ShopPool"),
        op("app_pool_identity_set", name="Shop", identity_type="Specificuser", user="WEBFARM\\ShopPool", secret="pw"),
        op("app_pool_identity_set", name="Shop", identity_type="NetworkService", logon_type="LogonNetwork"),
    ]
    assert [failure(node_ops(call, secrets={"pw": "x"}))["code"] for call in bad] == [0x80070057] * len(bad)
    assert failure(node_ops(op("app_pool_recycle", name="Nope")))["code"] == 0x80070002
    _user(node_ops, "ShopPool", "Pool-Pass-1")
    node_ops.values(
        op("app_pool_identity_set", name="Shop", identity_type="SpecificUser", user="WEBFARM\\ShopPool", secret="pw"),
        op("app_pool_identity_set", name="Shop", identity_type="NetworkService"),
        secrets={"pw": "Pool-Pass-1"},
    )
    [pool] = node_ops.value(op("app_pools_get", names=["shop"]))
    assert (pool["identity_type"], pool["user_name"], pool["password_set"]) == ("NetworkService", None, False)
    assert 'identityType="NetworkService"' in lab.host_named("NODE1").iis.config.text
    assert "password=" not in lab.host_named("NODE1").iis.config.text


def test_a_pool_password_from_another_machine_cannot_be_read(node_ops: NodeOps, lab: Lab) -> None:
    _user(node_ops, "ShopPool", "Pool-Pass-1")
    args = {"name": "Shop", "identity_type": "SpecificUser", "user": "WEBFARM\\ShopPool", "secret": "pw"}
    node_ops.values(op("app_pool_identity_set", **args), host="NODE2", secrets={"pw": "Pool-Pass-1"})
    # NODE2's file copied to NODE1 without its keys (what Shared Configuration's key export avoids).
    lab.host_named("NODE1").iis.local = type(lab.host_named("NODE1").iis.config)(
        lab.host_named("NODE2").iis.config.text, lab.host_named("NODE1").iis.config.keys
    )
    assert failure(node_ops(op("app_pools_get", names=["Shop"])))["code"] == 0x80090005
    value = node_ops.value(op("app_pool_recycle", name="Shop"))
    assert (value["state"], value["start_error"]["code"]) == ("Stopped", 0x80090005)


@pytest.mark.parametrize(
    ("kind", "name", "host", "code"),
    [
        ("account_disabled", "WEBFARM\\ShopPool", "NODE1", 1331),
        ("account_locked_out", "WEBFARM\\ShopPool", "NODE1", 1909),
        ("batch_right_removed", "BUILTIN\\IIS_IUSRS", "NODE1", 1385),
        ("gmsa_not_allowed", "WEBFARM\\WebFarmPool$", "NODE1", 1326),
    ],
)
def test_conditions_stop_a_pool_at_its_next_recycle(node_ops: NodeOps, lab: Lab, kind, name, host, code) -> None:
    _user(node_ops, "ShopPool", "Pool-Pass-1")
    if kind == "gmsa_not_allowed":
        args = {"name": "Shop", "identity_type": "SpecificUser", "user": "WEBFARM\\WebFarmPool$"}
        node_ops.values(op("app_pool_identity_set", **args), host=host)
    else:
        args = {"name": "Shop", "identity_type": "SpecificUser", "user": "WEBFARM\\ShopPool", "secret": "pw"}
        node_ops.values(op("app_pool_identity_set", **args), host=host, secrets={"pw": "Pool-Pass-1"})
    lab.change_condition(host, kind, name)
    value = node_ops.value(op("app_pool_recycle", name="Shop"), host=host)
    assert (value["state"], value["start_error"]["code"]) == ("Stopped", code)
    lab.change_condition(host, kind, name, clear=True)
    assert node_ops.value(op("app_pool_recycle", name="Shop"), host=host)["state"] == "Started"


def test_a_hand_edit_of_the_configuration_is_drift_the_state_shows(lab: Lab) -> None:
    lab.edit_web_config("NODE2", ANONYMOUS, "userName", "WEBFARM\\Someone", location="Shop")
    with open(lab.state_file, encoding="utf-8") as stream:
        state = json.load(stream)
    assert 'userName="WEBFARM\\Someone"' in state["hosts"]["NODE2"]["iis"]["applicationhost"]
    assert 'userName="WEBFARM\\Someone"' not in state["hosts"]["NODE1"]["iis"]["applicationhost"]
    # The user does not exist: anonymous requests to Shop on NODE2 do not log on.
    assert "ERROR_LOGON_FAILURE" in state["hosts"]["NODE2"]["iis"]["sites"]["Shop"]["anonymous_logon_error"]


def test_a_failed_logon_proof_is_counted_on_the_node(node_ops: NodeOps, lab: Lab) -> None:
    _user(node_ops, "ShopPool", "Pool-Pass-1")
    check = op("account_logon_check", name="WEBFARM\\ShopPool", secret="pw", logon_type="batch")
    assert node_ops.value(check, secrets={"pw": "Wrong-Pass-2"})["code"] == 1326
    assert node_ops.value(check, secrets={"pw": "Pool-Pass-1"})["code"] == 1385  # no IIS_IUSRS in a plain logon
    assert lab.host_named("NODE1").iis.failed_logons == {"WEBFARM\\ShopPool": 2}
    assert lab.host_named("NODE2").iis.failed_logons == {}


def test_a_cleared_attribute_leaves_no_empty_element_or_location_behind(node_ops: NodeOps, lab: Lab) -> None:
    config = lab.host_named("NODE1").iis.config
    before = config.text
    node_ops.values(
        op("web_config_set", section=ANONYMOUS, location="Default Web Site", attribute="logonMethod", value="batch"),
    )
    assert '<location path="Default Web Site">' in config.text and 'logonMethod="Batch"' in config.text
    node_ops.values(op("web_config_clear", section=ANONYMOUS, location="Default Web Site", attribute="logonMethod"))
    assert config.text == before


def test_the_iis10_inventory_names_node2_as_the_source(lab: Lab) -> None:
    from iis_lab.inventory import inventory

    document = inventory(lab.topology, 5985)["all"]
    assert document["vars"]["iis_cluster_source"] == "node2"
    assert list(document["children"]["iis_cluster"]["hosts"]) == ["node1", "node2", "node3"]


def test_was_follows_configuration_changes(node_ops: NodeOps, lab: Lab) -> None:
    iis = lab.host_named("NODE1").iis
    node_ops.values(
        op("web_config_element_add", section=POOLS, item="add", attributes={"name": "Api"}),
        op("web_config_element_add", section=POOLS, item="add", attributes={"name": "Batch", "autoStart": "false"}),
    )
    assert (iis.pool_states["Api"], iis.pool_states["Batch"]) == ("Started", "Stopped")
    # A started pool whose identity changes by a plain write is recycled, and stops if it cannot log on.
    element = "add[@name='Api']/processModel"
    node_ops.values(
        op("web_config_set", section=POOLS, element=element, attribute="userName", value="WEBFARM\\Nobody"),
        op("web_config_set", section=POOLS, element=element, attribute="identityType", value="SpecificUser"),
    )
    assert iis.pool_states["Api"] == "Stopped" and iis.failed_logons == {"WEBFARM\\Nobody": 1}
    node_ops.values(op("web_config_element_remove", section=POOLS, element="add[@name='Api']"))
    assert "Api" not in iis.pool_states
    assert [pool["name"] for pool in node_ops.value(op("app_pools_get"))] == ["DefaultAppPool", "Shop", "Batch"]


def test_iissync_faults_are_refused_on_an_iis10_node(lab: Lab) -> None:
    with pytest.raises(LookupError, match="IIS 7\\+"):
        lab.change_fault("NODE1", "metabase_in_use")


def test_a_lab_with_iis10_nodes_does_not_resume(lab: Lab, tmp_path) -> None:
    from iis_lab.resume import StateError

    with pytest.raises(StateError, match="NODE1, NODE2, NODE3 run IIS 7\\+, whose encryption keys the state does not hold"):
        Lab.from_topology(TOPOLOGY, str(tmp_path), resume=True)
