"""KB Q249603 steps 1-7 on IIS 7-10 through the real playbooks/cluster_iis.yml, against the lab's
iis10 topology (a domain controller and three IIS 10 nodes, the source NODE2): step 6 the site's
anonymous user at its location on every node, step 7 the site's pools taking the IWAM identity
after one probe, node by node, each node gated on its pools starting."""

from __future__ import annotations

import difflib
import typing as t
import xml.etree.ElementTree as ET

from lab_harness import ROOT, Lab, PlaybookRun

IIS10 = ROOT / "tests" / "lab" / "iis_lab" / "topologies" / "iis10.yml"
LAB_TOPOLOGY = IIS10  # the lab fixture's (conftest.py): a domain controller and three IIS 10 nodes
PLAYBOOK = "webfarm.iis_cluster.cluster_iis"
SECTION_ANONYMOUS = "system.webServer/security/authentication/anonymousAuthentication"
NODES = ("NODE1", "NODE2", "NODE3")
IUSR_PASSWORD = "Iusr-Ten-Passw0rd"
IWAM_PASSWORD = "Iwam-Ten-Passw0rd"
KB = {
    "iis_cluster_account_base": "web",
    "iis_cluster_iusr_password": IUSR_PASSWORD,
    "iis_cluster_iwam_password": IWAM_PASSWORD,
    "anonymous_identity_site": "Shop",
}
STEPS_1_TO_7 = "domain_accounts,node_access,anonymous_identity,wam_identity"
GMSA = {"iis_cluster_iwam_gmsa": True, "iis_cluster_iwam_name": "WebFarmPool"}
ROLLOUT = "webfarm.iis_cluster.wam_identity : Give each node's pools the identity, one node at a time, each gated on its pools starting"
PROBE = "webfarm.iis_cluster.wam_identity : Prove the pool identity before any node changes (a password on one node, a gMSA on each)"
ANONYMOUS = (
    "webfarm.iis_cluster.anonymous_identity : Make the site's anonymous user the domain IUSR account at its location "
    "(KB Q249603 step 6, IIS 7-10)"
)



def _configs(lab: Lab) -> dict[str, str]:
    return {name: lab.state()["hosts"][name]["iis"]["applicationhost"] for name in NODES}


def _process_model(config: str, pool: str = "Shop") -> dict[str, str]:
    element = ET.fromstring(config).find(f"system.applicationHost/applicationPools/add[@name='{pool}']/processModel")
    return dict(element.attrib) if element is not None else {}


def _anonymous(config: str, location: str) -> dict[str, str]:
    for tag in ET.fromstring(config).findall("location"):
        if tag.get("path") == location:
            element = tag.find("system.webServer/security/authentication/anonymousAuthentication")
            if element is not None:
                return dict(element.attrib)
    return {}


def _pools(lab: Lab) -> dict[str, dict[str, t.Any]]:
    return {name: lab.state()["hosts"][name]["iis"]["pools"] for name in NODES}


def _failed_logons(lab: Lab) -> int:
    return sum(sum(lab.state()["hosts"][name]["iis"]["failed_logons"].values()) for name in NODES)


def _summary(run: PlaybookRun) -> str:
    return run.output.rpartition("TASK [Summary, node by node]")[2]


def _run(lab: Lab, *options: str, leaves_broken: str = "", **extra: t.Any) -> PlaybookRun:
    # Steps 1-7; step 8 by Web Deploy is test_web_deploy.py's.
    extra.setdefault("iis_cluster_steps", STEPS_1_TO_7)
    return lab.playbook(PLAYBOOK, *options, extra_vars={**KB, **extra}, leaves_broken=leaves_broken)


def _executions(lab: Lab, since: int) -> dict[str, int]:
    """The remote executions (processes) each host ran since the ``since``-th."""
    counts: dict[str, int] = {}
    for process in lab.processes()[since:]:
        counts[process["host"]] = counts.get(process["host"], 0) + 1
    return counts


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines the run removed from and added to applicationHost.config."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [line[2:].strip() for line in diff if line.startswith("- ")], [line[2:].strip() for line in diff if line.startswith("+ ")]


