"""KB step 8 by Web Deploy: skip rules from the per-node settings, the instructions, and what a
preview or a sync of each target means."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._web_deploy import (
    ENCRYPT_REF,
    TargetOutcome,
    check_target_map,
    error_text,
    preflight_failures,
    skip_rule,
    skip_rules,
    source_problems,
    sync_spec,
)

EMPTY = {"added": 0, "updated": 0, "deleted": 0, "bytes_copied": 0, "changes": [], "errors": []}


@pytest.mark.parametrize(
    ("setting", "rule"),
    [
        (
            "system.applicationHost/sites/site/logFile@directory",
            "xPath=/system.applicationHost/sites/site/logFile/@directory",
        ),
        (
            "system.applicationHost/log/centralW3CLogFile@directory",
            "xPath=/system.applicationHost/log/centralW3CLogFile/@directory",
        ),
        (
            "system.applicationHost/sites/site[@name='Shop']/logFile@directory",
            "xPath=/system.applicationHost/sites/site[@name='Shop']/logFile/@directory",
        ),
        ("system.applicationHost/*/logFile@directory", "xPath=/system.applicationHost/*/logFile/@directory"),
        ("system.applicationHost/sites/*@id", "xPath=/system.applicationHost/sites/*/@id"),
        ("location[@path='Shop']/system.webServer/httpLogging", "xPath=/location[@path='Shop']/system.webServer/httpLogging"),
    ],
)
def test_each_node_setting_becomes_one_skip_rule_naming_the_element_and_the_attribute(setting, rule):
    assert skip_rule(setting) == rule


@pytest.mark.parametrize(
    "setting",
    ["", "@directory", "a//b@c", "a/b@c,d", "a/b[@name='x,y']@c", "a/b@c d", "/a/b@c"],
)
def test_a_setting_that_is_not_a_path_to_an_attribute_is_refused_naming_its_index(setting):
    with pytest.raises(InvalidInput, match=r"^metabase_sync_node_settings\[1\]: .*is not a path to an attribute"):
        skip_rules(["a/b@c", setting], "metabase_sync_node_settings")


def test_the_role_s_default_node_settings_all_map_and_repeats_go():
    from pathlib import Path

    import yaml

    defaults = yaml.safe_load(Path("roles/metabase_sync/defaults/main.yml").read_text(encoding="utf-8"))
    settings = defaults["metabase_sync_node_settings"]
    assert len(skip_rules(settings + settings)) == len(settings)


def test_the_instruction_names_the_secret_never_its_value():
    spec = sync_spec("webServer", None, ["a/b@c"], encrypt=True)
    assert spec.instruction("web_deploy_sync", "NODE1") == Instruction(
        "web_deploy_sync", {"computer": "NODE1", "provider": "webServer", "skip": ["xPath=/a/b/@c"], "encrypt_secret": ENCRYPT_REF}
    )
    site = sync_spec("appHostConfig", "Shop", [], encrypt=False).instruction("web_deploy_preview", "NODE3")
    assert site == Instruction("web_deploy_preview", {"computer": "NODE3", "provider": "appHostConfig", "site": "Shop"})


@pytest.mark.parametrize(
    ("provider", "site", "message"),
    [("appHostConfig", None, "^site: provider=appHostConfig"), ("webServer", "Shop", "^site: provider=webServer"), ("iisApp", None, "^provider: ")],
)
def test_a_provider_and_site_that_do_not_fit_are_refused(provider, site, message):
    with pytest.raises(InvalidInput, match=message):
        sync_spec(provider, site, [], encrypt=False)


def test_targets_map_hosts_to_computer_names():
    assert check_target_map({"node1": "NODE1", "node3": "NODE3"}) == {"node1": "NODE1", "node3": "NODE3"}
    with pytest.raises(InvalidInput, match="^targets: 'NODE 1' is not a computer name"):
        check_target_map({"node1": "NODE 1"})
    with pytest.raises(InvalidInput, match="^targets.node1: the computer name is missing"):
        check_target_map({"node1": None})
    with pytest.raises(InvalidInput, match="^targets: two targets name the same computer"):
        check_target_map({"node1": "NODE1", "again": "node1"})
    with pytest.raises(InvalidInput, match="^targets: give"):
        check_target_map({})


def test_a_target_with_changes_is_out_of_sync_and_its_diff_shows_paths_only():
    outcome = TargetOutcome("node1", "NODE1", {**EMPTY, "updated": 1, "changes": [{"action": "update", "path": "sites/site[@name='Shop']"}]})
    assert outcome.out_of_sync and outcome.failure() is None
    assert outcome.diff()["prepared"] == "update sites/site[@name='Shop']\n"
    assert outcome.as_result()["in_sync"] is False
    assert not TargetOutcome("node3", "NODE3", EMPTY).out_of_sync


def test_errors_fail_whatever_the_counts_say_each_decoded_with_the_table_s_meaning():
    summary = {**EMPTY, "updated": 4, "errors": [{"code": "ERROR_DESTINATION_NOT_REACHABLE", "message": "Could not connect."}]}
    outcome = TargetOutcome("node1", "NODE1", summary)
    failure = outcome.failure()
    assert failure.startswith("node1 (NODE1): ERROR_DESTINATION_NOT_REACHABLE: ")
    assert "MsDepSvc" in failure and "(Web Deploy: Could not connect.)" in failure
    assert preflight_failures([outcome, TargetOutcome("node3", "NODE3", EMPTY)]) == [failure]
    assert outcome.as_result()["errors"][0]["description"] == error_text(summary["errors"][0])


def test_an_error_without_a_code_or_with_an_unknown_one_still_says_what_web_deploy_said():
    assert error_text({"code": None, "message": "boom"}) == "Web Deploy gave no error code: boom"
    assert "ERROR_SOMETHING_NEW is not a code this collection knows" in error_text({"code": "ERROR_SOMETHING_NEW", "message": "x"})


def test_a_source_without_web_deploy_is_refused_with_the_remedy():
    assert source_problems({"installed": True}, "node2") == []
    (problem,) = source_problems({"installed": False, "version": None}, "node2")
    assert problem.startswith("node2: Web Deploy is not installed") and "install Web Deploy" in problem
