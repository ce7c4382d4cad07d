"""Verify on IIS 7-10 through the real playbooks/cluster_iis.yml, against the lab's iis10 topology
(a domain controller and three IIS 10 nodes, the source NODE2): after steps 1-8 (the source's own
settings synced by Web Deploy, which needs become) the nodes' logical configurations are equal and
verify passes, each node in one execution; a setting changed by hand
on one node is named by section, location, element and attribute, a per-node setting is not; a
password changed by hand is found by its salted digest, its value nowhere; the source details
the differing sections in one more execution."""

from __future__ import annotations

import subprocess
import typing as t

from lab_harness import BIN, ROOT, Lab, PlaybookRun

LAB_TOPOLOGY = ROOT / "tests" / "lab" / "iis_lab" / "topologies" / "iis10.yml"
PLAYBOOK = "webfarm.iis_cluster.cluster_iis"
POOLS = "system.applicationHost/applicationPools"
SITES = "system.applicationHost/sites"
ANONYMOUS = "system.webServer/security/authentication/anonymousAuthentication"
KB = {
    "iis_cluster_account_base": "web",
    "iis_cluster_iusr_password": "Iusr-Ten-Passw0rd",
    "iis_cluster_iwam_password": "Iwam-Ten-Passw0rd",
    "anonymous_identity_site": "Shop",
}
VERIFY = (
    "webfarm.iis_cluster.metabase_sync : Verify that every target's configuration equals the source node's and every "
    "node works"
)
POOL_PASSWORD = "Changed-By-Hand-Pool-7"
ANONYMOUS_PASSWORD = "Changed-By-Hand-Anon-7"


def _run(lab: Lab, *options: str, leaves_broken: str = "", **extra: t.Any) -> PlaybookRun:
    return lab.playbook(PLAYBOOK, *options, extra_vars={**KB, **extra}, leaves_broken=leaves_broken)


def _edit_config(lab: Lab, host: str, section: str, attribute: str, value: str, location: str = "", element: str = "") -> None:
    """Change one node's applicationHost.config by hand (``iis-lab edit-config``)."""
    place = ["--host", host, "--section", section, "--location", location, "--element", element]
    subprocess.run(
        [BIN / "iis-lab", "edit-config", "--state-dir", str(lab.state_dir), *place, "--attribute", attribute, "--value", value],
        check=True,
        capture_output=True,
        text=True,
    )


def _executions(lab: Lab, since: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for process in lab.processes()[since:]:
        counts[process["host"]] = counts.get(process["host"], 0) + 1
    return counts


def _configs(lab: Lab) -> dict[str, str]:
    return {name: lab.state()["hosts"][name]["iis"]["applicationhost"] for name in ("NODE1", "NODE2", "NODE3")}


def test_verify_passes_on_equal_nodes_then_names_what_changed_by_hand(lab: Lab) -> None:
    converged = _run(lab, **lab.become_vars())
    assert converged.rc == 0, converged.output
    verification = converged.result(VERIFY, "node2")
    assert (verification["in_sync"], verification["works"]) == (True, True), verification
    assert verification["sections_read"] == []
    assert "every target equals this node" in converged.output.rpartition("TASK [Summary, node by node]")[2]
    lab.assert_healthy()

    # In sync: each node one execution for verify (after the pre-flight's node_info), the
    # source none more; nothing changed.
    configs = _configs(lab)
    started = len(lab.processes())
    again = _run(lab, iis_cluster_steps="verify")
    assert again.rc == 0, again.output
    assert again.changed() == {"node1": 0, "node2": 0, "node3": 0}
    assert _executions(lab, started) == {"NODE1": 1 + 1, "NODE2": 1 + 1, "NODE3": 1 + 1}
    assert _configs(lab) == configs

    # A setting changed by hand on NODE1 is named; NODE3's own log folder (a node setting) is not.
    _edit_config(lab, "NODE1", POOLS, "queueLength", "2000", element="add[@name='Shop']")
    _edit_config(lab, "NODE1", ANONYMOUS, "logonMethod", "Network", location="Shop")
    _edit_config(lab, "NODE3", SITES, "directory", "E:\\Logs\\Shop", element="site[@name='Shop']/logFile")
    started = len(lab.processes())
    drift = _run(lab, iis_cluster_steps="verify", leaves_broken="verify fails")
    assert drift.rc != 0
    # The source details the differing sections in one more execution; the targets run once.
    assert _executions(lab, started) == {"NODE1": 1 + 1, "NODE2": 1 + 1 + 1, "NODE3": 1 + 1}
    result = drift.result(VERIFY, "node2")
    by_host = {target["host"]: target for target in result["targets"]}
    assert by_host["node3"]["in_sync"] is True
    assert by_host["node1"]["differences"] == [
        f"{POOLS} at the server level, add[@name='Shop']: queueLength is \"2000\" on node1, inherited or the default "
        "on node2",
        f"{ANONYMOUS} at location 'Shop', the section's element: logonMethod is \"Network\" on node1, inherited or the "
        "default on node2",
    ]
    assert sorted(result["sections_read"]) == sorted([f"|{POOLS}", f"Shop|{ANONYMOUS}"])
    assert "node1 differs from node2" in drift.output.rpartition("TASK [Summary, node by node]")[2]
    assert _configs(lab)["NODE2"] == configs["NODE2"]


def test_a_password_changed_by_hand_is_found_without_its_value(lab: Lab) -> None:
    converged = _run(lab, **lab.become_vars())
    assert converged.rc == 0, converged.output
    lab.assert_healthy()

    # A pool's password changed by hand on NODE3 (its worker then cannot log on: the pool
    # stops), the anonymous user's on NODE1.
    _edit_config(lab, "NODE3", POOLS, "password", POOL_PASSWORD, element="add[@name='Shop']/processModel")
    _edit_config(lab, "NODE1", ANONYMOUS, "password", ANONYMOUS_PASSWORD, location="Shop")
    drift = _run(lab, "-vvvv", iis_cluster_steps="verify", leaves_broken="passwords changed by hand")
    assert drift.rc != 0
    result = drift.result(VERIFY, "node2")
    by_host = {target["host"]: target for target in result["targets"]}
    assert by_host["node3"]["differences"] == [
        f"{POOLS} at the server level, add[@name='Shop']/processModel: password differs (encrypted)"
    ]
    assert by_host["node1"]["differences"] == [
        f"{ANONYMOUS} at location 'Shop', the section's element: password differs (encrypted)"
    ]
    # Equal is not enough: NODE3's pool no longer starts, and verify says so.
    assert by_host["node3"]["problems"] and "application pool 'Shop'" in by_host["node3"]["problems"][0]
    assert result["works"] is False
    for secret in (POOL_PASSWORD, ANONYMOUS_PASSWORD, KB["iis_cluster_iwam_password"], KB["iis_cluster_iusr_password"]):
        lab.assert_never_exposed(secret, [converged, drift])
