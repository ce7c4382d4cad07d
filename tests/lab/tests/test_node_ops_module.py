"""The node_ops module as a whole: argument validation as Ansible.Basic does it, the batch
checked before anything runs, check mode, stop_on_error, changed, and secrets kept out of
what the module prints."""

from __future__ import annotations

import json
import typing as t

import pytest

from iis_lab.lab import Lab

if t.TYPE_CHECKING:
    from conftest import MetabaseReader, NodeOps

GET_W3SVC = {"op": "metabase_get", "args": {"path": "W3SVC", "properties": ["AnonymousUserName"]}}
SET_COMMENT = {"op": "metabase_set", "args": {"path": "W3SVC/1", "property": "ServerComment", "value": "Cluster site"}}
SET_ON_MISSING_KEY = {"op": "metabase_set", "args": {"path": "W3SVC/9", "property": "ServerComment", "value": "x"}}


def comments(read_metabase: MetabaseReader) -> tuple[str, str]:
    """The default site's ServerComment on NODE1 and NODE2."""
    return read_metabase("NODE1", "W3SVC/1", "ServerComment"), read_metabase("NODE2", "W3SVC/1", "ServerComment")


def call_raw(lab: Lab, module_args: dict[str, t.Any]) -> dict[str, t.Any]:
    return lab.run_node_ops("127.0.0.12", module_args, user="WEBFARM\\Administrator", become_user=None, become_with_password=False)


# --- Ansible.Basic argument handling --------------------------------------------------------


def test_instructions_are_required(lab: Lab) -> None:
    result = call_raw(lab, {"_ansible_check_mode": False})

    assert result["failed"] is True and result["changed"] is False
    assert result["msg"] == "missing required arguments: instructions"


def test_unsupported_parameter_fails_naming_the_supported_ones(lab: Lab) -> None:
    result = call_raw(lab, {"instructions": [], "secret": {}, "_ansible_module_name": "webfarm.iis_cluster.node_ops"})

    assert result["msg"] == (
        "Unsupported parameters for (webfarm.iis_cluster.node_ops) module: secret. "
        "Supported parameters include: instructions, secrets, stop_on_error"
    )


def test_stop_on_error_must_be_a_boolean(lab: Lab) -> None:
    result = call_raw(lab, {"instructions": [], "stop_on_error": "maybe"})

    assert result["msg"].startswith(
        "argument for stop_on_error is of type System.String and we were unable to convert to bool: "
        "The value 'maybe' is not a valid boolean."
    )


def test_secrets_must_be_a_dict(lab: Lab) -> None:
    result = call_raw(lab, {"instructions": [], "secrets": ["a"]})

    assert result["msg"] == (
        "argument for secrets is of type System.Object[] and we were unable to convert to dict: "
        "System.Object[] cannot be converted to a dict"
    )


