"""The conformance run, playbooks/node_conformance.yml, against the lab: every op of the contract
in its table, every probe conforming, the lab as it was found, no secret anywhere."""

from __future__ import annotations

import copy
import json
import re
import typing as t
from pathlib import Path

import yaml
from iis_lab.health import problems
from lab_harness import ROOT, Lab

PLAYBOOK = "webfarm.iis_cluster.node_conformance"
REPORT = "Judge every probe and whether the nodes are left as found"
# Every secret the run generates has this shape (plugins/plugin_utils/_conformance.py,
# scratch_password): none may be in the output, the results, the lab's state or a command line.
GENERATED_SECRET = re.compile(r"Sc-[0-9a-f]{20}-Q7")


def contract_ops() -> list[str]:
    return list(yaml.safe_load((ROOT / "docs" / "instruction-set.yml").read_text())["ops"])


def without_allocated_rid(state: dict[str, t.Any]) -> dict[str, t.Any]:
    """The state apart from the domain's next RID. Making the scratch account takes a RID, and
    SAM never hands one out twice, on Windows as in the lab: every other thing must be as it was."""
    kept = copy.deepcopy(state)
    del kept["domain"]["next_rid"]
    return kept


def test_every_op_conforms_and_the_lab_is_left_as_found_with_no_secret_shown(lab: Lab) -> None:
    before = lab.state()

    run = lab.playbook(PLAYBOOK, "-vvvv")

    assert run.rc == 0, run.output
    report = run.result(REPORT, "node1")
    assert report["passed"] is True
    table = report["table"]
    assert table[0].split() == ["host", "op", "result", "detail"]
    listed = {line.split()[1] for line in table[1:]}
    assert listed == set(contract_ops())
    for line in table[1:]:
        assert line.split()[2] == "ok" or "not exercised" in line, line
    # Each node ran every node op, and the domain controller the domain ops.
    for host in ("node1", "node2"):
        assert {line.split()[1] for line in table[1:] if line.split()[0] == host} >= {
            "host_facts", "metabase_digest_tree", "complus_catalog", "local_group_member_add", "local_group_member_remove"
        }
    assert {line.split()[1] for line in table[1:] if line.split()[0] == "dc1"} >= {"domain_user_add", "domain_user_delete"}
    assert "The nodes are left as found." in report["msg"]
    assert report["left_as_found"] == [
        line for line in report["left_as_found"] if line.split(":")[0] in ("dc1", "node1", "node2")
    ] and len(report["left_as_found"]) == 4
    # The table is printed, as plain lines.
    # Each node lists the IIS 7-10 ops as not exercised: 15 rows more on each of the two nodes.
    assert "140 of 140 probes conform to the contract" in run.output

    after = lab.state()
    assert after["domain"]["next_rid"] == before["domain"]["next_rid"] + 1
    assert without_allocated_rid(after) == without_allocated_rid(before)

    assert not GENERATED_SECRET.search(run.output)
    assert not GENERATED_SECRET.search(json.dumps(run.results))
    assert not GENERATED_SECRET.search(lab.state_text())
    assert not GENERATED_SECRET.search(lab.recorded_command_lines())
    assert lab.admin_password not in run.output
    lab.assert_healthy()


def test_without_a_domain_controller_the_node_ops_run_and_the_table_says_what_was_left_out(lab: Lab) -> None:
    inventory = yaml.safe_load(lab.inventory.read_text())
    inventory["all"]["children"]["domain_controllers"]["hosts"] = {}
    nodes_only = lab.workdir / "nodes-only.yml"
    nodes_only.write_text(yaml.safe_dump(inventory))
    before = lab.state_text()

    run = lab.playbook(PLAYBOOK, inventory=nodes_only)

    assert run.rc == 0, run.output
    table = run.result(REPORT, "node1")["table"]
    assert {line.split()[1] for line in table[1:]} == set(contract_ops())
    assert any(line.startswith("-") and " domain_user_add " in line and "not exercised" in line for line in table)
    assert any(line.startswith("node1") and " local_group_member_add " in line and "not exercised" in line for line in table)
    assert lab.state_text() == before
    lab.assert_healthy()


def test_on_clustered_domain_controllers_every_op_conforms_and_they_are_left_as_found(tmp_path: Path) -> None:
    # The nodes are the domain controllers: the scratch account joins the domain's BUILTIN\Users.
    lab = Lab(tmp_path, topology=ROOT / "tests" / "lab" / "iis_lab" / "topologies" / "domain_controllers.yml")
    try:
        before = lab.state()
        run = lab.playbook(PLAYBOOK)
        assert run.rc == 0, run.output
        report = run.result(REPORT, lab.hosts("iis_cluster")[0])
        assert report["passed"] is True
        assert {line.split()[1] for line in report["table"][1:]} == set(contract_ops())
        assert without_allocated_rid(lab.state()) == without_allocated_rid(before)
        # This topology starts before KB Q249603 (IIS setup's accounts sync their passwords, which
        # fails on a domain controller): the run must leave its nodes working as they did, no worse.
        assert problems(lab.state()) == problems(before)
    finally:
        lab.stop()