def test_iis10_steps_1_to_7_check_then_converge_then_rerun_then_a_gmsa(lab: Lab) -> None:
    seeded = _configs(lab)
    check = _run(lab, "--check", "--diff")
    assert check.rc == 0, check.output
    # Check mode changed nothing, and predicted steps 6-7 on every node.
    assert _configs(lab) == seeded
    assert {node: check.result(ANONYMOUS, node.lower())["changed"] for node in NODES} == dict.fromkeys(NODES, True)
    predicted = check.result(ROLLOUT, "node1")["results"]
    assert [(item["item"], item["changed"]) for item in predicted] == [("node1", True), ("node2", True), ("node3", True)]
    assert "(secret) (changed)" in check.output
    assert "check mode: nothing was changed" in _summary(check)

    run = _run(lab, "-vvvv", "--diff")
    assert run.rc == 0, run.output
    configs = _configs(lab)
    for node in NODES:
        model = _process_model(configs[node])
        assert (model["identityType"], model["userName"], model["logonType"] if "logonType" in model else "LogonBatch") == (
            "SpecificUser",
            "WEBFARM\\IWAM_web",
            "LogonBatch",
        )
        assert model["password"].startswith("[enc:")
        anonymous = _anonymous(configs[node], "Shop")
        assert (anonymous["userName"], anonymous["logonMethod"]) == ("WEBFARM\\IUSR_web", "ClearText")
        assert anonymous["password"].startswith("[enc:")
        assert _pools(lab)[node]["Shop"] == {"state": "Started", "logon_error": None}
        # Unrelated settings are left exactly as they were: only the Shop pool's processModel
        # and the site's anonymousAuthentication were written.
        removed, added = _changed_lines(seeded[node], configs[node])
        assert removed == ['<processModel idleTimeout="00:00:00" />'], removed
        written = ("<processModel ", "<anonymousAuthentication ", "<security>", "</security>", "<authentication>", "</authentication>")
        assert all(line.startswith(written) for line in added), added
    assert "configuration    not run" in _summary(run)
    lab.assert_never_exposed(IUSR_PASSWORD, [check, run])
    lab.assert_never_exposed(IWAM_PASSWORD, [check, run])

    again = _run(lab)
    assert again.rc == 0, again.output
    assert again.changed() == {"node1": 0, "node2": 0, "node3": 0}
    assert _configs(lab) == configs
    # Steps 6-7 unchanged: one execution per node-level task (after the pre-flight's node_info),
    # and each step's probe, one on the first node.
    started = len(lab.processes())
    assert _run(lab, iis_cluster_steps="anonymous_identity,wam_identity").changed() == {"node1": 0, "node2": 0, "node3": 0}
    assert _executions(lab, started) == {"NODE1": 1 + 1 + 1 + 1 + 1, "NODE2": 1 + 1 + 1, "NODE3": 1 + 1 + 1}

    # Then again with a gMSA, steps 1-7: steps 1-3 create it with every node allowed to retrieve
    # its password (a new name: IWAM_web is a domain user now), steps 4-5 give it its rights,
    # step 7 rolls it out.
    gmsa_kb = {"iis_cluster_iwam_gmsa": True, "iis_cluster_iwam_name": "IWAM_farm", "iis_cluster_iwam_password": ""}
    gmsa = _run(lab, "-vvvv", **gmsa_kb)
    assert gmsa.rc == 0, gmsa.output
    managed = lab.state()["domain"]["accounts"]["WEBFARM\\IWAM_farm$"]
    assert managed["object_class"] == "msDS-GroupManagedServiceAccount"
    assert len(managed["managed_principals"]) == len(NODES)
    for node in NODES:
        model = _process_model(_configs(lab)[node])
        assert (model["identityType"], model["userName"], "password" in model) == ("SpecificUser", "WEBFARM\\IWAM_farm$", False)
        assert _pools(lab)[node]["Shop"] == {"state": "Started", "logon_error": None}
    rerun = _run(lab, **gmsa_kb)
    assert rerun.rc == 0, rerun.output
    assert rerun.changed() == {"node1": 0, "node2": 0, "node3": 0}
    lab.assert_never_exposed(IWAM_PASSWORD, [gmsa, rerun])
    lab.assert_healthy()


