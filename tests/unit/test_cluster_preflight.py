"""The playbook's pre-flight decisions: steps and tags, the inventory's shape, every role
variable against its spec, what the nodes say, and secrets masked in every message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._cluster_preflight import (
    STEP_ENTRY_POINTS,
    STEPS,
    ClusterInventory,
    NodeReport,
    SiteAsked,
    asked_steps,
    backend_problems,
    inventory_problems,
    masked,
    cluster_accounts,
    identity_problems,
    node_problems,
    sync_method,
    sync_method_problems,
    web_deploy_problems,
    secret_values,
    selected_steps,
    variable_problems,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._host_facts import HostFacts, iis_backend
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput

ROLES = Path(__file__).resolve().parents[2] / "roles"


def _options(step: str) -> dict:
    role, entry_point = STEP_ENTRY_POINTS[step]
    return yaml.safe_load((ROLES / role / "meta" / "argument_specs.yml").read_text())["argument_specs"][entry_point]["options"]


def _inventory(**changes) -> ClusterInventory:
    fields = {
        "group": "iis_cluster",
        "groups": {"all": ["dc1", "node1", "node2"], "iis_cluster": ["node1", "node2"], "domain_controllers": ["dc1"]},
        "play_hosts": ["node1", "node2"],
        "addresses": {"node1": "127.0.0.12:5985", "node2": "127.0.0.13:5985"},
    }
    return ClusterInventory(**{**fields, **changes})


def _facts(name: str, iis: str | None = "5.0", **extra) -> dict:
    return {"name": name, "domain": "WEBFARM", "dns_domain": "webfarm.test", "domain_role": 3, "iis_version": iis, **extra}


def test_every_step_has_an_entry_point_with_a_spec():
    assert set(STEP_ENTRY_POINTS) == set(STEPS)
    for step in STEPS:
        assert _options(step)


@pytest.mark.parametrize(
    ("asked", "steps"),
    [(None, list(STEPS)), ("node_access, verify", ["node_access", "verify"]), ("node_access\nverify\n", ["node_access", "verify"])],
)
def test_the_steps_asked_for_come_as_a_list_or_a_string(asked, steps):
    assert asked_steps(asked) == steps


def test_an_unknown_step_is_named():
    with pytest.raises(InvalidInput, match=r"^iis_cluster_steps: 'sync' is not a step; the steps are domain_accounts, "):
        asked_steps(["verify", "sync"])


def test_tags_narrow_the_steps_in_the_playbook_s_order():
    assert selected_steps(["verify", "node_access"], ["all"], []) == ["node_access", "verify"]
    assert selected_steps(list(STEPS), ["verify", "node_access"], []) == ["node_access", "verify"]
    assert selected_steps(list(STEPS), [], ["metabase_sync", "verify"]) == list(STEPS[:4])


def test_molecule_s_own_skip_tags_are_not_steps_but_are_accepted():
    assert selected_steps(list(STEPS), [], ["molecule-notest", "notest"]) == list(STEPS)
    with pytest.raises(InvalidInput, match=r"^--tags: 'notest' is not a step"):
        selected_steps(list(STEPS), ["notest"], [])


def test_a_misspelled_tag_or_a_selection_of_nothing_is_refused():
    with pytest.raises(InvalidInput, match=r"^--tags: 'nodeaccess' is not a step"):
        selected_steps(list(STEPS), ["nodeaccess"], [])
    with pytest.raises(InvalidInput, match=r"^iis_cluster_steps and --tags: together they select no step"):
        selected_steps(["domain_accounts"], ["verify"], [])


def test_a_well_formed_inventory_has_no_problem():
    assert inventory_problems(_inventory(), list(STEPS)) == []


def test_a_missing_group_names_the_groups_there_are():
    assert inventory_problems(_inventory(group="iis_clustr"), ["verify"]) == [
        "iis_cluster_group: the inventory has no group 'iis_clustr' (its groups: domain_controllers, iis_cluster)"
    ]


def test_one_node_a_foreign_source_and_a_machine_listed_twice_are_refused():
    one = _inventory(groups={"iis_cluster": ["node1"], "domain_controllers": ["dc1"]}, play_hosts=["node1"])
    assert inventory_problems(one, ["node_access"])[0].startswith("iis_cluster_group: iis_cluster has 1 host;")
    assert inventory_problems(_inventory(source="node9"), ["node_access"]) == [
        "iis_cluster_source: 'node9' is not a host of iis_cluster (node1, node2)"
    ]
    twice = _inventory(addresses={"node1": "127.0.0.12:5985", "node2": "127.0.0.12:5985"})
    assert inventory_problems(twice, ["node_access"]) == [
        "iis_cluster: node1 and node2 are the same machine (127.0.0.12:5985); list each node once"
    ]


def test_a_limit_is_refused_unless_acknowledged_and_always_for_the_sync():
    limited = _inventory(play_hosts=["node2"])
    assert inventory_problems(limited, ["node_access"]) == [
        "--limit: node1 of iis_cluster is left out of the play; set iis_cluster_allow_limit=true to run these steps "
        "on part of the cluster"
    ]
    acknowledged = _inventory(play_hosts=["node2"], allow_limit=True)
    assert inventory_problems(acknowledged, ["node_access"]) == []
    assert inventory_problems(acknowledged, ["node_access", "verify"])[0].startswith("--limit: verify needs every node")


def test_the_accounts_step_needs_a_domain_controller():
    no_dc = _inventory(groups={"iis_cluster": ["node1", "node2"]})
    assert inventory_problems(no_dc, ["node_access"]) == []
    assert inventory_problems(no_dc, ["domain_accounts"])[0].startswith("domain_controllers: the domain_accounts step")


def test_variables_are_checked_against_every_selected_role_spec_and_bounds():
    specs = {step: _options(step) for step in ("anonymous_identity", "metabase_sync")}
    good = {"iis_cluster_iusr_password": "x"}
    values = {
        "node1": {**good, "anonymous_identity_service": "SMTPSVC", "metabase_sync_iissync_retries": 50},
        "node2": {**good, "anonymous_identity_service": "SMTPSVC", "metabase_sync_iissync_retries": 3},
    }

    assert variable_problems(specs, values) == [
        "anonymous_identity: value of anonymous_identity_service must be one of: W3SVC, MSFTPSVC, got: SMTPSVC",
        "metabase_sync: metabase_sync_iissync_retries: must be from 0 to 10; got 50 (on node1)",
    ]


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ({"metabase_sync_backup_keep": 0}, "metabase_sync_backup_keep: must be from 1 to 20; got 0"),
        ({"metabase_sync_backup_keep": 21}, "metabase_sync_backup_keep: must be from 1 to 20; got 21"),
        ({"metabase_sync_backup_name": "CON"}, "metabase_sync_backup_name: 'CON' cannot name a metabase backup (it is a reserved"),
        ({"metabase_sync_backup_name": "."}, "metabase_sync_backup_name: '.' cannot name a metabase backup (a file name"),
        ({"metabase_sync_backup_name": "a/b"}, "metabase_sync_backup_name: 'a/b' cannot name a metabase backup (IIS refuses"),
    ],
)
def test_the_sync_backup_name_and_retention_are_checked(given, problem):
    [found] = variable_problems({"metabase_sync": _options("metabase_sync")}, {"node1": given})
    assert found.startswith(f"metabase_sync: {problem}")


def test_a_missing_secret_and_a_secret_that_is_no_string_are_named_without_the_value():
    specs = {"wam_identity": _options("wam_identity")}
    assert variable_problems(specs, {"node1": {}}) == ["wam_identity: missing required arguments: iis_cluster_iwam_password"]
    problems = variable_problems(specs, {"node1": {"iis_cluster_iwam_password": ["Secret-1", "Secret-2"]}})
    assert problems == [
        "wam_identity: iis_cluster_iwam_password: a secret must be a string, but it is a list; quote it, or pass the one "
        "value it holds"
    ]


def test_a_site_number_in_other_digits_is_refused():
    specs = {"anonymous_identity": _options("anonymous_identity")}
    values = {"node1": {"iis_cluster_iusr_password": "x", "anonymous_identity_site": "\u0661"}}
    assert variable_problems(specs, values) == [
        "anonymous_identity: anonymous_identity_site: a site number is written in the digits 0-9; got '\u0661'"
    ]


def test_every_secret_the_run_knows_is_masked_even_inside_another_variable():
    specs = [_options(step) for step in STEPS]
    values = {"node1": {"iis_cluster_iusr_password": "Iusr-Secret-1", "ansible_password": "Admin-Secret-1"}}
    secrets = secret_values(specs, values)
    assert secrets == {"Iusr-Secret-1", "Admin-Secret-1"}
    message = masked(["value of anonymous_identity_service must be one of: W3SVC, got: Iusr-Secret-1."], secrets)
    assert "Iusr-Secret-1" not in message and message.endswith("got: ********")


def test_nodes_that_answer_run_iis_once_each_in_one_generation():
    nodes = [
        NodeReport.from_result("node1", _facts("NODE1", sites=[{"path": "W3SVC/1", "server_comment": "Shop"}])),
        NodeReport.from_result("node2", _facts("NODE2")),
    ]
    assert node_problems(nodes, "node1", SiteAsked("W3SVC", "1"), {"base": "web"}) == []
    assert node_problems(nodes, "node1", SiteAsked("W3SVC", "Shop"), {"base": "web"}) == []

    broken = [
        NodeReport.from_result("node1", _facts("NODE1", sites=[])),
        NodeReport.from_result("node2", _facts("NODE1")),
        NodeReport.from_result("node3", _facts("NODE3", iis=None)),
        NodeReport.from_result("node4", _facts("NODE4", iis="10.0")),
        NodeReport.from_result("node5", {"unreachable": True, "msg": "connection refused."}),
    ]
    assert node_problems(broken, "node1", SiteAsked("W3SVC", "999"), {"base": "x\\y"}) == [
        "node5: did not answer the pre-flight: connection refused",
        "node3: runs no IIS (NODE3 has no W3SVC); every node of the cluster runs IIS",
        "node1 and node2 are the same computer NODE1; list each node once",
        "the nodes mix two IIS backends (metabase (IIS 5/6): node1 IIS 5.0, node2 IIS 5.0; applicationHost.config "
        "(IIS 7-10): node4 IIS 10.0); a cluster's nodes share one: give each kind its own inventory group "
        "(iis_cluster_group) and run the playbook for each",
        "anonymous_identity_site: node1 has no site W3SVC/999 (its sites: none)",
        node_problems([broken[0]], "node1", None, {"base": "x\\y"})[0],
    ]
    assert node_problems([broken[0]], "node1", None, {"base": "x\\y"})[0].startswith("iis_cluster_account_base:")


def test_a_cluster_of_one_backend_passes_and_a_mixed_one_names_the_nodes_of_each_kind():
    modern = [NodeReport.from_result(f"web{n}", _facts(f"WEB{n}", iis=version)) for n, version in ((1, "10.0"), (2, "7.5"))]
    assert backend_problems(modern) == []
    assert backend_problems([*modern, NodeReport.from_result("node3", _facts("NODE3", iis=None))]) == []
    [problem] = backend_problems([NodeReport.from_result("old", _facts("OLD", iis="6.0")), *modern])
    assert problem.startswith(
        "the nodes mix two IIS backends (metabase (IIS 5/6): old IIS 6.0; applicationHost.config (IIS 7-10): "
        "web1 IIS 10.0, web2 IIS 7.5)"
    )


@pytest.mark.parametrize(("version", "backend"), [("5.0", "metabase"), ("6.0", "metabase"), ("7.0", "apphost"), ("10.0", "apphost"), (None, None)])
def test_the_backend_follows_the_iis_version(version, backend):
    assert iis_backend(version) == backend
    assert HostFacts.from_report(_facts("NODE1", iis=version)).as_result()["backend"] == backend


def test_step_8_s_source_is_asked_iis_setup_s_accounts_and_the_kb_s_when_they_can_be_told():
    nodes = [NodeReport.from_result("node1", _facts("NODE1")), NodeReport.from_result("node2", _facts("NODE2"))]
    setup = ["IUSR_NODE1", "IWAM_NODE1"]
    assert cluster_accounts(nodes, "node1", {"base": "web"}) == [*setup, "WEBFARM\\IUSR_web", "WEBFARM\\IWAM_web"]
    assert cluster_accounts(nodes, "node1", {"base": None, "iusr_name": "Anon", "iwam_name": "Pooled"}) == [
        *setup,
        "WEBFARM\\Anon",
        "WEBFARM\\Pooled",
    ]
    # A member server without a base, an invalid base: IIS setup's only, and the steps that use
    # the names refuse them themselves. A source that gave no facts: none.
    assert cluster_accounts(nodes, "node1", {"base": None}) == setup
    assert cluster_accounts(nodes, "node1", {"base": "x\\y"}) == setup
    silent = [NodeReport.from_result("node1", {"unreachable": True, "msg": "refused"})]
    assert cluster_accounts(silent, "node1", {"base": "web"}) == []


def test_step_8_s_own_source_and_targets_are_hosts_of_the_group():
    inventory = _inventory(sync_source="node7", sync_targets=["node9", "node1"])
    assert inventory_problems(inventory, ["node_access"]) == []
    assert inventory_problems(inventory, ["metabase_sync"]) == [
        "metabase_sync_source: 'node7' is not a host of iis_cluster (node1, node2)",
        "metabase_sync_targets: 'node9' is not a host of iis_cluster (node1, node2)",
    ]
    assert inventory_problems(_inventory(sync_targets=["node1"]), ["verify"]) == [
        "metabase_sync_targets: 'node1' is the sync source node; a target is another node"
    ]


def test_a_gmsa_iwam_identity_with_a_password_is_refused_once_naming_both_variables():
    gmsa = {"iis_cluster_iwam_gmsa": True, "iis_cluster_iwam_password": "Iwam-Secret-1"}
    assert identity_problems({"node1": gmsa, "node2": gmsa}) == [
        "iis_cluster_iwam_gmsa, iis_cluster_iwam_password: a group managed service account has no password (the "
        "domain derives it; only the nodes allowed retrieve it): leave iis_cluster_iwam_password unset"
    ]
    (problem,) = identity_problems({"node1": gmsa, "node2": {**gmsa, "iis_cluster_iwam_gmsa": "no"}})
    assert problem.endswith("leave iis_cluster_iwam_password unset (on node1)") and "Iwam-Secret-1" not in problem
    assert identity_problems({"node1": {**gmsa, "iis_cluster_iwam_password": ""}, "node2": {"iis_cluster_iwam_password": "x"}}) == []


def test_a_gmsa_name_longer_than_15_characters_is_refused_by_the_nodes_round():
    source = NodeReport("node2", HostFacts("NODE2", "WEBFARM", "webfarm.test", 3, "10.0"))
    names = {"base": "webfarm0123", "iusr_name": None, "iwam_name": None, "iwam_gmsa": True}
    (problem,) = node_problems([source], "node2", None, names)
    assert problem.startswith("iis_cluster_account_base: 'IWAM_webfarm0123' has 16 characters; with iis_cluster_iwam_gmsa")
    assert node_problems([source], "node2", None, {**names, "base": "web"}) == []


def test_step_8_s_method_must_run_on_the_source_s_iis_and_web_deploy_s_backup_name_must_make_folders():
    modern = [NodeReport("node2", HostFacts("NODE2", "WEBFARM", "webfarm.test", 3, "10.0"))]
    legacy = [NodeReport("node2", HostFacts("NODE2", "WEBFARM", "webfarm.test", 3, "6.0"))]
    assert sync_method_problems(modern, "node2", {}) == []
    assert sync_method_problems(legacy, "node2", {"metabase_sync_method": "iissync"}) == []
    (problem,) = sync_method_problems(modern, "node2", {"metabase_sync_method": "iissync"})
    assert problem.startswith("metabase_sync_method: iissync does not run on applicationHost.config (IIS 7-10)")
    assert problem.endswith("choose web_deploy or shared_config")
    (problem,) = sync_method_problems(legacy, "node2", {"metabase_sync_method": "web_deploy"})
    assert problem.endswith("choose iissync")
    (problem,) = sync_method_problems(modern, "node2", {"metabase_sync_backup_name": "before sync"})
    assert problem.startswith("metabase_sync_backup_name: 'before sync' cannot name an IIS configuration backup")
    # A source that gave no facts is named by node_problems already.
    assert sync_method_problems([NodeReport("node2", None, error="down")], "node2", {"metabase_sync_method": "iissync"}) == []


def test_step_8_s_method_is_the_operator_s_else_the_first_of_the_source_s_iis():
    modern = [NodeReport("node1", HostFacts("NODE1", "WEBFARM", "webfarm.test", 3, "6.0")),
              NodeReport("node2", HostFacts("NODE2", "WEBFARM", "webfarm.test", 3, "10.0"))]
    assert sync_method(modern, "node2", {}) == "web_deploy"
    assert sync_method(modern, "node1", {}) == "iissync"
    assert sync_method(modern, "node2", {"metabase_sync_method": "shared_config"}) == "shared_config"
    assert sync_method([NodeReport("node2", None, error="down")], "node2", {}) is None


def test_web_deploy_s_provider_and_site_fit_and_each_node_setting_makes_a_skip_rule():
    options = _options("metabase_sync")
    assert web_deploy_problems(options, {"metabase_sync_web_deploy_provider": "webServer"}) == []
    assert web_deploy_problems(options, {"metabase_sync_web_deploy_provider": "appHostConfig", "metabase_sync_web_deploy_site": "Shop"}) == []
    (problem,) = web_deploy_problems(options, {"metabase_sync_web_deploy_provider": "appHostConfig"})
    assert problem.startswith("metabase_sync_web_deploy_site: provider=appHostConfig syncs one site")
    (problem,) = web_deploy_problems(options, {"metabase_sync_node_settings": ["system.applicationHost/log@a", "a,b@c"]})
    assert problem.startswith("metabase_sync_node_settings[1]: 'a,b@c' is not a path to an attribute")
