"""playbooks/cluster_iis.yml, run by its FQCN with the vars `make demo` uses, by the real
ansible-playbook over WinRM against the lab: every KB Q249603 step in order, one step at a time,
check mode, the summary, and the playbook's own variables."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from lab_harness import ROOT, Lab
from summary_lines import node_block
from iis_lab.state import secret_matches

PLAYBOOK = "webfarm.iis_cluster.cluster_iis"
IISSYNC_TASK = "webfarm.iis_cluster.metabase_sync : Run IISSync from the source node to the targets that differ (KB Q249603 step 8)"
SUMMARY = "Summary, node by node"
PREFLIGHT = "Pre-flight, the inputs of every selected step"
DEMO_VARS = yaml.safe_load((ROOT / "tests" / "lab" / "cluster-vars.yml").read_text())
IUSR = "WEBFARM\\IUSR_web"
IWAM = "WEBFARM\\IWAM_web"
VERIFY = "webfarm.iis_cluster.metabase_sync : Verify that every target equals the source node"


def _summary(run) -> list[str]:
    return _summary_on(run, "node1")


def _summary_on(run, host: str) -> list[str]:
    """The summary, which runs once, on the first node still in the play."""
    return run.result(SUMMARY, host)["summary"]



def _anonymous_user(lab: Lab, host: str) -> str:
    return lab.state()["hosts"][host]["metabase"]["/LM/W3SVC/1"]["properties"]["AnonymousUserName"]["value"]


def _users_members(lab: Lab, host: str) -> list[str]:
    return lab.state()["hosts"][host]["local_groups"]["BUILTIN\\Users"]["members"]


def test_check_mode_predicts_every_step_and_changes_nothing(lab: Lab) -> None:
    before = lab.state()

    run = lab.playbook(PLAYBOOK, "--check", "--diff", extra_vars=DEMO_VARS)

    assert run.rc == 0, run.output
    assert lab.state() == before
    assert lab.iissync_runs() == []
    # Steps 1-3 are one task (both accounts), steps 4-5 one task per node (the local group, and
    # IWAM's batch right beside the KB's), step 6 one task (the web site and, besides the KB's
    # steps, the FTP site's anonymous user on the source); step 7 runs on node2 too (its pooled
    # package).
    assert run.changed() == {"node1": 5, "node2": 3}
    summary = _summary(run)
    assert summary[0] == "check mode: nothing was changed; each 'would' is what a real run does"
    assert node_block(summary, "dc1") == {"domain accounts": f"{IUSR} would be created; {IWAM} would be created"}
    assert node_block(summary, "node1")["metabase"] == "IISSync to NODE2 would be replicated"
    assert node_block(summary, "node2")["verification"] == "not checked: the sync it would follow was not made"
    # --diff shows each change, a secret only as changed.
    for line in (
        "+IUSR_web password: (secret) (changed)",
        '+/LM/W3SVC/1/AnonymousUserName: "WEBFARM\\IUSR_web"',
        "+/LM/W3SVC/1/AnonymousUserPass: (secret) (changed)",
        '+COM+ IIS Out-Of-Process Pooled Applications identity: "WEBFARM\\IWAM_web"',
        # Steps 4-5, one task: a diff for the group and one for each right.
        "+BUILTIN\\Users member WEBFARM\\IUSR_web: member (once the account exists)",
        "+SeBatchLogonRight WEBFARM\\IWAM_web: held directly (once the account exists)",
    ):
        assert line in run.output.splitlines()


def test_the_demo_converges_the_cluster_in_one_run_and_the_next_run_changes_nothing(lab: Lab) -> None:
    first = lab.playbook(PLAYBOOK, "-vvvv", "--diff", extra_vars=DEMO_VARS)

    assert first.rc == 0, first.output
    lab.assert_healthy()
    state = lab.state()
    for name, password in ((IUSR, DEMO_VARS["iis_cluster_iusr_password"]), (IWAM, DEMO_VARS["iis_cluster_iwam_password"])):
        assert secret_matches(state["domain"]["accounts"][name]["password_digest"], password)
    for host in ("NODE1", "NODE2"):
        accounts = {state["domain"]["accounts"][name]["sid"] for name in (IUSR, IWAM)}
        assert accounts <= set(_users_members(lab, host))
        # The source node was set by steps 6-7; the target got the same by IISSync (step 8).
        assert _anonymous_user(lab, host) == IUSR
        assert state["hosts"][host]["metabase"]["/LM/W3SVC"]["properties"]["WAMUserName"]["value"] == IWAM
    assert [run["command_line"] for run in lab.iissync_runs()] == ["C:\\WINNT\\system32\\inetsrv\\iissync.exe NODE2"]

    summary = _summary(first)
    assert summary[:2] == ["dc1, the domain controller", f"  domain accounts  {IUSR} created; {IWAM} created"]
    # Plain lines, as an operator reads them: no JSON list, no doubled backslashes.
    assert "\n".join(summary) in first.output
    assert node_block(summary, "node1") == {
        "local group": f"{IUSR}, {IWAM} added to BUILTIN\\Users",
        "log on locally": f"{IUSR} through BUILTIN\\Users; {IWAM} through BUILTIN\\Users",
        "batch logon": f"{IWAM} granted directly",
        "anonymous user": f"W3SVC/1 runs as {IUSR}, set; an anonymous request logs on",
        "FTP anonymous": f"MSFTPSVC/1 runs as {IUSR}, set; an anonymous request logs on",
        "backup": "backed up as iissync version 0 before steps 6-7 changed it",
        "WAM identity": f"{IWAM}, set; 2 COM+ applications re-synced",
        "metabase": "IISSync to NODE2 replicated",
        "verification": "every target equals this node",
    }
    node2 = node_block(summary, "node2")
    assert node2["metabase"] == "backed up as iissync version 0, then replicated from node1"
    assert node2["verification"] == "equals node1"

    second = lab.playbook(PLAYBOOK, extra_vars=DEMO_VARS)

    assert second.rc == 0, second.output
    lab.assert_healthy()
    assert second.changed() == {"node1": 0, "node2": 0}
    assert len(lab.iissync_runs()) == 1
    assert node_block(_summary(second), "node2") == {
        "local group": "both accounts already in BUILTIN\\Users",
        "log on locally": f"{IUSR} through BUILTIN\\Users; {IWAM} through BUILTIN\\Users",
        "batch logon": f"{IWAM} directly",
        "WAM identity": f"{IWAM}, already as asked; 2 COM+ applications already run as it",
        "metabase": "already equal to node1",
        "verification": "equals node1",
    }
    for secret in (DEMO_VARS["iis_cluster_iusr_password"], DEMO_VARS["iis_cluster_iwam_password"], DEMO_VARS["ansible_become_password"]):
        lab.assert_never_exposed(secret, [first, second])


def test_one_step_at_a_time_finds_drift_and_repairs_it(lab: Lab) -> None:
    assert lab.playbook(PLAYBOOK, extra_vars=DEMO_VARS).rc == 0
    lab.edit("NODE2", "W3SVC/1", "ServerComment", "Changed at the console")

    verify = lab.playbook(PLAYBOOK, "--tags", "verify", extra_vars=DEMO_VARS)

    assert verify.rc != 0
    assert verify.status(VERIFY, "node1") == "failed"
    assert "ServerComment" in verify.result(VERIFY, "node1")["msg"]
    assert {entry["task"].split(" : ")[0] for entry in verify.results if " : " in entry["task"]} == {
        "webfarm.iis_cluster.metabase_sync"
    }
    summary = _summary(verify)
    assert summary[0] == (
        "stopped: node1 at verify (Verify that every target equals the source node); nothing had changed before it stopped"
    )
    assert node_block(summary, "node1")["stopped"].startswith(
        "at verify, task 'Verify that every target equals the source node': Verification failed: node2 differs from node1"
    )
    assert node_block(summary, "node2")["verification"].startswith("differs from node1: /LM/W3SVC/1: ServerComment differs")
    # Verification runs once for the cluster, on the source: its failure stops node2 as well, which
    # says so in its own words, not with an error of the rescue.
    assert verify.result("Stop this node", "node2")["msg"] == (
        "node2 stopped with the run, where a task run once for the cluster failed: see the summary"
    )
    assert "is undefined" not in verify.output

    resync = lab.playbook(PLAYBOOK, "--tags", "metabase_sync,verify", extra_vars=DEMO_VARS)

    assert resync.rc == 0, resync.output
    summary = _summary(resync)
    assert node_block(summary, "dc1") == {"domain accounts": "not run"}
    assert node_block(summary, "node1")["anonymous user"] == "not run"
    # A second IISSync within seconds of the first may meet status 64 once, and is retried.
    assert node_block(summary, "node1")["metabase"] == "IISSync to NODE2 replicated"
    assert node_block(summary, "node2")["verification"] == "equals node1"
    lab.assert_healthy()


def test_a_resync_decided_by_the_targets_costs_the_source_two_executions_and_backs_up_first(lab: Lab) -> None:
    assert lab.playbook(PLAYBOOK, extra_vars=DEMO_VARS).rc == 0
    lab.edit("NODE2", "W3SVC/1", "ServerComment", "Changed at the console")
    started = len(lab.processes())

    resync = lab.playbook(PLAYBOOK, "--tags", "metabase_sync", extra_vars=DEMO_VARS)

    assert resync.rc == 0, resync.output
    new = lab.processes()[started:]
    executions = {host: [process for process in new if process["host"] == host] for host in ("NODE1", "NODE2")}
    # Each node: the playbook's pre-flight and its sync_node_info; then the target its backup and
    # the source IISSync. The preflight decides on NODE2's own answer, on the controller alone.
    # IISSync run again within seconds of the last sync may meet status 64 and run once more.
    runs = len(resync.result(IISSYNC_TASK, "node1")["runs"])
    assert {host: sum(p["command_line"].startswith("PowerShell") for p in found) for host, found in executions.items()} == {
        "NODE1": 2 + runs,
        "NODE2": 3,
    }
    iissync = next(process for process in executions["NODE1"] if "iissync.exe" in process["command_line"])
    preflight = resync.result("webfarm.iis_cluster.metabase_sync : Preflight on the source node, every checkable condition of KB Q224801", "node1")
    # Where NODE2 found it differs: the lab's small metabase has a summary of /LM alone (no subtree
    # holds more than 256 properties), so the whole tree; the source listed nothing for it.
    assert [(target["host"], target["in_sync"], target["differing_keys"]) for target in preflight["targets"]] == [
        ("node2", False, ["/LM"])
    ]
    # The target's backup was made before IISSync started, and holds the drifted value it overwrote.
    assert new.index(iissync) > max(new.index(process) for process in executions["NODE2"])
    newest = lab.state()["hosts"]["NODE2"]["metabase_backups"][-1]
    assert newest["metabase"]["/LM/W3SVC/1"]["properties"]["ServerComment"]["value"] == "Changed at the console"
    node2 = lab.state()["hosts"]["NODE2"]["metabase"]["/LM/W3SVC/1"]["properties"]["ServerComment"]["value"]
    assert node2 != "Changed at the console"
    lab.assert_healthy()


def test_verify_proves_every_node_works_not_only_that_it_equals_the_source(lab: Lab) -> None:
    assert lab.playbook(PLAYBOOK, extra_vars=DEMO_VARS).rc == 0
    # A batch logon for the Shop application's anonymous requests, which IUSR has no right to.
    batch = {"target": "node1", "path": "W3SVC/1/ROOT/Shop", "property": "LogonMethod", "value": 1}
    assert lab.playbook("property.yml", extra_vars=batch, leaves_broken="IUSR has no batch logon right").rc == 0

    run = lab.playbook(PLAYBOOK, "--tags", "metabase_sync,verify", extra_vars=DEMO_VARS)

    assert run.rc != 0
    # The sync step's own verification is skipped (metabase_sync_verify false); the verify step's fails.
    [result] = [entry["result"] for entry in run.results if entry["task"] == VERIFY and entry["status"] == "failed"]
    assert result["in_sync"] is True and result["works"] is False
    problem = (
        'anonymous requests to /LM/W3SVC/1/ROOT/Shop do not log on: WEBFARM\\IUSR_web does not hold "Log on as a '
        'batch job" (SeBatchLogonRight), which LogonMethod 1 needs (1385): grant it (webfarm.iis_cluster.user_right)'
    )
    assert result["source_problems"] == [problem]
    assert [entry["problems"] for entry in result["targets"]] == [[problem]]
    assert result["msg"] == f"Verification failed: node1 does not work: {problem}. node2 does not work: {problem}."
    for host in ("NODE1", "NODE2"):
        assert lab.state()["hosts"][host]["anonymous_logons"]["/LM/W3SVC/1/ROOT/Shop"]["logs_on"] is False


def test_verify_right_after_a_sync_that_changed_nothing_judges_its_reports_and_still_proves_the_nodes_work(
    lab: Lab,
) -> None:
    assert lab.playbook(PLAYBOOK, extra_vars=DEMO_VARS).rc == 0
    # The same break on both nodes: they stay equal, so step 8 has nothing to sync.
    batch = {"path": "W3SVC/1/ROOT/Shop", "property": "LogonMethod", "value": 1}
    for node in ("node1", "node2"):
        assert lab.playbook("property.yml", extra_vars={**batch, "target": node}, leaves_broken="IUSR has no batch logon right").rc == 0
    started = len(lab.processes())

    run = lab.playbook(PLAYBOOK, "--tags", "metabase_sync,verify", extra_vars=DEMO_VARS)

    assert run.rc != 0
    # Step 8's reports, taken with this run's salt just before, are the verification's: no node is asked again.
    assert run.status("webfarm.iis_cluster.metabase_sync : Report where each target's metabase differs from the source's", "node2") == "skipped"
    assert run.status("webfarm.iis_cluster.metabase_sync : Report the source node and the summary of its metabase digests", "node1") == "skipped"
    executions = [process for process in lab.processes()[started:] if process["host"].lower() != "dc1"]
    assert len(executions) == 2 + 2, executions  # each node's pre-flight and step 8
    [result] = [entry["result"] for entry in run.results if entry["task"] == VERIFY and entry["status"] == "failed"]
    assert result["in_sync"] is True and result["works"] is False
    assert [entry["in_sync"] for entry in result["targets"]] == [True]
    assert "does not hold \"Log on as a batch job\"" in result["msg"]
    assert "node1 does not work" in result["msg"] and "node2 does not work" in result["msg"]


# A list from the command line or a vars file; one string from an AWX multiple-choice question.
@pytest.mark.parametrize("steps", [["domain_accounts"], "domain_accounts\n"])
def test_the_steps_variable_runs_only_the_steps_it_names(lab: Lab, steps) -> None:
    before = lab.state()["hosts"]

    run = lab.playbook(PLAYBOOK, extra_vars={**DEMO_VARS, "iis_cluster_steps": steps})

    assert run.rc == 0, run.output
    assert {IUSR, IWAM} <= set(lab.state()["domain"]["accounts"])
    assert lab.state()["hosts"] == before
    assert node_block(_summary(run), "node1")["local group"] == "not run"


def test_unknown_steps_fail_before_any_remote_call_naming_the_variable(lab: Lab) -> None:
    run = lab.playbook(PLAYBOOK, extra_vars={**DEMO_VARS, "iis_cluster_steps": ["domain_accounts", "sync"]})

    assert run.rc != 0
    message = run.result(PREFLIGHT, "node1")["msg"]
    assert message == (
        "the run was refused before any change: iis_cluster_steps: 'sync' is not a step; the steps are "
        "domain_accounts, node_access, anonymous_identity, wam_identity, metabase_sync, verify"
    )
    assert lab.processes() == []
    assert _summary(run) == [f"pre-flight: {message}", "no step ran; nothing was changed"]


def test_a_cluster_in_another_group_runs_with_iis_cluster_group(lab: Lab, tmp_path: Path) -> None:
    inventory = yaml.safe_load(lab.inventory.read_text())
    inventory["all"]["children"]["web_farm"] = inventory["all"]["children"].pop("iis_cluster")
    renamed = tmp_path / "web_farm.yml"
    renamed.write_text(yaml.safe_dump(inventory))

    run = lab.playbook(PLAYBOOK, extra_vars={**DEMO_VARS, "iis_cluster_group": "web_farm"}, inventory=renamed)

    assert run.rc == 0, run.output
    assert _anonymous_user(lab, "NODE2") == IUSR
    assert node_block(_summary(run), "node2")["verification"] == "equals node1"


def test_a_cluster_of_one_node_is_refused_before_any_remote_call(lab: Lab, tmp_path: Path) -> None:
    inventory = yaml.safe_load(lab.inventory.read_text())
    inventory["all"]["children"]["lone"] = {"hosts": {"node1": inventory["all"]["children"]["iis_cluster"]["hosts"]["node1"]}}
    lone = tmp_path / "lone.yml"
    lone.write_text(yaml.safe_dump(inventory))

    run = lab.playbook(PLAYBOOK, extra_vars={**DEMO_VARS, "iis_cluster_group": "lone"}, inventory=lone)

    assert run.rc != 0
    assert run.result(PREFLIGHT, "node1")["msg"] == (
        "the run was refused before any change: iis_cluster_group: lone has 1 host; a cluster has two nodes at least "
        "(IISSync copies the source node to the others)"
    )
    assert lab.processes() == []


def test_a_run_that_fails_at_step_8_says_what_steps_1_to_7_changed(lab: Lab) -> None:
    # IISSync meets RPC_S_CALL_FAILED at NODE2 on every attempt: steps 1-7 have changed the cluster.
    lab.fault("NODE2", add="rpc_call_fails")
    run = lab.playbook(
        PLAYBOOK,
        extra_vars={**DEMO_VARS, "metabase_sync_iissync_retries": 0, "metabase_sync_iissync_retry_delay": 0},
    )

    assert run.rc != 0
    assert set(lab.state()["domain"]["accounts"]) >= {IUSR, IWAM}
    summary = _summary(run)
    headline = summary[0]
    assert headline.startswith("stopped: node1 at metabase_sync (")
    changed_before = headline.partition("; changed before it stopped: ")[2].split(", ")
    assert {"dc1 domain_accounts", "node1 node_access", "node1 anonymous_identity", "node1 wam_identity"} <= set(changed_before)
    assert node_block(summary, "dc1") == {"domain accounts": f"{IUSR} created; {IWAM} created"}
    assert "1726" in node_block(summary, "node1")["stopped"]
    assert node_block(summary, "node2")["verification"] == "not run"
