"""The conformance run's pure part: the contract's schemas checked without jsonschema, the
verdict on each outcome, the probes' coverage of the contract and the table."""

from __future__ import annotations

import fnmatch
import re
import typing as t

import jsonschema
import pytest
import yaml

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils import _conformance as conformance
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, Outcome

CONTRACT = conformance.load_contract()
ROOT = conformance.CONTRACT_FILE.parents[1]

FACTS = {
    "name": "NODE1",
    "dns_host_name": "node1",
    "domain": "WEBFARM",
    "dns_domain": "webfarm.test",
    "domain_role": 3,
    "os_version": "6.1.7601",
    "iis_version": "7.5",
    "ip_addresses": [{"address": "10.20.0.12", "prefix_length": 24}],
}
BACKUP = {"name": "iissync-1", "version": 0, "date": "2024-05-01T10:15:00Z"}


def judged(op: str, value: t.Any, **args: t.Any) -> conformance.Row:
    instruction = Instruction(op, args)
    return conformance.judge("node1", conformance.Probe(instruction), Outcome(instruction, "ok", value), CONTRACT)


def test_the_contract_ships_with_the_collection() -> None:
    # The plugin reads the contract from the installed collection: galaxy.yml must not leave it out.
    ignored = yaml.safe_load((ROOT / "galaxy.yml").read_text())["build_ignore"]
    path = conformance.CONTRACT_FILE.relative_to(ROOT).as_posix()
    assert not [pattern for pattern in ignored if fnmatch.fnmatch(path, pattern) or path.startswith(pattern.rstrip("/") + "/")]


def test_every_schema_of_the_contract_uses_only_what_the_checker_checks() -> None:
    for op in CONTRACT.values():
        assert conformance.unsupported_keywords(op.result) == set(), op.name


def test_a_list_serialised_as_value_and_count_is_a_shape_mismatch_at_the_value() -> None:
    # PowerShell 5.1's ConvertTo-Json of a PSObject-wrapped array (issue 10, finding 1).
    row = judged("metabase_backup_list", {"value": [BACKUP], "Count": 1})

    assert row.verdict == conformance.SHAPE_MISMATCH
    assert row.detail == "at the value: expected array, got object"


def test_a_wrong_shape_deep_in_a_value_is_reported_naming_its_path() -> None:
    wrapped = {**FACTS, "ip_addresses": {"value": FACTS["ip_addresses"], "Count": 1}}
    assert judged("host_facts", wrapped).detail == "at /ip_addresses: expected array, got object"

    bad_item = {**FACTS, "ip_addresses": [{"address": "10.20.0.12", "prefix_length": "24"}]}
    assert judged("host_facts", bad_item).detail == "at /ip_addresses/0/prefix_length: expected integer, got string"

    extra = {**FACTS, "PSComputerName": "NODE1"}
    assert judged("host_facts", extra).detail == "at /PSComputerName: not in the contract"

    missing = {name: value for name, value in FACTS.items() if name != "domain_role"}
    assert judged("host_facts", missing).detail == "at the value: missing domain_role"

    shifted = {**BACKUP, "date": "2024-05-01T10:15:00+02:00"}
    assert judged("metabase_backup_create", shifted).verdict == conformance.SHAPE_MISMATCH
    assert judged("metabase_backup_create", shifted).detail.startswith("at /date: does not match")


def test_a_boolean_is_not_an_integer_and_oneof_reports_the_alternative_of_the_value_s_type() -> None:
    assert judged("host_facts", {**FACTS, "domain_role": True}).detail == "at /domain_role: expected integer, got boolean"
    # domain_user_get: null or an object; an object missing fields is judged as the object.
    assert judged("domain_user_get", {"name": "x"}).detail.startswith("at the value: missing sid")
    assert judged("domain_user_get", None).verdict == conformance.OK
    assert judged("domain_user_get", "x").detail == "at the value: matches none of the contract's alternatives"


