"""The metabase modules, run by the real ansible-playbook over WinRM against the lab."""

from __future__ import annotations

import re
import secrets

import pytest
from lab_harness import Lab
from iis_lab.state import secret_matches

NODES = ("node1", "node2")
WAM_USER = "WEBFARM\\IWAM_web"


# The KB's adsutil settings alone, without synciwam.vbs's COM+ re-sync or the domain accounts:
# the nodes do not work after these playbooks, as they would not after adsutil alone.
ADSUTIL_ALONE = "the metabase module sets the KB's adsutil settings only"


def _metabase(lab, host, path):
    return lab.state()["hosts"][host.upper()]["metabase"][path]["properties"]


def _model(state):
    """What a run may change: every host's metabase (the state file also carries bookkeeping)."""
    return {name: host["metabase"] for name, host in state["hosts"].items()}


def _kb_vars():
    return {"wam_user": WAM_USER, "wam_password": "Iwam-" + secrets.token_hex(8)}


def test_check_mode_predicts_the_changes_and_changes_nothing(lab):
    before = _model(lab.state())
    run = lab.playbook("metabase.yml", "--check", extra_vars=_kb_vars())
    assert run.rc == 0, run.output
    assert run.changed() == {"node1": 5, "node2": 5}
    assert _model(lab.state()) == before
    predicted = run.result("Bindings (LIST)", "node1")
    assert predicted["before"] == {"source": "here", "type": "LIST", "secure": False, "value": [":80:"]}
    assert predicted["after"]["value"] == [":80:", ":8080:"]


def test_a_run_converges_and_the_next_one_changes_nothing(lab):
    kb = _kb_vars()
    first = lab.playbook("metabase.yml", extra_vars=kb, leaves_broken=ADSUTIL_ALONE)
    assert first.rc == 0, first.output
    assert first.changed() == {"node1": 5, "node2": 5}
    for node in NODES:
        w3svc = _metabase(lab, node, "/LM/W3SVC")
        assert w3svc["WAMUserName"]["value"] == WAM_USER
        assert secret_matches(w3svc["WAMUserPass"]["digest"], kb["wam_password"])
        site = _metabase(lab, node, "/LM/W3SVC/1")
        assert site["AnonymousPasswordSync"]["value"] is False
        assert site["ServerBindings"]["value"] == [":80:", ":8080:"]
        assert site["ConnectionTimeout"]["value"] == 300

    timeout = first.result("Connection timeout (INTEGER)", "node1")
    assert (timeout["path"], timeout["name"], timeout["type"]) == ("w3svc/1", "ConnectionTimeout", "INTEGER")
    assert timeout["before"]["source"] == "inherited" and timeout["before"]["value"] == 900
    assert timeout["after"] == {"source": "here", "type": "INTEGER", "secure": False, "value": 300}
    assert timeout["adsutil_commands"] == ["cscript adsutil.vbs SET w3svc/1/ConnectionTimeout 300"]

    second = lab.playbook("metabase.yml", extra_vars=kb, leaves_broken=ADSUTIL_ALONE)
    assert second.rc == 0, second.output
    assert second.changed() == {"node1": 0, "node2": 0}


def test_a_task_costs_one_remote_execution_when_unchanged_and_two_when_changed(lab):
    kb = _kb_vars()

    def executions_per_node(run_options=()):
        started = len(lab.processes())
        assert lab.playbook("metabase.yml", *run_options, extra_vars=kb, leaves_broken=ADSUTIL_ALONE).rc == 0
        new = lab.processes()[started:]
        return {node: sum(process["host"] == node.upper() for process in new) for node in NODES}

    tasks = 5
    assert executions_per_node(["--check"]) == {node: tasks for node in NODES}
    assert executions_per_node() == {node: 2 * tasks for node in NODES}
    assert executions_per_node() == {node: tasks for node in NODES}


def test_a_new_password_changes_only_the_password(lab):
    lab.playbook("metabase.yml", extra_vars=_kb_vars(), leaves_broken=ADSUTIL_ALONE)
    rotated = _kb_vars()
    run = lab.playbook("metabase.yml", extra_vars=rotated, leaves_broken=ADSUTIL_ALONE)
    assert run.changed() == {"node1": 1, "node2": 1}
    assert run.result("WAM password (secure STRING)", "node2")["changed"] is True
    assert secret_matches(_metabase(lab, "node2", "/LM/W3SVC")["WAMUserPass"]["digest"], rotated["wam_password"])


def test_diff_shows_a_secret_only_as_changed(lab):
    kb = _kb_vars()
    run = lab.playbook("metabase.yml", "--check", "--diff", extra_vars=kb)
    assert run.rc == 0, run.output
    assert "-/LM/W3SVC/WAMUserPass: (secret)" in run.output
    assert "+/LM/W3SVC/WAMUserPass: (secret) (changed)" in run.output
    assert '+/LM/W3SVC/WAMUserName: "WEBFARM\\IWAM_web"' in run.output
    assert kb["wam_password"] not in run.output


def test_no_secret_in_output_at_vvvv_in_state_or_on_a_command_line(lab):
    kb = _kb_vars()
    admin_password = re.search(r"ansible_password: (\S+)", lab.inventory.read_text()).group(1)
    runs = [
        lab.playbook("metabase.yml", "-vvvv", "--diff", extra_vars=kb, leaves_broken=ADSUTIL_ALONE),
        lab.playbook("metabase.yml", "-vvvv", "--diff", extra_vars=kb, leaves_broken=ADSUTIL_ALONE),
        lab.playbook("property.yml", "-vvvv", extra_vars={"path": "W3SVC/7", "property": "WAMUserPass", "secret": kb["wam_password"]}),
    ]
    assert [run.rc == 0 for run in runs] == [True, True, False]
    assert "$PSVersionTable" in lab.recorded_command_lines()  # the scan reads decoded bootstrap scripts
    lab.assert_never_exposed(kb["wam_password"], runs)
    lab.assert_never_exposed(admin_password, runs)


