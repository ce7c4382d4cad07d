"""A node's sync report: built from the outcomes of its one batch, and given back to modules."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Outcome
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._sync_report import (
    PARTS,
    NodeReport,
    check_salt,
    check_same_digests,
    node_report,
    report_instructions,
    salt_id,
    target_reports,
)

SALT = "a-salt-of-sixteen-plus"


def outcomes(**failed):
    instructions = report_instructions("WEBFARM\\Administrator", ["ServerState"])
    values = {"host_facts": {"name": "WEB2"}, "metabase_digest": {"keys": {}}}
    return [
        (
            Outcome(instruction, "failed", error_code=failed[instruction.op], error_message="Access is denied.")
            if instruction.op in failed
            else Outcome(instruction, "ok", values.get(instruction.op, []))
        )
        for instruction in instructions
    ]


def test_one_batch_reads_every_part_with_the_salt_by_name():
    instructions = report_instructions("WEBFARM\\Administrator", ["ServerState"])

    assert [instruction.op for instruction in instructions] == list(PARTS.values())
    assert instructions[-1].args == {"salt": "salt", "exclude": ["ServerState"]}
    assert instructions[4].args == {"account": "WEBFARM\\Administrator"}
    assert report_instructions(None, [])[4].args == {}
    assert instructions[6].args == {"path": "W3SVC", "properties": ["AnonymousUserName"], "children": False}


def test_a_failed_part_is_an_error_of_the_report_not_a_failure():
    report = node_report("web2", outcomes(metabase_digest=0x80070005), SALT, ["ServerState"])

    assert report.digests is None
    assert report.errors["metabase"].code == 0x80070005
    assert report.computer == "WEB2"


def test_a_report_survives_the_round_trip_through_a_registered_result():
    report = node_report("web2", outcomes(), SALT, ["ServerState"])

    again = NodeReport.from_result({"changed": False, "node": report.to_result()}, "targets[0]")

    assert again == report
    assert SALT not in str(report.to_result())


@pytest.mark.parametrize("given", [{"skipped": True, "changed": False}, "web2", {"node": {"host": "web2"}}, None])
def test_anything_else_is_refused_naming_the_field(given):
    with pytest.raises(InvalidInput, match=r"^targets\[3\]: is not a node report"):
        NodeReport.from_result(given, "targets[3]")


def test_reports_must_share_the_salt_and_exclusions():
    report = node_report("web2", outcomes(), SALT, ["ServerState"])

    check_same_digests([report], SALT, ["serverstate"], "targets")
    with pytest.raises(InvalidInput, match=r"^targets\[0\]: the report of web2 was digested with another salt"):
        check_same_digests([report], SALT + "x", ["ServerState"], "targets")
    with pytest.raises(InvalidInput, match=r"^targets\[0\]: .*another salt or exclusion list"):
        check_same_digests([report], SALT, [], "targets")


def test_a_salt_must_be_long_and_its_id_reveals_nothing():
    assert check_salt(SALT) == SALT
    with pytest.raises(InvalidInput, match="^salt: must be at least 16 characters"):
        check_salt("short")
    assert salt_id(SALT) != salt_id(SALT + "x") and SALT not in salt_id(SALT)


def test_at_least_one_target():
    with pytest.raises(InvalidInput, match="^targets: give the report of at least one target node$"):
        target_reports([], "targets")
