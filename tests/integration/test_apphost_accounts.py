"""KB Q249603 steps 1-5 on IIS 7-10 (roles domain_accounts and node_access through
playbooks/cluster_iis.yml), run by the real ansible-playbook over WinRM against the lab's iis10
topology: a domain IWAM account or a group managed service account, and the rights each logon
type needs, granted only where missing."""

from __future__ import annotations

import secrets
import typing as t
from pathlib import Path

import pytest
import yaml
from iis_lab.state import secret_matches
from lab_harness import ROOT, Lab

IIS10 = ROOT / "tests" / "lab" / "iis_lab" / "topologies" / "iis10.yml"
LAB_TOPOLOGY = IIS10  # the lab fixture's (conftest.py): a domain controller and three IIS 10 nodes
PLAYBOOK = "webfarm.iis_cluster.cluster_iis"
STEPS = ["domain_accounts", "node_access"]
NODES = ("NODE1", "NODE2", "NODE3")
IUSR = "WEBFARM\\IUSR_web"
IWAM = "WEBFARM\\IWAM_web"
GMSA = "WEBFARM\\IWAM_web$"
ACCOUNTS_TASK = "webfarm.iis_cluster.domain_accounts : Ensure the domain IUSR and IWAM accounts (KB Q249603 steps 1-3)"
ACCESS_TASK = (
    "webfarm.iis_cluster.node_access : Put the domain IUSR and IWAM accounts in the local group and make their "
    "logon rights effective (KB Q249603 steps 4-5)"
)