@pytest.mark.parametrize(
    ("path", "prop", "decoded", "code"),
    [
        (
            "/LM/W3SVC/42/ROOT",
            "AnonymousUserName",
            "Windows error 0x80070003 ERROR_PATH_NOT_FOUND: The system cannot find the path specified.",
            0x80070003,
        ),
        (
            "W3SVC/1",
            "WAMUserName",
            "Windows error 0x80005006 E_ADS_PROPERTY_NOT_SUPPORTED: The specified directory property is not "
            'supported. This key\'s type has no such property (adsutil: "This property is probably not allowed',
            0x80005006,
        ),
    ],
)
def test_a_windows_error_fails_the_task_decoded(lab, path, prop, decoded, code):
    run = lab.playbook("property.yml", extra_vars={"path": path, "property": prop, "value": "x"})
    assert run.rc != 0
    assert run.status("Property", "node1") == "failed"
    result = run.result("Property", "node1")
    assert f"failed on node1: {decoded}" in result["msg"]
    assert result["windows_error"]["code"] == code


def test_bad_input_fails_naming_the_field_before_any_remote_call(lab):
    started = len(lab.processes())
    run = lab.playbook("property.yml", extra_vars={"path": "IIS://web9/W3SVC", "property": "ServerComment", "value": "x"})
    assert run.rc != 0
    assert run.result("Property", "node1")["msg"].startswith("path: 'IIS://web9/W3SVC' names the server 'web9'")
    run = lab.playbook("property.yml", extra_vars={"path": "W3SVC", "property": "WAMUserPass", "value": "x", "secret": "Iwam-Passw0rd"})
    assert "mutually exclusive: value|secret_value" in run.result("Property", "node1")["msg"]
    assert len(lab.processes()) == started


def test_a_secure_property_refuses_a_plain_value(lab):
    run = lab.playbook("property.yml", extra_vars={"path": "W3SVC", "property": "WAMUserPass", "value": "Plain-Passw0rd"})
    assert run.rc != 0
    assert run.result("Property", "node1")["msg"].startswith("value: WAMUserPass is a secure metabase property")
    assert "Plain-Passw0rd" not in run.output


def test_absent_lets_the_key_inherit_again(lab):
    pinned = {"target": "node1", "path": "W3SVC/1/ROOT", "property": "AnonymousUserName"}
    assert lab.playbook("property.yml", extra_vars={**pinned, "value": "WEBFARM\\IUSR_web"}, leaves_broken=ADSUTIL_ALONE).rc == 0
    assert _metabase(lab, "node1", "/LM/W3SVC/1/ROOT")["AnonymousUserName"]["value"] == "WEBFARM\\IUSR_web"

    check = lab.playbook("property.yml", "--check", extra_vars={**pinned, "state": "absent"}, leaves_broken=ADSUTIL_ALONE)
    assert check.result("Property", "node1")["after"] == {
        "source": "inherited", "type": "STRING", "secure": False, "value": "IUSR_NODE1"
    }
    run = lab.playbook("property.yml", extra_vars={**pinned, "state": "absent"})
    result = run.result("Property", "node1")
    assert result["changed"] is True
    assert result["after"] == check.result("Property", "node1")["after"]
    assert result["adsutil_commands"] == ["cscript adsutil.vbs DELETE W3SVC/1/ROOT/AnonymousUserName"]
    assert "AnonymousUserName" not in _metabase(lab, "node1", "/LM/W3SVC/1/ROOT")
    assert lab.playbook("property.yml", extra_vars={**pinned, "state": "absent"}).changed() == {"node1": 0}


def test_info_reports_sources_children_and_never_a_secure_value(lab):
    run = lab.playbook("info.yml", extra_vars={"path": "/LM/W3SVC/1/ROOT", "properties": ["anonymoususername", "AnonymousUserPass", "AppIsolated", "UNCUserName"]})
    assert run.rc == 0, run.output
    info = run.result("Key", "node2")
    assert info["changed"] is False
    assert (info["metabase_path"], info["key_type"]) == ("/LM/W3SVC/1/ROOT", "IIsWebVirtualDir")
    assert "IISHelp" in info["children"]
    assert info["properties"] == {
        "AnonymousUserName": {"type": "STRING", "secure": False, "source": "inherited", "value": "IUSR_NODE2"},
        "AnonymousUserPass": {"type": "STRING", "secure": True, "source": "inherited"},
        "AppIsolated": {"type": "INTEGER", "secure": False, "source": "here", "value": 2},
        "UNCUserName": {"type": "STRING", "secure": False, "source": "unset"},
    }


def test_the_modules_work_over_basic_auth_as_well_as_encrypted_ntlm(tmp_path):
    basic = Lab(tmp_path, transport="basic")
    try:
        assert "ansible_winrm_transport: basic" in basic.inventory.read_text()
        run = basic.playbook("info.yml", extra_vars={"path": "MSFTPSVC/1", "children": False})
        assert run.rc == 0, run.output
        assert run.result("Key", "node1")["key_type"] == "IIsFtpServer"
    finally:
        basic.stop()
