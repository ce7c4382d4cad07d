"""What playbooks/cluster_iis.yml costs on the nodes, counted in the lab's record of every
remote execution (processes.jsonl): per node and per KB step, one execution on a rerun and two
when the step changes something (its query, its apply), node facts learned once per run, and
none for verification right after a step 8 that synced nothing.

Each step runs alone (``--tags``) on a fresh lab, twice: the first run converges it, the second
finds nothing to do. A run of one step costs its pre-flight too, one ``node_info`` per node of the
cluster; a last run of the whole playbook proves the parts add up to it."""

from __future__ import annotations

import typing as t
from collections import Counter

import yaml
from lab_harness import ROOT, Lab

PLAYBOOK = "webfarm.iis_cluster.cluster_iis"
DEMO_VARS = yaml.safe_load((ROOT / "tests" / "lab" / "cluster-vars.yml").read_text())
STEPS = ("domain_accounts", "node_access", "anonymous_identity", "wam_identity", "metabase_sync", "verify")
COUNTED = ("domain_accounts", "node_access", "anonymous_identity", "wam_identity")
"""The steps held to the floor here; the others are counted and reported only."""
LEARN = "Learn who the sync source node is"


def _executions(lab: Lab, *options: str) -> Counter[str]:
    """The remote executions of one green run of the playbook, by host."""
    started = len(lab.processes())
    run = lab.playbook(PLAYBOOK, *options, extra_vars=DEMO_VARS)
    assert run.rc == 0, run.output
    # The roles reuse what the pre-flight learned of the source node.
    learned = [entry["task"] for entry in run.results if entry["task"].endswith(LEARN) and entry["status"] != "skipped"]
    assert not learned, learned
    return Counter(process["host"].lower() for process in lab.processes()[started:] if "iissync.exe" not in process["command_line"])


def test_a_rerun_costs_one_execution_per_step_per_node_and_converging_two(lab: Lab) -> None:
    nodes = lab.hosts("iis_cluster")
    hosts = ["dc1", *nodes]
    preflight = Counter({node: 1 for node in nodes})

    converge: dict[str, Counter[str]] = {}
    rerun: dict[str, Counter[str]] = {}
    for step in STEPS:
        converge[step] = _executions(lab, "--tags", step) - preflight
        rerun[step] = _executions(lab, "--tags", step) - preflight
    report = "\n".join(
        f"{step:<19} " + "  ".join(f"{host} {converge[step][host]}/{rerun[step][host]}" for host in hosts) for step in STEPS
    )

    for step in COUNTED:
        for host in hosts:
            assert rerun[step][host] <= 1, f"{step} on {host} reran in {rerun[step][host]} executions:\n{report}"
            assert converge[step][host] <= 2, f"{step} on {host} converged in {converge[step][host]} executions:\n{report}"
    # Step 8: a rerun asks every node once (the source's preflight needs no execution of its own:
    # each target's answer says whether it differs); converging, a target is asked and backed up,
    # and the source is asked and runs IISSync.
    source, targets = nodes[0], nodes[1:]
    for host in nodes:
        assert rerun["metabase_sync"][host] == 1, f"metabase_sync on {host} reran in {rerun['metabase_sync'][host]}:\n{report}"
    for host in targets:
        assert converge["metabase_sync"][host] == 2, f"metabase_sync converged {host} in {converge['metabase_sync'][host]}:\n{report}"
    assert converge["metabase_sync"][source] == 2, f"metabase_sync converged the source in {converge['metabase_sync'][source]}:\n{report}"
    assert rerun["metabase_sync"]["dc1"] == converge["metabase_sync"]["dc1"] == 0, report
    # The steps that run on one host only touch no other.
    for step, only in (("domain_accounts", "dc1"), ("anonymous_identity", nodes[0])):
        assert set(converge[step]) | set(rerun[step]) <= {only}, report

    # Verification run alone reads every node afresh.
    for host in nodes:
        assert rerun["verify"][host] == 1, f"verify alone on {host} reran in {rerun['verify'][host]}:\n{report}"

    # The whole playbook's rerun is its pre-flight and each step's rerun, less verification's: right
    # after a step 8 that found every node in sync, it judges step 8's reports and asks no node.
    whole = _executions(lab)
    steps_before_verify = sum((rerun[step] for step in STEPS if step != "verify"), Counter())
    assert whole == preflight + steps_before_verify, report
    lab.assert_healthy()


def test_the_roles_learn_who_the_source_is_when_they_run_without_the_playbook(lab: Lab) -> None:
    """Alone, a role asks the source node itself (once per play), so it stays usable on its own."""
    run = lab.playbook("accounts.yml", extra_vars=_kb_vars())
    assert run.rc == 0, run.output
    learned = [
        entry for entry in run.results if entry["task"].endswith(LEARN) and entry["status"] == "ok"
    ]
    assert [entry["task"].split(" : ")[0] for entry in learned] == [
        "webfarm.iis_cluster.domain_accounts",
        "webfarm.iis_cluster.node_access",
    ]
    assert lab.state()["domain"]["accounts"]["WEBFARM\\IUSR_web"]


def _kb_vars() -> dict[str, t.Any]:
    return {key: DEMO_VARS[key] for key in ("iis_cluster_account_base", "iis_cluster_iusr_password", "iis_cluster_iwam_password")}
