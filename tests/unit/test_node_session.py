"""The node session's handling of what node_ops returns (the wire itself is tested against the lab)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import (
    NODE_OPS_MODULE,
    Instruction,
    NodeOpError,
    NodeSession,
)


class RecordingAction:
    """Stands in for an action plugin: records the module call, returns a prepared result."""

    def __init__(self, result):
        self.result = result
        self.calls = []

    def _execute_module(self, module_name, module_args, task_vars):
        self.calls.append((module_name, module_args))
        return self.result


def _session(result):
    action = RecordingAction(result)
    return action, NodeSession(action, {"inventory_hostname": "node1"})


def test_one_batch_is_one_module_call_with_secrets_apart_from_instructions():
    action, session = _session({"results": [{"status": "ok", "value": 1}, {"status": "ok", "value": True}]})
    values = session.values(
        [Instruction("metabase_get", {"path": "W3SVC"}), Instruction("metabase_secret_matches", {"secret": "value"})],
        {"value": "Passw0rd!"},
    )
    assert values == [1, True]
    ((module, args),) = action.calls
    assert module == "webfarm.iis_cluster.node_ops_facts"
    assert args["secrets"] == {"value": "Passw0rd!"}
    assert "Passw0rd!" not in repr(args["instructions"])


def test_a_windows_error_is_raised_decoded_with_the_instruction_and_host():
    _, session = _session(
        {
            "results": [
                {"status": "failed", "error": {"code": 2147942403, "message": "The system cannot find the path specified."}},
                {"status": "not_run"},
            ]
        }
    )
    with pytest.raises(NodeOpError) as caught:
        session.values([Instruction("metabase_get", {"path": "W3SVC/9"}), Instruction("host_facts")])
    assert caught.value.code == 0x80070003
    assert str(caught.value).startswith(
        "metabase_get(path='W3SVC/9') failed on node1: Windows error 0x80070003 ERROR_PATH_NOT_FOUND"
    )


def test_a_refused_call_fails_with_the_message_of_the_module_it_went_to():
    _, session = _session({"failed": True, "msg": "metabase_set refused in check mode"})
    with pytest.raises(
        AnsibleActionFail, match="webfarm.iis_cluster.node_ops_metabase failed on node1: metabase_set refused in check mode"
    ):
        session.run([Instruction("metabase_set", {}), Instruction("iissync_run", {})])


def test_a_batch_goes_to_the_smallest_module_that_runs_it():
    action, session = _session({"results": [{"status": "ok"}, {"status": "ok"}]})
    session.run([Instruction("account_lookup", {"name": "IUSR_web"}), Instruction("user_rights_get", {"right": "x"})])
    session.run([Instruction("account_lookup", {"name": "IUSR_web"}), Instruction("web_config_get", {"section": "x"})])
    session.run([Instruction("iissync_run", {"targets": []}), Instruction("web_deploy_info")])
    session.run([Instruction("no_such_op"), Instruction("host_facts")])
    assert [module for module, _ in action.calls] == [
        "webfarm.iis_cluster.node_ops_accounts",
        "webfarm.iis_cluster.node_ops_apphost",
        NODE_OPS_MODULE,
        NODE_OPS_MODULE,
    ]


def test_a_result_count_mismatch_is_not_silently_accepted():
    _, session = _session({"results": []})
    with pytest.raises(AnsibleActionFail, match="returned 0 results for 1 instructions"):
        session.run([Instruction("host_facts")])


def test_a_delegated_task_blames_the_host_it_ran_on():
    action = RecordingAction({"results": [{"status": "failed", "error": {"code": 2221, "message": "The user name could not be found."}}]})
    action._task = type("Task", (), {"delegate_to": "dc1"})()
    session = NodeSession(action, {"inventory_hostname": "node1"})
    with pytest.raises(NodeOpError) as caught:
        session.values([Instruction("domain_user_get", {"name": "IUSR_web"})])
    assert " failed on dc1: " in str(caught.value)


def test_query_batches_share_one_execution_and_each_instruction_runs_once():
    token = Instruction("account_token_get", {"name": "WEBFARM\\IWAM_web"})
    action, session = _session({"results": [{"status": "ok", "value": "facts"}, {"status": "ok", "value": "iwam"}, {"status": "failed", "error": {"code": 5}}]})
    facts, first, second = session.query([[Instruction("host_facts")], [token], [token, Instruction("user_rights_get", {"right": "SeBatchLogonRight"})]])
    ((_, args),) = action.calls
    assert [entry["op"] for entry in args["instructions"]] == ["host_facts", "account_token_get", "user_rights_get"]
    assert args["stop_on_error"] is False
    assert session.checked(facts) == ["facts"] and session.checked(first) == ["iwam"]
    with pytest.raises(NodeOpError):
        session.checked(second)