@pytest.mark.parametrize(
    ("op", "value"),
    [
        ("host_facts", FACTS),
        ("host_facts", {**FACTS, "domain_role": 7}),
        ("host_facts", {**FACTS, "iis_version": None}),
        ("host_facts", {**FACTS, "iis_version": "seven"}),
        ("metabase_backup_list", [BACKUP, {**BACKUP, "version": -1}]),
        ("account_lookup", {"sid": "S-1-5-32-545", "name": "BUILTIN\\Users", "kind": "alias"}),
        ("account_lookup", {"sid": "S-1-5-32-545", "name": "BUILTIN\\Users", "kind": "computer"}),
        ("account_logon_check", {"code": 1326, "message": "Logon failure"}),
        ("account_logon_check", {"code": 1326}),
        ("metabase_digest_tree", {"root": "0" * 16, "keys": {"/LM": {"digest": "0" * 16, "properties": {"KeyType": "f" * 15}}}}),
    ],
)
def test_the_checker_agrees_with_jsonschema_on_the_contract(op: str, value: t.Any) -> None:
    schema = CONTRACT[op].result
    assert (conformance.shape_mismatch(schema, value) is None) == jsonschema.Draft202012Validator(schema).is_valid(value)


def test_a_windows_error_is_reported_with_its_code_and_an_expected_refusal_passes() -> None:
    instruction = Instruction("metabase_set", {"path": "W3SVC/iisconf-1", "property": "ServerComment", "value": "x"})
    refused = Outcome(instruction, "failed", error_code=0x80070003, error_message="The system cannot find the path specified.")
    other = Outcome(instruction, "failed", error_code=0x80070005, error_message="Access is denied.")
    accepted = Outcome(instruction, "ok", None)
    probe = conformance.Probe(instruction, "a missing scratch key", expect_error=0x80070003)

    assert conformance.judge("node1", probe, refused, CONTRACT).verdict == conformance.OK
    row = conformance.judge("node1", probe, other, CONTRACT)
    assert row.verdict == conformance.WINDOWS_ERROR
    assert "0x80070005 ERROR_ACCESS_DENIED: Access is denied." in row.detail
    assert "(expected 0x80070003)" in row.detail
    assert conformance.judge("node1", probe, accepted, CONTRACT).verdict == conformance.UNEXPECTED_SUCCESS
    read = conformance.Probe(Instruction("dcom_protocols"))
    failed = Outcome(read.instruction, "failed", error_code=0x80070005, error_message="Access is denied.")
    assert conformance.judge("node1", read, failed, CONTRACT).verdict == conformance.WINDOWS_ERROR


def test_the_probes_and_the_ops_left_out_cover_the_contract_exactly() -> None:
    scratch = conformance.Scratch("0a1b2c3d")
    probes = [
        *conformance.domain_probes(scratch, "WEBFARM"),
        conformance.domain_user_absent(scratch.account),
        *conformance.node_first_probes("WEBFARM\\iisconf-0a1b2c3d"),
        *conformance.node_probes(scratch, "NODE1", "1", "WEBFARM\\iisconf-0a1b2c3d", "S-1-5-21-1-2-3-1000"),
        *conformance.cleanup_probes(scratch.account),
    ]
    probed = {probe.instruction.op for probe in probes}
    assert probed | set(conformance.NOT_EXERCISED) == set(CONTRACT)
    assert not probed & set(conformance.NOT_EXERCISED)
    # Every write is aimed at a scratch object, or at one that does not exist.
    for probe in probes:
        if CONTRACT[probe.instruction.op].write:
            assert "scratch" in probe.purpose, probe


def test_scratch_names_and_passwords_are_fresh_and_fit_windows() -> None:
    first, second = conformance.Scratch.new(), conformance.Scratch.new()
    assert first.account != second.account
    assert len(first.account) <= 20
    password = conformance.scratch_password()
    assert password != conformance.scratch_password()
    assert re.fullmatch(conformance.SCRATCH_PASSWORD_PATTERN, password)


def test_the_table_is_aligned_with_a_header_and_every_op_unlisted_is_added() -> None:
    rows = [conformance.Row("node1", "host_facts", "ok"), conformance.Row("node1", "metabase_set", "ok", "refused as expected")]
    lines = conformance.render_table(rows)
    assert lines[0].startswith("host ")
    assert lines[1] == "node1  host_facts    ok"
    assert lines[2] == "node1  metabase_set  ok      refused as expected"
    added = conformance.unlisted_rows(rows, CONTRACT)
    assert {row.op for row in added} == set(CONTRACT) - {"host_facts", "metabase_set"}
    assert all(row.verdict == conformance.NOT_EXERCISED_VERDICT for row in added)