def test_options_are_converted_and_defaulted_as_ansible_basic_does(lab: Lab) -> None:
    result = call_raw(lab, {"Instructions": [], "secrets": '{"a": "b1"}', "_ansible_check_mode": "yes"})

    assert "failed" not in result
    assert result["invocation"]["module_args"] == {
        "instructions": [],
        "secrets": {"a": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"},
        "stop_on_error": True,
    }


# --- the batch is checked before anything runs ----------------------------------------------


@pytest.mark.parametrize(
    ("bad", "msg"),
    [
        ("metabase_get", "instructions[1] must be a mapping with a string 'op' and a mapping 'args'"),
        ({"op": "run_command", "args": {}}, "instructions[1]: unknown op 'run_command' (known ops: "),
        ({"op": "metabase_get", "args": {}, "extra": 1}, "instructions[1] has unknown keys extra"),
        ({"op": "metabase_get", "args": []}, "instructions[1] (metabase_get): args must be a mapping"),
        (
            {"op": "metabase_get", "args": {"properties": ["Path"]}},
            "instructions[1] (metabase_get): missing required argument 'path'",
        ),
        (
            {"op": "metabase_get", "args": {"path": "W3SVC", "recurse": True}},
            "instructions[1] (metabase_get): unsupported argument recurse",
        ),
        (
            {"op": "metabase_get", "args": {"path": 3}},
            "instructions[1] (metabase_get): argument 'path' must be a string",
        ),
        (
            {"op": "metabase_get", "args": {"path": "W3SVC", "properties": "Path"}},
            "argument 'properties' must be a list of strings",
        ),
        ({"op": "metabase_get", "args": {"path": "W3SVC", "children": "yes"}}, "argument 'children' must be a boolean"),
        (
            {"op": "metabase_set", "args": {"path": "W3SVC", "property": "WAMUserPass", "secret": "iwam"}},
            "instructions[1] (metabase_set): secret 'iwam' is not in secrets",
        ),
        (
            {
                "op": "metabase_set",
                "args": {"path": "W3SVC", "property": "WAMUserPass", "secret": "iusr", "value": "x"},
            },
            "instructions[1] (metabase_set): give exactly one of value, secret",
        ),
        (
            {"op": "metabase_set", "args": {"path": "W3SVC", "property": "WAMUserPass"}},
            "give exactly one of value, secret",
        ),
    ],
)
def test_malformed_instruction_fails_the_module_and_runs_nothing(
    read_metabase: MetabaseReader, node_ops: NodeOps, bad: t.Any, msg: str
) -> None:
    result = node_ops(SET_COMMENT, bad, secrets={"iusr": "Iusr-Pw-1"})

    assert result["failed"] is True and result["changed"] is False
    assert msg in result["msg"]
    assert "results" not in result
    assert comments(read_metabase) == ("Default Web Site", "Default Web Site")


def test_secret_values_must_be_strings(node_ops: NodeOps) -> None:
    result = node_ops(GET_W3SVC, secrets={"pin": 1234})

    assert result["msg"] == "secret 'pin' must be a string"


# --- check mode -----------------------------------------------------------------------------


def test_read_ops_run_in_check_mode(node_ops: NodeOps) -> None:
    [value] = node_ops.values(GET_W3SVC, check_mode=True)

    assert value["properties"]["AnonymousUserName"]["value"] == "IUSR_NODE1"


@pytest.mark.parametrize(
    "write",
    [SET_COMMENT, {"op": "metabase_delete", "args": {"path": "W3SVC/1", "property": "ServerComment"}}],
)
def test_write_op_is_refused_in_check_mode_and_nothing_runs(
    read_metabase: MetabaseReader, node_ops: NodeOps, write: dict
) -> None:
    result = node_ops(GET_W3SVC, write, check_mode=True)

    assert result["failed"] is True
    assert (
        f"instructions[1] ({write['op']}): {write['op']} changes the host and is refused in check mode" == result["msg"]
    )
    assert comments(read_metabase) == ("Default Web Site", "Default Web Site")


# --- running the batch ----------------------------------------------------------------------


def test_instructions_run_in_order_and_report_one_result_each(node_ops: NodeOps) -> None:
    result = node_ops(
        GET_W3SVC, SET_COMMENT, {"op": "metabase_get", "args": {"path": "W3SVC/1", "properties": ["ServerComment"]}}
    )

    assert [entry["status"] for entry in result["results"]] == ["ok", "ok", "ok"]
    assert [entry["op"] for entry in result["results"]] == ["metabase_get", "metabase_set", "metabase_get"]
    assert result["results"][1]["value"] is None
    assert result["results"][2]["value"]["properties"]["ServerComment"]["value"] == "Cluster site"
    assert result["changed"] is True


def test_windows_error_fails_its_instruction_and_the_rest_are_not_run(
    read_metabase: MetabaseReader, node_ops: NodeOps
) -> None:
    result = node_ops(GET_W3SVC, SET_ON_MISSING_KEY, SET_COMMENT)

    assert "failed" not in result
    assert result["results"][1] == {
        "op": "metabase_set",
        "status": "failed",
        "error": {"code": 2147942403, "message": "The system cannot find the path specified."},
    }
    assert result["results"][2] == {"op": "metabase_set", "status": "not_run"}
    assert result["changed"] is False
    assert comments(read_metabase) == ("Default Web Site", "Default Web Site")


def test_without_stop_on_error_every_instruction_runs(read_metabase: MetabaseReader, node_ops: NodeOps) -> None:
    result = node_ops(SET_ON_MISSING_KEY, SET_COMMENT, stop_on_error=False)

    assert [entry["status"] for entry in result["results"]] == ["failed", "ok"]
    assert result["changed"] is True
    assert comments(read_metabase) == ("Cluster site", "Default Web Site")


def test_read_only_batch_is_not_a_change(node_ops: NodeOps) -> None:
    assert node_ops(GET_W3SVC)["changed"] is False


def test_empty_batch_succeeds_with_no_results(node_ops: NodeOps) -> None:
    assert node_ops()["results"] == []


def test_each_host_has_its_own_metabase(read_metabase: MetabaseReader, node_ops: NodeOps) -> None:
    node_ops(SET_COMMENT, host="NODE2")

    assert comments(read_metabase) == ("Default Web Site", "Cluster site")


# --- secrets --------------------------------------------------------------------------------


def test_invocation_masks_secret_values_but_shows_their_names(node_ops: NodeOps) -> None:
    set_pass = {"op": "metabase_set", "args": {"path": "W3SVC", "property": "WAMUserPass", "secret": "iwam"}}
    result = node_ops(set_pass, secrets={"iwam": "Iwam-Secret-42"})

    assert result["invocation"]["module_args"] == {
        "instructions": [set_pass],
        "secrets": {"iwam": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"},
        "stop_on_error": True,
    }
    assert "Iwam-Secret-42" not in json.dumps(result)


def test_only_the_secrets_values_are_masked(node_ops: NodeOps) -> None:
    # As on Windows: a secret that the controller leaks into another argument shows, so that
    # the lab's users see the leak.
    leaky = {
        "op": "metabase_set",
        "args": {"path": "W3SVC/1", "property": "ServerComment", "value": "pw Iwam-Secret-42"},
    }
    result = node_ops(leaky, secrets={"iwam": "Iwam-Secret-42"})

    assert result["invocation"]["module_args"]["instructions"][0]["args"]["value"] == "pw Iwam-Secret-42"
    assert result["invocation"]["module_args"]["secrets"] == {"iwam": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}


def test_malformed_call_still_masks_the_secrets(node_ops: NodeOps) -> None:
    result = node_ops({"op": "nope", "args": {}}, secrets={"iwam": "Iwam-Secret-42"})

    assert result["failed"] is True
    assert result["invocation"]["module_args"]["secrets"] == {"iwam": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}
    assert "Iwam-Secret-42" not in json.dumps(result)


def test_secrets_default_to_none_given(lab: Lab) -> None:
    result = call_raw(lab, {"instructions": [{"op": "host_facts"}]})

    assert result["results"][0]["status"] == "ok"
    assert result["invocation"]["module_args"]["secrets"] == {}


def test_ansible_basic_failure_shows_the_arguments_as_ansible_basic_does(lab: Lab) -> None:
    # Ansible.Basic fails before node_ops runs; it masks the string form of a no_log option,
    # and a dict's string form is its .NET type name, so the values inside stay visible.
    result = call_raw(lab, {"instructions": [], "secrets": {"iwam": "Iwam-Secret-42"}, "extra": 1})

    assert result["failed"] is True
    assert result["invocation"]["module_args"]["secrets"] == {"iwam": "Iwam-Secret-42"}
    as_text = call_raw(lab, {"instructions": [], "secrets": "iwam=Iwam-Secret-42", "extra": 1})
    assert as_text["invocation"]["module_args"]["secrets"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
