"""The conformance run, playbooks/node_conformance.yml, on the lab's iis10 topology (a domain
controller of Windows Server 2022 and three IIS 10 nodes): the IIS 7-10 ops run on every node, the
gMSA reads on the domain controller, the metabase ops are listed as not exercised with why, and
every node's applicationHost.config is the very text it was."""

from __future__ import annotations

import json

from lab_harness import ROOT, Lab
from test_node_conformance import GENERATED_SECRET, PLAYBOOK, REPORT, contract_ops, without_allocated_rid

LAB_TOPOLOGY = ROOT / "tests" / "lab" / "iis_lab" / "topologies" / "iis10.yml"  # the lab fixture's (conftest.py)
NODES = ("node1", "node2", "node3")
IIS7_NODE_OPS = {
    "iis_sites_get", "app_pools_get", "web_config_get", "web_config_secret_matches", "web_config_element_add",
    "web_config_set", "web_config_clear", "app_pool_identity_set", "web_config_element_remove", "app_pool_recycle",
    "gmsa_check",
}
METABASE_OPS = {"metabase_get", "metabase_digest_tree", "iissync_run", "complus_catalog", "anonymous_logon_check"}


def _rows(table: list[str]) -> list[tuple[str, str, str]]:
    """(host, op, the rest of the line) of each row."""
    return [(line.split()[0], line.split()[1], line.split(None, 2)[2]) for line in table[1:]]


def test_on_iis10_nodes_every_op_conforms_or_says_why_not_and_the_lab_is_left_as_found(lab: Lab) -> None:
    before = lab.state()
    configs = {name: host["iis"]["applicationhost"] for name, host in before["hosts"].items() if host.get("iis")}
    assert len(configs) == 3

    run = lab.playbook(PLAYBOOK, "-vvvv")

    assert run.rc == 0, run.output
    report = run.result(REPORT, "node1")
    assert report["passed"] is True, report["msg"]
    rows = _rows(report["table"])
    assert {op for _, op, _ in rows} == set(contract_ops())
    for host, op, rest in rows:
        assert rest.startswith("ok") or (rest.startswith("not exercised") and len(rest) > len("not exercised  ")), (host, op, rest)
    for node in NODES:
        ran = {op for host, op, rest in rows if host == node and rest.startswith("ok")}
        assert ran >= IIS7_NODE_OPS | {"host_facts", "local_group_member_add", "local_group_member_remove"}
        skipped = {op: rest for host, op, rest in rows if host == node and rest.startswith("not exercised")}
        assert set(skipped) >= METABASE_OPS
        assert all("IIS 7-10 has no metabase" in skipped[op] for op in METABASE_OPS)
        # The domain controller's gMSA ops are the domain controller's rows, not the nodes'.
        assert not {"kds_root_key_get", "gmsa_get", "gmsa_add"} & {op for host, op, _ in rows if host == node}
    dc = {op: rest for host, op, rest in rows if host == "dc1"}
    assert dc["kds_root_key_get"].startswith("ok")
    assert dc["gmsa_get"].startswith("ok") and "missing scratch gMSA" in dc["gmsa_get"]
    assert dc["gmsa_set_principals"].startswith("ok") and "0x80072030" in dc["gmsa_set_principals"]
    assert dc["gmsa_add"].startswith("not exercised") and "no op that deletes one" in dc["gmsa_add"]
    # The scratch pool was made, changed and removed: app_pool_recycle is refused once it is gone.
    assert all(
        "0x80070002" in rest for host, op, rest in rows if op == "app_pool_recycle"
    ) and sum(op == "app_pool_recycle" for _, op, _ in rows) == 3
    assert "The nodes are left as found." in report["msg"]
    left = {line.split(":")[0]: line for line in report["left_as_found"]}
    assert set(left) == {"dc1", *NODES}
    for node in NODES:
        assert "application pools as before" in left[node] and "local group Users has the members it had" in left[node]

    after = lab.state()
    # Every node's applicationHost.config is the text it was: no scratch pool, no <remove>, nothing reformatted.
    assert {name: after["hosts"][name]["iis"]["applicationhost"] for name in configs} == configs
    assert after["domain"]["next_rid"] == before["domain"]["next_rid"] + 1
    assert without_allocated_rid(after) == without_allocated_rid(before)

    assert not GENERATED_SECRET.search(run.output)
    assert not GENERATED_SECRET.search(json.dumps(run.results))
    assert not GENERATED_SECRET.search(lab.state_text())
    assert not GENERATED_SECRET.search(lab.recorded_command_lines())
    assert lab.admin_password not in run.output
    lab.assert_healthy()
