"""Comparing IIS 7-10 nodes' configuration digests: a target's differing sections against the
source's details of them, named by section, location, element and attribute; an encrypted value
never shown; reports checked before any comparison; custom-identity pools that do not run."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._apphost_compare import (
    ApphostReport,
    check_against,
    check_comparable,
    describe_differences,
    detail_instruction,
    pool_problems,
    report_instructions,
    section_differences,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._sync_report import salt_id

SALT = "a-salt-of-this-run-0123"
POOLS = "|system.applicationHost/applicationPools"
ANONYMOUS = "Shop|system.webServer/security/authentication/anonymousAuthentication"


def element(digest, attributes, values=None):
    entry = {"digest": digest, "attributes": attributes}
    if values is not None:
        entry["values"] = values
    return entry


def report(host, tree, pools=(), exclude=()):
    return ApphostReport(host, {"tree": tree, "pools": list(pools)}, {}, salt_id(SALT), tuple(exclude))


SOURCE_DETAILS = {
    POOLS: {
        "add[@name='Shop']": element("a1", {"name": "n1"}, {"name": "Shop"}),
        "add[@name='Shop']/processModel": element(
            "a2", {"idleTimeout": "t1", "password": "p1"}, {"idleTimeout": "00:00:00", "password": None}
        ),
    },
    f"{ANONYMOUS}": {},
}
TARGET_TREE = {
    "root": "r2",
    "against": "r1",
    "differing_sections": [POOLS, ANONYMOUS],
    "details": {
        POOLS: {
            "add[@name='Shop']": element("a1", {"name": "n1"}, {"name": "Shop"}),
            "add[@name='Shop']/processModel": element(
                "b2", {"idleTimeout": "t2", "password": "p2"}, {"idleTimeout": "00:05:00", "password": None}
            ),
            "add[@name='Extra']": element("b3", {"name": "n3"}, {"name": "Extra"}),
        },
        ANONYMOUS: {"": element("b4", {"logonMethod": "l1"}, {"logonMethod": "Network"})},
    },
}


def test_differences_are_named_by_section_location_element_and_attribute():
    target = report("node1", TARGET_TREE)
    differences = section_differences(SOURCE_DETAILS, target)
    assert [(d.section, d.location) for d in differences] == [
        ("system.applicationHost/applicationPools", ""),
        ("system.webServer/security/authentication/anonymousAuthentication", "Shop"),
    ]
    lines = describe_differences("node2", "node1", differences, SOURCE_DETAILS, target)
    assert lines == [
        "system.applicationHost/applicationPools at the server level, add[@name='Shop']/processModel: idleTimeout "
        'differs: node2 has "00:00:00", node1 has "00:05:00"',
        "system.applicationHost/applicationPools at the server level, add[@name='Shop']/processModel: password "
        "differs (encrypted)",
        "system.applicationHost/applicationPools at the server level, add[@name='Extra']: the element is only on "
        "the target (name)",
        "system.webServer/security/authentication/anonymousAuthentication at location 'Shop', the section's "
        'element: the element is only on the target (logonMethod)',
    ]


def test_a_bucket_of_a_wide_section_is_compared_as_its_section():
    bucket = f"{POOLS}//3f"
    tree = {"root": "r2", "against": "r1", "differing_sections": [bucket], "details": {bucket: {"add[@name='P1']": element("x", {"queueLength": "q2"}, {"queueLength": "2000"})}}}
    source = {bucket: {"add[@name='P1']": element("y", {"queueLength": "q1"}, {"queueLength": "1500"})}}
    target = report("node1", tree)
    differences = section_differences(source, target)
    assert describe_differences("node2", "node1", differences, source, target) == [
        "system.applicationHost/applicationPools at the server level, add[@name='P1']: queueLength differs: "
        'node2 has "1500", node1 has "2000"'
    ]


def test_an_attribute_set_on_one_node_only_reads_as_inherited_on_the_other():
    tree = {
        "root": "r2",
        "against": "r1",
        "differing_sections": [POOLS],
        "details": {POOLS: {"add[@name='Shop']": element("x", {"name": "n1", "queueLength": "q"}, {"name": "Shop", "queueLength": "2000"})}},
    }
    source = {POOLS: {"add[@name='Shop']": element("y", {"name": "n1", "autoStart": "s"}, {"name": "Shop", "autoStart": None})}}
    target = report("node1", tree)
    assert describe_differences("node2", "node1", section_differences(source, target), source, target) == [
        "system.applicationHost/applicationPools at the server level, add[@name='Shop']: autoStart is set (encrypted) "
        "on node2, inherited or the default on node1",
        "system.applicationHost/applicationPools at the server level, add[@name='Shop']: queueLength is \"2000\" on "
        "node1, inherited or the default on node2",
    ]


def test_the_source_details_only_the_sections_some_target_names():
    same = report("node3", {"root": "r1", "against": "r1", "differing_sections": [], "details": {}})
    assert detail_instruction([same], []) is None
    instruction = detail_instruction([report("node1", TARGET_TREE), same], ["x@y"])
    assert instruction.op == "apphost_digest_tree"
    assert instruction.args == {"salt": "salt", "exclude": ["x@y"], "sections": [POOLS, ANONYMOUS], "values": True}


def test_a_report_is_read_in_one_batch_with_the_pools():
    summary = {"root": "r1", "sections": {POOLS: "s"}, "buckets": {}}
    assert [(i.op, i.args) for i in report_instructions(["x@y"], summary)] == [
        ("apphost_digest_tree", {"salt": "salt", "exclude": ["x@y"], "against": summary, "values": True}),
        ("app_pools_get", {}),
    ]


def test_reports_of_another_salt_exclusion_or_source_state_are_refused():
    with pytest.raises(InvalidInput, match=r"targets\[0\]: the report of node1 was digested with another salt"):
        check_comparable([report("node1", TARGET_TREE, exclude=["a@b"])], SALT, [], "targets")
    with pytest.raises(InvalidInput, match="not made against the source's current configuration digests"):
        check_against("r9", [report("node1", TARGET_TREE)], "targets")
    with pytest.raises(InvalidInput, match="is not a node report"):
        ApphostReport.from_result({"skipped": True}, "source")
    round_trip = ApphostReport.from_result({"node": report("node1", TARGET_TREE).to_result()}, "targets[0]")
    assert round_trip.tree == TARGET_TREE


def test_a_custom_identity_pool_that_does_not_run_is_a_problem():
    pools = [
        {"name": "Shop", "state": "Stopped", "identity_type": "SpecificUser", "user_name": "WEBFARM\\IWAM_web"},
        {"name": "DefaultAppPool", "state": "Stopped", "identity_type": "ApplicationPoolIdentity", "user_name": None},
        {"name": "Api", "state": "Started", "identity_type": "SpecificUser", "user_name": "WEBFARM\\Api$"},
    ]
    [problem] = pool_problems(pools)
    assert problem.startswith("application pool 'Shop' (identity WEBFARM\\IWAM_web) is Stopped")