def test_iis10_rollout_refusals_before_any_change_and_a_pool_that_does_not_start(lab: Lab) -> None:
    accounts = _run(lab, iis_cluster_steps="domain_accounts,node_access")
    assert accounts.rc == 0, accounts.output
    before = _configs(lab)
    logons = _failed_logons(lab)

    # A wrong password: found by the one probe, one failed logon, no pool touched.
    wrong = _run(lab, iis_cluster_steps="wam_identity", iis_cluster_iwam_password="Not-The-Passw0rd", leaves_broken="refused")
    assert wrong.rc != 0
    assert _configs(lab) == before
    assert _failed_logons(lab) == logons + 1
    assert "the password is wrong" in wrong.output
    assert "untouched: the identity's probe failed on node1, before any node changed" in _summary(wrong)
    assert [item["item"] for item in wrong.result(PROBE, "node1")["results"]] == ["node1"]
    assert not [entry for entry in wrong.results if entry["task"] == ROLLOUT]

    # A wrong anonymous user's password: the same, found by step 6's one probe.
    wrong_iusr = _run(lab, iis_cluster_steps="anonymous_identity", iis_cluster_iusr_password="Not-The-Passw0rd", leaves_broken="refused")
    assert wrong_iusr.rc != 0
    assert _configs(lab) == before
    assert _failed_logons(lab) == logons + 2
    assert "the password is wrong" in wrong_iusr.output

    # A node not allowed to retrieve the gMSA (NODE3): named with the remedy, before any change.
    gmsa = _run(lab, iis_cluster_steps="wam_identity", iis_cluster_iwam_password="", leaves_broken="refused", **GMSA)
    assert gmsa.rc != 0
    assert _configs(lab) == before
    refused = [item for item in gmsa.result(PROBE, "node1")["results"] if item.get("failed")]
    assert [item["item"] for item in refused] == ["node3"]
    assert "may not retrieve the password of WEBFARM\\WebFarmPool$" in refused[0]["msg"]
    assert "PrincipalsAllowedToRetrieveManagedPassword" in refused[0]["msg"]
    assert not [entry for entry in gmsa.results if entry["task"] == ROLLOUT]

    # Step 6 on every node: an override at an application's location below the site is reported,
    # then made to inherit; then the pool's identity instead of the IUSR account.
    override = {"section": SECTION_ANONYMOUS, "location": "Shop/checkout", "attribute": "logonMethod", "value": "Batch"}
    assert lab.playbook("web_config.yml", extra_vars={"target": "node1", **override}).rc == 0
    reported = _run(lab, iis_cluster_steps="anonymous_identity")
    assert reported.rc == 0, reported.output
    assert _anonymous(_configs(lab)["NODE1"], "Shop/checkout") == {"logonMethod": "Batch"}
    assert "Shop/checkout override it (anonymous_identity_overrides=inherit clears them)" in _summary(reported)
    inherited = _run(lab, iis_cluster_steps="anonymous_identity", anonymous_identity_overrides="inherit")
    assert inherited.rc == 0, inherited.output
    assert _anonymous(_configs(lab)["NODE1"], "Shop/checkout") == {}
    assert inherited.changed() == {"node1": 1, "node2": 0, "node3": 0}
    pool = _run(lab, iis_cluster_steps="anonymous_identity", anonymous_identity_use_pool_identity=True)
    assert pool.rc == 0, pool.output
    for node in NODES:
        assert _anonymous(_configs(lab)[node], "Shop") == {"userName": "", "logonMethod": "ClearText"}
    assert "Shop runs as the application pool's identity (logonMethod ClearText), set" in _summary(pool)
    lab.assert_never_exposed(IUSR_PASSWORD, [reported, inherited, pool])
    before = _configs(lab)

    # A pool that cannot start after the change on NODE2 (the batch right gone there, from the
    # account and from IIS_IUSRS): NODE1 changed, NODE2 back on its previous identity, NODE3 untouched.
    for holder in ("WEBFARM\\IWAM_web", "BUILTIN\\IIS_IUSRS"):
        lab.condition("NODE2", "batch_right_removed", holder)
    stuck = _run(lab, iis_cluster_steps="wam_identity", leaves_broken="NODE2 has no batch right")
    assert stuck.rc != 0
    configs = _configs(lab)
    assert _process_model(configs["NODE1"])["userName"] == "WEBFARM\\IWAM_web"
    assert _process_model(configs["NODE2"]) == _process_model(before["NODE2"])
    assert _pools(lab)["NODE2"]["Shop"]["state"] == "Started"
    assert configs["NODE3"] == before["NODE3"]
    items = stuck.result(ROLLOUT, "node1")["results"]
    assert [item["item"] for item in items] == ["node1", "node2"]
    assert items[1]["pools"][0]["restored"] is True
    assert items[1]["pools"][0]["start_error"]["code"] == 1385
    summary = _summary(stuck)
    assert "the previous identity was put back" in summary
    assert "untouched: the roll-out stopped at node2, before this node" in summary
