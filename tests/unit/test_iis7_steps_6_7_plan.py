"""KB Q249603 steps 6 and 7 on IIS 7-10: the site's anonymous user at its location, the site's
pools, the gMSA inputs the pre-flight checks, and how the summary reads the node-by-node roll-out."""

from __future__ import annotations

import pytest
from summary_lines import node_block

from ansible_collections.webfarm.iis_cluster.plugins.filter.cluster_summary import cluster_summary
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._anonymous_authentication import (
    SECTION,
    anonymous_user,
    locations_below,
    overrides,
    plan_overrides,
    plan_site,
    queries,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._app_pool_identities import apphost_site, check_pools, pool_result
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._app_pool_identity import PoolState, desired_identity
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._cluster_preflight import (
    gmsa_problems,
    identity_problems,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._cluster_summary import rollout_result
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._web_config import ElementState

IUSR = "WEBFARM\\IUSR_web"
IWAM = "WEBFARM\\IWAM_web"
SITES = [
    {"path": "W3SVC/1", "server_comment": "Default Web Site", "applications": [{"path": "/", "pool": "DefaultAppPool"}]},
    {
        "path": "W3SVC/2",
        "server_comment": "Shop",
        "applications": [{"path": "/", "pool": "Shop"}, {"path": "/checkout", "pool": "Shop"}, {"path": "/api", "pool": "Api"}],
    },
]


def _element(**attributes: tuple[str | None, str]) -> ElementState:
    """An anonymousAuthentication element: each attribute's (value, origin)."""
    return ElementState.from_report(
        {
            "override_allowed": True,
            "attributes": [
                {"name": name, "value": None if name == "password" else value, "origin": origin, "encrypted": name == "password"}
                for name, (value, origin) in attributes.items()
            ],
        }
    )


INHERITED = _element(userName=("IUSR", "inherited"), password=(None, "default"), logonMethod=("ClearText", "default"))


def test_a_site_by_number_or_name_with_its_applications_pools_each_once():
    shop = apphost_site(SITES, "2")
    assert shop == apphost_site(SITES, "shop")
    assert (shop["name"], shop["id"], shop["pools"]) == ("Shop", 2, ["Shop", "Api"])
    with pytest.raises(InvalidInput, match=r"site: the node has no site 'Blog' \(its sites: 1 Default Web Site, 2 Shop\)"):
        apphost_site(SITES, "Blog")


def test_pools_are_asked_for_once_each_and_at_least_one():
    assert check_pools(["Shop", " shop", "Api", ""]) == ["Shop", "Api"]
    with pytest.raises(InvalidInput, match="pools: give at least one application pool"):
        check_pools([" "])


def test_a_pool_that_did_not_start_reads_as_put_back_and_unchanged():
    desired = desired_identity("Shop", "SpecificUser", IWAM, True)
    pool = PoolState("Shop", "Started", "ApplicationPoolIdentity", None, "LogonBatch", False, False)
    started = {"state": "Started", "start_error": {"code": 1385, "message": "Logon failure"}, "restored": True}
    entry = pool_result(desired, pool, True, started)
    assert (entry["changed"], entry["restored"], entry["start_error"]["code"]) == (False, True, 1385)
    assert entry["problem"].startswith(f"application pool Shop did not start as {IWAM}: ")
    assert entry["problem"].endswith("the previous identity was put back and the pool is Started")
    assert "problem" not in pool_result(desired, pool, True, {"state": "Started", "start_error": None, "restored": False})
    assert pool_result(desired, pool, True, None)["state"] == "Started"


def test_the_anonymous_user_request_is_checked_naming_the_option():
    with pytest.raises(InvalidInput, match="password: WEBFARM.IUSR_web is an account: give its password"):
        anonymous_user("Shop", IUSR, False, "ClearText")
    with pytest.raises(InvalidInput, match="password: user '' runs anonymous requests as the pool identity"):
        anonymous_user("Shop", "", True, "ClearText")
    with pytest.raises(InvalidInput, match="site: 'Shop/checkout' is not a site's name"):
        anonymous_user("Shop/checkout", IUSR, True, "ClearText")
    with pytest.raises(InvalidInput, match="logon_method: 'Kerberos' is not one of ClearText, Interactive, Batch, Network"):
        anonymous_user("Shop", IUSR, True, "Kerberos")


def test_one_query_reads_the_site_and_the_locations_below_then_proves_the_logon_of_the_method():
    asked = anonymous_user("/Shop", IUSR, True, "Interactive")
    below = locations_below(asked.site, ["/", "/checkout", "/checkout/"])
    assert below == ["Shop/checkout"]
    batch = queries(asked, below)
    assert [instruction.op for instruction in batch] == [
        "web_config_get",
        "web_config_secret_matches",
        "web_config_get",
        "account_logon_check",
    ]
    assert batch[2].args["location"] == "Shop/checkout"
    assert batch[3].args == {"name": IUSR, "secret": "value", "logon_type": "interactive"}
    # The pool's identity: no password to compare or prove.
    assert [instruction.op for instruction in queries(anonymous_user("Shop", "", False, "ClearText"), [])] == ["web_config_get"]


def test_the_site_s_user_password_and_method_are_set_at_its_location_and_nothing_when_they_are():
    asked = anonymous_user("Shop", IUSR, True, "ClearText")
    changes = plan_site(asked, INHERITED, password_matches=False)
    assert [(instruction.op, instruction.args["attribute"], instruction.args.get("value")) for instruction in instructions_of(changes)] == [
        ("web_config_set", "userName", IUSR),
        ("web_config_set", "password", None),
        ("web_config_set", "logonMethod", "ClearText"),
    ]
    assert {(instruction.args["section"], instruction.args["location"]) for instruction in instructions_of(changes)} == {(SECTION, "Shop")}
    done = _element(userName=(IUSR, "set"), password=(None, "set"), logonMethod=("ClearText", "set"))
    assert plan_site(asked, done, password_matches=True) == []
    # The pool's identity: userName "", and the password left at the location cleared.
    pool = plan_site(anonymous_user("Shop", "", False, "ClearText"), done, password_matches=None)
    assert [(instruction.op, instruction.args["attribute"]) for instruction in instructions_of(pool)] == [
        ("web_config_set", "userName"),
        ("web_config_clear", "password"),
    ]


def test_overrides_below_are_reported_or_cleared():
    asked = anonymous_user("Shop", IUSR, True, "ClearText")
    below = {
        "Shop/checkout": _element(userName=("WEBFARM\\other", "set"), password=(None, "inherited"), logonMethod=("Batch", "set")),
        "Shop/api": INHERITED,
    }
    found = overrides(below)
    assert found == [{"location": "Shop/checkout", "attributes": ["userName", "logonMethod"]}]
    assert plan_overrides(asked, found, below, "report") == []
    cleared = instructions_of(plan_overrides(asked, found, below, "inherit"))
    assert [(instruction.op, instruction.args["location"], instruction.args["attribute"]) for instruction in cleared] == [
        ("web_config_clear", "Shop/checkout", "userName"),
        ("web_config_clear", "Shop/checkout", "logonMethod"),
    ]


OPTIONS = {
    "iis_cluster_iwam_gmsa": {"type": "bool", "default": False},
    "iis_cluster_iwam_password": {"type": "str", "no_log": True},
    "iis_cluster_iwam_name": {"type": "str"},
    "iis_cluster_account_base": {"type": "str"},
}


def test_the_gmsa_refuses_a_password_and_a_long_name_and_an_account_needs_its_password():
    assert gmsa_problems(OPTIONS, {"iis_cluster_iwam_password": "x"}) == []
    assert gmsa_problems(OPTIONS, {}) == ["missing required arguments: iis_cluster_iwam_password"]
    assert gmsa_problems(OPTIONS, {"iis_cluster_iwam_gmsa": True, "iis_cluster_account_base": "web"}) == []
    # A password with it is the play's problem, said once (identity_problems), not each step's.
    assert gmsa_problems(OPTIONS, {"iis_cluster_iwam_gmsa": True, "iis_cluster_iwam_password": "x", "iis_cluster_iwam_name": "Pool"}) == []
    [long] = gmsa_problems(OPTIONS, {"iis_cluster_iwam_gmsa": True, "iis_cluster_account_base": "webfarmshop"})
    assert long.startswith("iis_cluster_account_base: 'IWAM_webfarmshop' has 16 characters")
    [named] = gmsa_problems(OPTIONS, {"iis_cluster_iwam_gmsa": True, "iis_cluster_iwam_name": "WEBFARM\\WebFarmPoolAccount"})
    assert named.startswith("iis_cluster_iwam_name: 'WebFarmPoolAccount' has 18 characters")
    # Through the spec: an AWX survey's "true" is a boolean too.
    [refused] = identity_problems({"n1": {"iis_cluster_iwam_gmsa": "true", "iis_cluster_iwam_password": "x"}})
    assert refused.startswith("iis_cluster_iwam_gmsa, iis_cluster_iwam_password: a group managed service account has no password")


def _item(host: str, **result: object) -> dict[str, object]:
    return {"item": host, "changed": True, "user": IWAM, "logon_type": "LogonBatch", **result}


SHOP = [{"pool": "Shop", "changed": True, "state": "Started", "restored": False, "start_error": None}]
APPHOST = {"cluster_iis_node": {"backend": "apphost"}}


def test_each_node_reads_its_item_of_the_rollout_and_the_nodes_after_a_stop_read_untouched():
    stopped = {"results": [_item("node1", pools=SHOP), _item("node2", failed=True, msg="node2: application pool Shop did not start")]}
    assert rollout_result("node1", None, stopped)["pools"] == SHOP
    assert rollout_result("node2", None, stopped)["failed"] is True
    assert rollout_result("node3", None, stopped) == {
        "skipped": True,
        "msg": "untouched: the roll-out stopped at node2, before this node",
    }
    refused = {"results": [{"item": "node1"}, {"item": "node3", "failed": True, "msg": "may not retrieve"}]}
    assert rollout_result("node3", refused, None)["msg"] == "may not retrieve"
    assert rollout_result("node1", refused, None)["msg"] == "untouched: the identity's probe failed on node3, before any node changed"
    assert rollout_result("node1", None, None) is None


def test_an_iis_7_cluster_reads_its_pools_and_anonymous_user_and_says_why_step_8_did_not_run():
    anonymous = {"changed": True, "site": "Shop", "user": IUSR, "logon_method": "ClearText", "overrides": [], "inherited": []}
    rollout = {"results": [_item("node1", pools=SHOP), _item("node2", changed=False, pools=[{**SHOP[0], "changed": False}])]}
    hostvars = {
        host: {**APPHOST, "anonymous_identity_result": anonymous, "wam_identity_rollout": rollout} for host in ("node1", "node2")
    }
    lines = cluster_summary(hostvars, ["node1", "node2"], "node2")
    node1, node2 = node_block(lines, "node1"), node_block(lines, "node2")
    assert node1["anonymous user"] == f"Shop runs as {IUSR} (logonMethod ClearText), set"
    assert node1["WAM identity"] == f"pools run as {IWAM} (LogonBatch): Shop set and started"
    assert node2["WAM identity"] == f"pools run as {IWAM} (LogonBatch): Shop already as asked"
    assert node2["configuration"] == "not run"
    assert node2["verification"].startswith("skipped on IIS 7-10")
    assert "metabase" not in node2 and "FTP anonymous" not in node2
