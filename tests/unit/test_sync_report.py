"""A node's sync report: built from the outcomes of its one batch, and given back to modules."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Outcome
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._sync_report import (
    PARTS,
    NodeReport,
    check_against,
    check_salt,
    check_same_digests,
    listing_instruction,
    node_report,
    probe_instructions,
    probe_outcomes,
    probe_results,
    report_instructions,
    salt_id,
    target_reports,
)

SALT = "a-salt-of-sixteen-plus"


SUMMARY = {"root": "1" * 16, "subtrees": {"/LM": ["1" * 16, "2" * 16], "/LM/W3SVC": ["3" * 16]}}
DIFFERS = {"root": "4" * 16, "differing_keys": ["/LM"], "differing_subtrees": ["/LM/W3SVC"], "keys": {}}


def outcomes(against=None, **failed):
    instructions = report_instructions("WEBFARM\\Administrator", ["ServerState"], against=against)
    values = {"host_facts": {"name": "WEB2"}, "metabase_digest_tree": DIFFERS if against else SUMMARY}
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
    report = node_report("web2", outcomes(metabase_digest_tree=0x80070005), SALT, ["ServerState"])

    assert report.tree is None
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


def test_a_target_reports_where_it_differs_from_the_sources_summary():
    source = node_report("web1", outcomes(), SALT, ["ServerState"])
    summary = source.summary("against")

    instructions = report_instructions(None, ["ServerState"], against=summary)
    target = node_report("web2", outcomes(against=summary), SALT, ["ServerState"], against=summary)

    assert instructions[-1].args == {"salt": "salt", "exclude": ["ServerState"], "against": SUMMARY["subtrees"]}
    assert target.tree == {**DIFFERS, "against": SUMMARY["root"]}
    check_against(SUMMARY["root"], [target], "targets")
    with pytest.raises(InvalidInput, match=r"^targets\[0\]: the report of web2 was not made against the source's current"):
        check_against("5" * 16, [target], "targets")
    with pytest.raises(InvalidInput, match=r"^against: the report of web2 holds no summary"):
        target.summary("against")


def test_the_source_lists_what_any_target_differs_in_once():
    summary = {"root": "1" * 16, "subtrees": {}}
    first = node_report("web2", outcomes(against=summary), SALT, [], against=summary)
    same = node_report("web3", outcomes(), SALT, [])
    in_sync = NodeReport(
        "web4", {"metabase": {"root": "1" * 16, "differing_keys": [], "differing_subtrees": [], "keys": {}}}, {}, "", ()
    )

    listing = listing_instruction([first, in_sync], ["ServerState"], values=True)

    assert listing is not None and listing.op == "metabase_digest_tree"
    assert listing.args == {
        "salt": "salt", "exclude": ["ServerState"], "keys": ["/LM"], "subtrees": ["/LM/W3SVC"], "values": True
    }
    assert listing_instruction([in_sync], []) is None
    assert same.summary("source") == SUMMARY


def test_against_an_empty_summary_a_target_lists_its_whole_tree():
    instructions = report_instructions(None, [], against={"root": None, "subtrees": {}})

    assert instructions[-1].args["against"] == {}


def test_probes_travel_in_a_result_and_come_back_as_the_outcomes_they_were():
    computers = ["WEB2", "web3"]
    instructions = probe_instructions(computers)
    assert [instruction.args for instruction in instructions] == [{"computer": "WEB2"}, {"computer": "web3"}]
    outcomes = [
        Outcome(instructions[0], "ok", {"computer": "WEB2", "addresses": ["10.0.0.12"]}),
        Outcome(instructions[1], "failed", error_code=1722, error_message="The RPC server is unavailable."),
    ]
    results = probe_results(computers, outcomes)
    assert results == {
        "WEB2": {"addresses": ["10.0.0.12"], "error": None},
        "web3": {"addresses": None, "error": {"code": 1722, "message": "The RPC server is unavailable."}},
    }
    back = probe_outcomes(results, "source.probes")
    assert set(back) == {"WEB2", "WEB3"}
    assert back["WEB2"].status == "ok" and back["WEB2"].value["addresses"] == ["10.0.0.12"]
    assert (back["WEB3"].status, back["WEB3"].error_code) == ("failed", 1722)


@pytest.mark.parametrize("probes", [["WEB2"], {"WEB2": {"addresses": None, "error": None}}, {"WEB2": "10.0.0.12"}])
def test_probes_that_are_not_a_result_s_are_refused_naming_the_field(probes):
    with pytest.raises(InvalidInput, match=r"^source\.probes"):
        probe_outcomes(probes, "source.probes")