def _password(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


def _steps(**extra: t.Any) -> dict[str, t.Any]:
    return {"iis_cluster_steps": STEPS, "iis_cluster_account_base": "web", **extra}


def _model(lab: Lab) -> dict[str, t.Any]:
    """What steps 1-5 may change: the domain's accounts, every host's accounts, groups and rights."""
    state = lab.state()
    return {
        "domain": state["domain"],
        "hosts": {name: (host["accounts"], host["local_groups"], host["user_rights"]) for name, host in state["hosts"].items()},
    }


def _sid(lab: Lab, name: str) -> str:
    return str(lab.state()["domain"]["accounts"][name]["sid"])


def _executions(lab: Lab, since: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for process in lab.processes()[since:]:
        counts[process["host"]] = counts.get(process["host"], 0) + 1
    return counts


def _rights(result: dict[str, t.Any]) -> dict[str, list[tuple[str, str | None, list[str], bool]]]:
    """Each right the node_access task decided on: (account, holder, chain, changed) by right."""
    return {
        entry["right"]: [(account["account"], account["holder"], account["through"], account["changed"]) for account in entry["accounts"]]
        for entry in result["rights"]
    }


def test_steps_1_to_5_with_a_domain_account_predicted_made_kept_and_a_removed_right_granted_on_its_node_only(lab: Lab) -> None:
    kb = _steps(iis_cluster_iusr_password=_password("Iusr"), iis_cluster_iwam_password=_password("Iwam"))
    before = _model(lab)

    check = lab.playbook(PLAYBOOK, "--check", "--diff", "-vvvv", extra_vars=kb)
    assert check.rc == 0, check.output
    assert _model(lab) == before
    predicted = check.result(ACCOUNTS_TASK, "node1")["accounts"]
    assert [(entry["name"], entry["before"]) for entry in predicted] == [("IUSR_web", None), ("IWAM_web", None)]
    assert check.result(ACCESS_TASK, "node3")["membership"]["added"] == [IUSR, IWAM]

    started = len(lab.processes())
    run = lab.playbook(PLAYBOOK, "--diff", "-vvvv", extra_vars=kb)
    assert run.rc == 0, run.output
    # The controller's two executions (query, apply); each node's two (the pre-flight's node_info
    # and the role's query) plus its apply: the accounts join Users.
    assert _executions(lab, started) == {"DC1": 2, "NODE1": 3, "NODE2": 3, "NODE3": 3}
    accounts = lab.state()["domain"]["accounts"]
    assert secret_matches(accounts[IUSR]["password_digest"], kb["iis_cluster_iusr_password"])
    assert secret_matches(accounts[IWAM]["password_digest"], kb["iis_cluster_iwam_password"])
    for node in NODES:
        host = lab.state()["hosts"][node]
        assert {_sid(lab, IUSR), _sid(lab, IWAM)} <= set(host["local_groups"]["BUILTIN\\Users"]["members"])
        # No right granted: ClearText is a network logon, which Users holds; LogonBatch's right
        # IIS_IUSRS holds, which WAS puts in the worker's token.
        assert IUSR not in host["user_rights"]["SeNetworkLogonRight"]
        assert IWAM not in host["user_rights"]["SeBatchLogonRight"]
        rights = _rights(run.result(ACCESS_TASK, node.lower()))
        assert rights == {
            "SeNetworkLogonRight": [(IUSR, "BUILTIN\\Users", ["BUILTIN\\Users"], False)],
            "SeBatchLogonRight": [(IWAM, "BUILTIN\\IIS_IUSRS", ["BUILTIN\\IIS_IUSRS"], False)],
        }
        needed_by = [account["needed_by"] for entry in run.result(ACCESS_TASK, node.lower())["rights"] for account in entry["accounts"]]
        assert needed_by == [
            "anonymous requests to the sites (logonMethod ClearText)",
            "application pools (logonType LogonBatch)",
        ]
    assert check.changed() == run.changed()

    started = len(lab.processes())
    again = lab.playbook(PLAYBOOK, "-vvvv", extra_vars=kb)
    assert again.rc == 0, again.output
    assert set(again.changed().values()) == {0}
    assert _executions(lab, started) == {"DC1": 1, "NODE1": 2, "NODE2": 2, "NODE3": 2}

    # A GPO takes "Log on as a batch job" from IIS_IUSRS on NODE3: found there, granted there only.
    lab.condition("NODE3", "batch_right_removed", "BUILTIN\\IIS_IUSRS")
    untouched = {node: lab.state()["hosts"][node]["user_rights"] for node in ("NODE1", "NODE2")}
    started = len(lab.processes())
    fixed = lab.playbook(PLAYBOOK, "--diff", extra_vars=kb)
    assert fixed.rc == 0, fixed.output
    assert _executions(lab, started) == {"DC1": 1, "NODE1": 2, "NODE2": 2, "NODE3": 3}
    assert fixed.status(ACCESS_TASK, "node3") == "ok" and fixed.result(ACCESS_TASK, "node3")["changed"] is True
    assert not fixed.result(ACCESS_TASK, "node1")["changed"] and not fixed.result(ACCESS_TASK, "node2")["changed"]
    assert _rights(fixed.result(ACCESS_TASK, "node3"))["SeBatchLogonRight"] == [(IWAM, IWAM, [], True)]
    assert IWAM in lab.state()["hosts"]["NODE3"]["user_rights"]["SeBatchLogonRight"]
    assert {node: lab.state()["hosts"][node]["user_rights"] for node in ("NODE1", "NODE2")} == untouched
    lab.assert_healthy()

    for secret in (kb["iis_cluster_iusr_password"], kb["iis_cluster_iwam_password"]):
        lab.assert_never_exposed(secret, [check, run, again, fixed])


def test_steps_1_to_5_with_a_gmsa_every_node_allowed_no_password_and_principals_only_added(lab: Lab) -> None:
    kb = _steps(iis_cluster_iusr_password=_password("Iusr"), iis_cluster_iwam_gmsa=True)
    before = _model(lab)

    check = lab.playbook(PLAYBOOK, "--check", "--diff", extra_vars=kb)
    assert check.rc == 0, check.output
    assert _model(lab) == before
    predicted = check.result(ACCOUNTS_TASK, "node1")
    assert [entry["name"] for entry in predicted["accounts"]] == ["IUSR_web"]
    assert predicted["gmsa"]["changed"] is True and predicted["gmsa"]["before"] is None
    assert predicted["gmsa"]["after"]["principals"] == ["WEBFARM\\NODE1$", "WEBFARM\\NODE2$", "WEBFARM\\NODE3$"]
    assert "IWAM_web$ (gMSA)" in check.output

    run = lab.playbook(PLAYBOOK, "--diff", extra_vars=kb)
    assert run.rc == 0, run.output
    accounts = lab.state()["domain"]["accounts"]
    gmsa = accounts[GMSA]
    assert gmsa["object_class"] == "msDS-GroupManagedServiceAccount"
    computers = [_sid(lab, f"WEBFARM\\{node}$") for node in NODES]
    assert gmsa["managed_principals"] == computers
    assert gmsa["dns_host_name"] == "iwam_web.webfarm.test"
    assert IWAM not in accounts, "a gMSA IWAM identity is no domain user"
    result = run.result(ACCOUNTS_TASK, "node1")["gmsa"]
    assert (result["qualified_name"], result["after"]["principals"]) == (GMSA, predicted["gmsa"]["after"]["principals"])
    for node in NODES:
        host = lab.state()["hosts"][node]
        assert gmsa["sid"] in host["local_groups"]["BUILTIN\\Users"]["members"]
        assert _rights(run.result(ACCESS_TASK, node.lower()))["SeBatchLogonRight"] == [
            (GMSA, "BUILTIN\\IIS_IUSRS", ["BUILTIN\\IIS_IUSRS"], False)
        ]
    assert "domain accounts  WEBFARM\\IUSR_web created; WEBFARM\\IWAM_web$ created" in run.output
    assert "batch logon      WEBFARM\\IWAM_web$ through BUILTIN\\IIS_IUSRS" in run.output

    again = lab.playbook(PLAYBOOK, extra_vars=kb)
    assert again.rc == 0, again.output
    assert set(again.changed().values()) == {0}

    # An administrator takes NODE3 out: it is added back, NODE1 and NODE2 stay, in one apply.
    lab.condition("NODE3", "gmsa_not_allowed", "WEBFARM\\IWAM_web$")
    assert lab.state()["domain"]["accounts"][GMSA]["managed_principals"] == computers[:2]
    started = len(lab.processes())
    restored = lab.playbook(PLAYBOOK, "--diff", extra_vars=kb)
    assert restored.rc == 0, restored.output
    assert _executions(lab, started)["DC1"] == 2
    assert lab.state()["domain"]["accounts"][GMSA]["managed_principals"] == computers
    assert restored.result(ACCOUNTS_TASK, "node1")["gmsa"]["changed"] is True
    assert "+IWAM_web$ (gMSA) principals allowed to retrieve its password: " in restored.output
    lab.assert_never_exposed(kb["iis_cluster_iusr_password"], [check, run, again, restored])


def test_without_a_kds_root_key_the_gmsa_is_refused_before_any_change(tmp_path: Path) -> None:
    document = yaml.safe_load(IIS10.read_text())
    del document["domain"]["kds_root_key"], document["domain"]["managed_service_accounts"]
    for host in document["hosts"]:
        if "applicationhost" in host:
            host["applicationhost"] = str(IIS10.parent / host["applicationhost"])
    topology = tmp_path / "no-kds.yml"
    topology.write_text(yaml.safe_dump(document))
    bare = Lab(tmp_path, topology=topology)
    try:
        kb = _steps(iis_cluster_iusr_password=_password("Iusr"), iis_cluster_iwam_gmsa=True)
        before = _model(bare)
        run = bare.playbook(PLAYBOOK, extra_vars=kb)
        assert run.rc != 0
        assert _model(bare) == before
        message = run.result(ACCOUNTS_TASK, "node1")["msg"]
        assert "gmsa.name: the gMSA IWAM_web$ cannot be created: the domain has no KDS root key" in message
        assert "Add-KdsRootKey" in message and "10 hours" in message and "Nothing was changed" in message
        assert "WEBFARM\\IUSR_web" not in bare.state()["domain"]["accounts"]
        assert ACCESS_TASK not in {entry["task"] for entry in run.results}
        bare.assert_never_exposed(kb["iis_cluster_iusr_password"], [run])
    finally:
        bare.stop()


@pytest.mark.parametrize(
    ("extra", "refusal"),
    [
        (
            {"iis_cluster_iwam_password": "Iwam-Never-Sh0wn"},
            "iis_cluster_iwam_gmsa, iis_cluster_iwam_password: a group managed service account has no password",
        ),
        (
            {"iis_cluster_iwam_name": "IWAM_webfarm_pool"},
            "iis_cluster_iwam_name: 'IWAM_webfarm_pool' has 17 characters; with iis_cluster_iwam_gmsa the IWAM "
            "identity is a group managed service account, whose name has at most 15",
        ),
    ],
    ids=["password", "name-length"],
)
def test_the_pre_flight_refuses_a_gmsa_with_a_password_or_a_long_name(lab: Lab, extra: dict[str, str], refusal: str) -> None:
    before = _model(lab)
    run = lab.playbook(PLAYBOOK, extra_vars=_steps(iis_cluster_iusr_password=_password("Iusr"), iis_cluster_iwam_gmsa=True, **extra))
    assert run.rc != 0
    assert refusal in run.output
    assert "the run was refused before any change" in run.output
    assert _model(lab) == before
    assert "Iwam-Never-Sh0wn" not in run.output
