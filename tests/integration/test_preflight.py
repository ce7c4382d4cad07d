"""The pre-flight of playbooks/cluster_iis.yml, by the real ansible-playbook against the lab: every
bad input of every step is refused before the first change, with a message naming the variable
and the rule, and the lab's state.json is byte-for-byte what it was."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
import yaml
from lab_harness import ROOT, Lab

PLAYBOOK = "webfarm.iis_cluster.cluster_iis"
INPUTS = "Pre-flight, the inputs of every selected step"
NODES = "Pre-flight, what the nodes say"
DEMO_VARS = yaml.safe_load((ROOT / "tests" / "lab" / "cluster-vars.yml").read_text())
IUSR_SECRET = DEMO_VARS["iis_cluster_iusr_password"]


REMOVED = "(removed)"
"""An extra var a case leaves out altogether."""


def _inventory_with(lab: Lab, change: t.Callable[[dict[str, t.Any]], None]) -> Path:
    inventory = yaml.safe_load(lab.inventory.read_text())
    change(inventory)
    path = lab.workdir / f"inventory-{len(list(lab.workdir.glob('inventory-*')))}.yml"
    path.write_text(yaml.safe_dump(inventory, sort_keys=False))
    return path


def _no_domain_controllers(inventory: dict[str, t.Any]) -> None:
    del inventory["all"]["children"]["domain_controllers"]


def _node1_twice(inventory: dict[str, t.Any]) -> None:
    inventory["all"]["children"]["iis_cluster"]["hosts"]["node3"] = {"ansible_host": "127.0.0.12"}


def _dc_as_a_node(inventory: dict[str, t.Any]) -> None:
    inventory["all"]["children"]["iis_cluster"]["hosts"]["dc1"] = {"ansible_host": "127.0.0.11"}


# (id, extra vars, ansible-playbook options, inventory change, task that refuses, words of the message)
CASES: list[tuple[str, dict[str, t.Any], list[str], t.Callable[[dict[str, t.Any]], None] | None, str, str]] = [
    ("unknown step", {"iis_cluster_steps": ["sync"]}, [], None, INPUTS, "iis_cluster_steps: 'sync' is not a step"),
    ("steps not a list", {"iis_cluster_steps": {"a": 1}}, [], None, INPUTS, "iis_cluster_steps: must be a list of steps"),
    ("misspelled tag", {}, ["--tags", "nodeaccess"], None, INPUTS, "--tags: 'nodeaccess' is not a step"),
    ("misspelled skipped tag", {}, ["--skip-tags", "verfy"], None, INPUTS, "--skip-tags: 'verfy' is not a step"),
    (
        "tags and steps select nothing",
        {"iis_cluster_steps": ["verify"]},
        ["--tags", "node_access"],
        None,
        INPUTS,
        "iis_cluster_steps and --tags: together they select no step",
    ),
    ("misspelled group", {"iis_cluster_group": "iis_clustr"}, [], None, INPUTS, "iis_cluster_group: the inventory has no group 'iis_clustr'"),
    ("unknown source", {"iis_cluster_source": "node9"}, [], None, INPUTS, "iis_cluster_source: 'node9' is not a host of iis_cluster"),
    ("limit", {}, ["--limit", "node2"], None, INPUTS, "--limit: metabase_sync, verify needs every node of iis_cluster"),
    (
        "limit not acknowledged",
        {"iis_cluster_steps": ["node_access"]},
        ["--limit", "node2"],
        None,
        INPUTS,
        "--limit: node1 of iis_cluster is left out of the play; set iis_cluster_allow_limit=true",
    ),
    ("no domain controllers", {}, [], _no_domain_controllers, INPUTS, "domain_controllers: the domain_accounts step"),
    ("a machine listed twice", {}, [], _node1_twice, INPUTS, "iis_cluster: node1 and node3 are the same machine (127.0.0.12:"),
    ("missing IWAM password", {"iis_cluster_iwam_password": REMOVED}, [], None, INPUTS, "missing required arguments: iis_cluster_iwam_password"),
    ("missing IUSR password", {"iis_cluster_iusr_password": REMOVED}, [], None, INPUTS, "missing required arguments: iis_cluster_iusr_password"),
    (
        "IWAM password a list",
        {"iis_cluster_iwam_password": ["Lab-Iwam-Passw0rd", "x"]},
        [],
        None,
        INPUTS,
        "iis_cluster_iwam_password: a secret must be a string, but it is a list",
    ),
    (
        "IUSR password a mapping",
        {"iis_cluster_iusr_password": {"value": "Lab-Iusr-Passw0rd"}},
        [],
        None,
        INPUTS,
        "iis_cluster_iusr_password: a secret must be a string, but it is a mapping",
    ),
    ("update password mode", {"domain_accounts_update_password": "sometimes"}, [], None, INPUTS, "domain_accounts_update_password must be one of"),
    ("adopt not a boolean", {"domain_accounts_adopt_existing": "perhaps"}, [], None, INPUTS, "domain_accounts_adopt_existing"),
    ("right mode", {"node_access_right_mode": "somehow"}, [], None, INPUTS, "node_access_right_mode must be one of"),
    ("service", {"anonymous_identity_service": "SMTPSVC"}, [], None, INPUTS, "anonymous_identity_service must be one of"),
    ("overrides mode", {"anonymous_identity_overrides": "keep"}, [], None, INPUTS, "anonymous_identity_overrides must be one of"),
    ("site in other digits", {"anonymous_identity_site": "\u0661"}, [], None, INPUTS, "anonymous_identity_site: a site number is written in the digits 0-9"),
    ("retries over the bound", {"metabase_sync_iissync_retries": 50}, [], None, INPUTS, "metabase_sync_iissync_retries: must be from 0 to 10; got 50"),
    ("negative retry delay", {"metabase_sync_iissync_retry_delay": -1}, [], None, INPUTS, "metabase_sync_iissync_retry_delay: must be from 0 to 300"),
    ("retries not a number", {"metabase_sync_iissync_retries": "many"}, [], None, INPUTS, "metabase_sync_iissync_retries"),
    ("become not a boolean", {"metabase_sync_become": "maybe"}, [], None, INPUTS, "metabase_sync_become"),
    ("unknown target", {"metabase_sync_targets": ["node9"]}, [], None, INPUTS, "metabase_sync_targets: 'node9' is not a host of iis_cluster"),
    ("source as a target", {"metabase_sync_targets": ["node1"]}, [], None, INPUTS, "metabase_sync_targets: 'node1' is the sync source node"),
    ("site that does not exist", {"anonymous_identity_site": "999"}, [], None, NODES, "anonymous_identity_site: node1 has no site W3SVC/999"),
    ("site name that does not exist", {"anonymous_identity_site": "No Such Site"}, [], None, NODES, "anonymous_identity_site: no site of W3SVC has the ServerComment 'No Such Site'"),
    ("base with a domain", {"iis_cluster_account_base": "x\\y"}, [], None, NODES, "iis_cluster_account_base:"),
    (
        "IUSR and IWAM the same account",
        {"iis_cluster_iusr_name": "IUSR_web", "iis_cluster_iwam_name": "iusr_WEB"},
        [],
        None,
        NODES,
        "iis_cluster_iwam_name:",
    ),
    ("IUSR of a foreign domain", {"iis_cluster_iusr_name": "EVILCORP\\IUSR_x"}, [], None, NODES, "iis_cluster_iusr_name:"),
    ("a domain controller as a node", {}, [], _dc_as_a_node, NODES, "dc1: runs no IIS"),
]


@pytest.fixture(scope="module")
def shared_lab(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Lab]:
    """One lab for every refusal: none of them may change it."""
    running = Lab(tmp_path_factory.mktemp("preflight"))
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.parametrize(("extra", "options", "inventory", "task", "words"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_bad_input_is_refused_before_any_change_naming_the_variable(
    shared_lab: Lab, extra: dict[str, t.Any], options: list[str], inventory: t.Any, task: str, words: str
) -> None:
    before = shared_lab.state_text()
    remote_calls = len(shared_lab.processes())
    changed_inventory = _inventory_with(shared_lab, inventory) if inventory else None

    extra_vars = {name: value for name, value in {**DEMO_VARS, **extra}.items() if value != REMOVED}
    run = shared_lab.playbook(PLAYBOOK, *options, extra_vars=extra_vars, inventory=changed_inventory)

    assert run.rc != 0, run.output
    refusals = [entry for entry in run.results if entry["task"] == task and entry["status"] == "failed"]
    assert len(refusals) == 1, run.output
    message = refusals[0]["result"]["msg"]
    assert message.startswith("the run was refused before any change: ")
    assert words in message
    assert ".." not in message
    assert shared_lab.state_text() == before
    if task == INPUTS:
        assert len(shared_lab.processes()) == remote_calls, "the inputs are checked without any remote call"
    assert f"pre-flight: {message}" in run.output
    assert "no step ran; nothing was changed" in run.output


def test_there_are_at_least_25_distinct_refusals_across_every_step() -> None:
    assert len({case[0] for case in CASES}) >= 25
    named = " ".join(case[5] for case in CASES)
    for prefix in ("domain_accounts_", "node_access_", "anonymous_identity_", "metabase_sync_", "iis_cluster_"):
        assert prefix in named


def test_a_secret_templated_into_a_checked_variable_is_masked(shared_lab: Lab) -> None:
    before = shared_lab.state_text()

    run = shared_lab.playbook(
        PLAYBOOK, "-vvvv", extra_vars={**DEMO_VARS, "anonymous_identity_service": "{{ iis_cluster_iusr_password }}"}
    )

    assert run.rc != 0
    message = run.result(INPUTS, "node1")["msg"]
    assert "anonymous_identity_service must be one of: W3SVC, MSFTPSVC, got: ********" in message
    assert shared_lab.state_text() == before
    shared_lab.assert_never_exposed(IUSR_SECRET, [run])