def test_on_an_iis7_node_and_a_gmsa_domain_controller_the_probes_and_the_ops_left_out_cover_the_contract() -> None:
    scratch = conformance.Scratch("0a1b2c3d")
    account, sid = "WEBFARM\\iisconf-0a1b2c3d", "S-1-5-21-1-2-3-1000"
    domain = [
        conformance.domain_user_absent(scratch.account),
        *conformance.domain_probes(scratch, "WEBFARM"),
        *conformance.gmsa_domain_probes(scratch, account),
        *conformance.cleanup_probes(scratch.account),
    ]
    node = [
        *conformance.node_first_probes(account),
        *conformance.apphost_first_probes(),
        *conformance.apphost_probes(scratch, "NODE1", "Default Web Site", account, sid),
    ]
    probed = {probe.instruction.op for probe in domain + node}
    left_out = set(conformance.NOT_EXERCISED_APPHOST) | set(conformance.NOT_EXERCISED_GMSA)
    assert probed | left_out == set(CONTRACT)
    assert not probed & left_out
    # A node leaves the domain controller's gMSA ops to the domain scope.
    assert not {probe.instruction.op for probe in node} & set(conformance.GMSA_DOMAIN_OPS)
    for probe in domain + node:
        if CONTRACT[probe.instruction.op].write:
            assert "scratch" in probe.purpose, probe
    # The scratch pool never starts, and is removed before app_pool_recycle is aimed at it.
    ops = [probe.instruction.op for probe in node]
    added = next(probe for probe in node if probe.instruction.op == "web_config_element_add")
    assert added.instruction.args["attributes"] == {"name": scratch.app_pool, "autoStart": "false"}
    assert ops.index("web_config_element_remove") < ops.index("app_pool_recycle")
    recycle = node[ops.index("app_pool_recycle")]
    assert recycle.instruction.args == {"name": scratch.app_pool} and recycle.expect_error == 0x80070002
    # The last probe reads every pool, the one before it the Users group.
    assert node[-1].instruction == Instruction("app_pools_get") and node[-2].instruction.op == "local_group_members_get"


def test_without_a_site_or_a_scratch_account_the_iis7_probes_leave_those_reads_out() -> None:
    probes = conformance.apphost_probes(conformance.Scratch("0a1b2c3d"), "NODE1", None, None, None)
    ops = {probe.instruction.op for probe in probes}
    assert "web_config_secret_matches" not in ops
    assert not ops & {"local_group_member_add", "user_right_grant"}
    assert all(probe.instruction.args.get("location") is None for probe in probes)


def test_an_expected_value_is_checked_by_pointer_and_named_without_the_node_s_value() -> None:
    instruction = Instruction("gmsa_check", {"name": "iiscf0a1b2c3d"})
    probe = conformance.Probe(instruction, "a missing scratch gMSA", expect={"/exists": False, "/error/code": 1317})
    missing = {"exists": False, "can_retrieve": False, "error": {"code": 1317, "message": "The specified account does not exist."}}
    assert conformance.judge("node1", probe, Outcome(instruction, "ok", missing), CONTRACT).verdict == conformance.OK
    found = {"exists": True, "can_retrieve": True, "error": None}
    row = conformance.judge("node1", probe, Outcome(instruction, "ok", found), CONTRACT)
    assert row.verdict == conformance.UNEXPECTED_VALUE
    assert row.detail == "a missing scratch gMSA; at /exists: expected false"
    assert not row.passed
    assert conformance.value_mismatch({"": None}, None) is None
    assert conformance.value_mismatch({"": None}, {"section": "s"}) == "at the value: expected null"
    assert conformance.value_mismatch({"": False}, 0) == "at the value: expected false"
    assert conformance.value_mismatch({"/0/name": "p"}, []) == "at /0/name: expected \"p\""
    assert conformance.value_mismatch({"/0/name": "p"}, [{"name": "p"}]) is None


@pytest.mark.parametrize(
    ("os_version", "expected"),
    [("5.0.2195", False), ("5.2.3790", False), ("6.1.7601", False), ("6.2.9200", True), ("6.3.9600", True), ("10.0.20348", True), (None, False)],
)
def test_gmsas_need_a_domain_controller_of_windows_server_2012_or_later(os_version: str | None, expected: bool) -> None:
    assert conformance.has_gmsa(os_version) is expected


def test_a_pool_s_element_path_doubles_a_quote_in_its_name() -> None:
    assert conformance.pool_element("Bob's Pool") == "add[@name='Bob''s Pool']"
    assert conformance.pool_names([{"name": "A"}, {"name": "B"}]) == ["A", "B"]
    assert conformance.pool_names(None) == []
