"""Issue 11, defects 1, 5 and 8, by the real ansible-playbook over WinRM against the lab: the
collection never touches a privileged or another's account, never rewrites a name into another
account, refuses a secret that is not a string, and clusters domain controllers end to end."""

from __future__ import annotations

import json
import secrets
import typing as t
from pathlib import Path

import pytest
import yaml
from lab_harness import ROOT, Lab
from iis_lab.state import secret_matches

PLAYBOOK = "webfarm.iis_cluster.cluster_iis"
DEMO_VARS = yaml.safe_load((ROOT / "tests" / "lab" / "cluster-vars.yml").read_text())
DC_TOPOLOGY = ROOT / "tests" / "lab" / "iis_lab" / "topologies" / "domain_controllers.yml"
ACCOUNTS_TASK = "webfarm.iis_cluster.domain_accounts : Ensure the domain IUSR and IWAM accounts (KB Q249603 steps 1-3)"
ADMINISTRATOR = "WEBFARM\\Administrator"
MARKER = "Created by webfarm.iis_cluster (KB Q249603); its password is managed by it."


def _password(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


def _accounts(lab: Lab) -> dict[str, t.Any]:
    return lab.state()["domain"]["accounts"]


def _with_domain_accounts(lab: Lab, users: dict[str, dict[str, t.Any]], groups: dict[str, dict[str, t.Any]]) -> None:
    """Accounts an administrator made by hand, outside the collection: written into the stopped
    lab's state, which the lab then resumes from."""
    lab.stop()
    path = lab.state_dir / "state.json"
    state = json.loads(path.read_text())
    domain = state["domain"]
    accounts = domain["accounts"]
    for number, (name, entry) in enumerate(users.items()):
        accounts[f"WEBFARM\\{name}"] = {
            "sid": f"{domain['sid']}-{1500 + number}",
            "kind": "user",
            "enabled": True,
            "password_never_expires": False,
            "cannot_change_password": False,
            "description": "made by hand",
            "user_comment": "",
            "admin_count": False,
            "password_digest": None,
            **entry,
        }
        accounts["WEBFARM\\Domain Users"]["members"].append(accounts[f"WEBFARM\\{name}"]["sid"])
    for number, (name, entry) in enumerate(groups.items()):
        members = [accounts[f"WEBFARM\\{member}"]["sid"] for member in entry["members"]]
        accounts[f"WEBFARM\\{name}"] = {"sid": f"{domain['sid']}-{1600 + number}", "kind": "group", "members": members}
        for parent in entry["member_of"]:
            accounts[f"WEBFARM\\{parent}"]["members"].append(accounts[f"WEBFARM\\{name}"]["sid"])
    path.write_text(json.dumps(state))
    lab.restart()


def test_the_anonymous_user_named_administrator_is_refused_and_nothing_changes(lab: Lab) -> None:
    before = lab.state_text()
    administrator = _accounts(lab)[ADMINISTRATOR]

    run = lab.playbook(PLAYBOOK, extra_vars={**DEMO_VARS, "iis_cluster_iusr_name": "Administrator"})

    assert run.rc != 0
    message = run.result(ACCOUNTS_TASK, "node1")["msg"]
    assert message.startswith(
        "accounts[0].name: the domain account 'Administrator' is the built-in Administrator (RID 500); the collection never "
        "changes such an account, adopt or not"
    )
    assert _accounts(lab)[ADMINISTRATOR] == administrator
    assert lab.state_text() == before
    assert lab.iissync_runs() == []


def test_adopting_does_not_open_the_administrator_account(lab: Lab) -> None:
    before = lab.state_text()
    run = lab.playbook(
        PLAYBOOK,
        extra_vars={**DEMO_VARS, "iis_cluster_iwam_name": "Administrator", "domain_accounts_adopt_existing": True},
    )
    assert run.rc != 0
    assert run.result(ACCOUNTS_TASK, "node1")["msg"].startswith(
        "accounts[1].name: the domain account 'Administrator' is the built-in Administrator (RID 500)"
    )
    # Both accounts are planned before anything is written: IUSR_web is not made either.
    assert lab.state_text() == before


def test_a_user_nested_in_domain_admins_is_refused_by_its_groups_not_its_name(lab: Lab) -> None:
    _with_domain_accounts(
        lab,
        users={"svc_web": {}},
        groups={"Web Operators": {"members": ["svc_web"], "member_of": ["Domain Admins"]}},
    )
    before = lab.state_text()

    run = lab.playbook(
        PLAYBOOK,
        extra_vars={**DEMO_VARS, "iis_cluster_iusr_name": "svc_web", "domain_accounts_adopt_existing": True},
    )

    assert run.rc != 0
    message = run.result(ACCOUNTS_TASK, "node1")["msg"]
    assert message.startswith(
        "accounts[0].name: the domain account 'svc_web' is a member of Domain Admins (RID 512), BUILTIN\\Administrators "
        "(S-1-5-32-544), directly or through nested groups"
    )
    assert lab.state_text() == before


def test_an_account_made_by_hand_is_changed_only_when_adopted_and_then_needs_no_adoption(lab: Lab) -> None:
    _with_domain_accounts(lab, users={"IUSR_web": {}}, groups={})
    before = lab.state_text()
    kb = {**DEMO_VARS, "iis_cluster_iusr_password": _password("Iusr")}

    refused = lab.playbook(PLAYBOOK, "--check", extra_vars=kb)
    assert refused.rc != 0
    message = refused.result(ACCOUNTS_TASK, "node1")["msg"]
    assert message.startswith("accounts[0].name: the domain account 'IUSR_web' exists and was not created by this collection")
    assert "domain_accounts_adopt_existing" in message
    refused = lab.playbook(PLAYBOOK, extra_vars=kb)
    assert refused.rc != 0 and "was not created by this collection" in refused.result(ACCOUNTS_TASK, "node1")["msg"]
    assert lab.state_text() == before

    adopted = lab.playbook(PLAYBOOK, extra_vars={**kb, "domain_accounts_adopt_existing": True})
    assert adopted.rc == 0, adopted.output
    account = _accounts(lab)["WEBFARM\\IUSR_web"]
    assert secret_matches(account["password_digest"], kb["iis_cluster_iusr_password"])
    assert (account["user_comment"], account["password_never_expires"], account["cannot_change_password"]) == (
        MARKER,
        True,
        True,
    )

    again = lab.playbook(PLAYBOOK, extra_vars=kb)
    assert again.rc == 0, again.output
    assert again.changed() == {"node1": 0, "node2": 0}


@pytest.mark.parametrize(
    ("names", "field", "rule"),
    [
        ({"iis_cluster_iusr_name": "EVILCORP\\IUSR_x"}, "iis_cluster_iusr_name", "names the domain 'EVILCORP'"),
        ({"iis_cluster_account_base": "x\\y"}, "iis_cluster_account_base", "contains '\\\\'"),
        (
            {"iis_cluster_iusr_name": "IUSR_shared", "iis_cluster_iwam_name": "iusr_SHARED"},
            "iis_cluster_iusr_name, iis_cluster_iwam_name",
            "both name the account 'IUSR_shared'",
        ),
    ],
)
def test_a_name_is_never_rewritten_into_another_account(lab: Lab, names: dict, field: str, rule: str) -> None:
    before = lab.state_text()

    run = lab.playbook(PLAYBOOK, extra_vars={**DEMO_VARS, **names})

    assert run.rc != 0
    assert f"{field}: " in run.output and rule in run.output
    assert lab.state_text() == before


@pytest.mark.parametrize("value", [["Lab-Iwam-Passw0rd", "second"], {"password": "Lab-Iwam-Passw0rd"}, 12345678])
def test_a_secret_that_is_not_a_string_is_refused_naming_the_option_not_the_value(lab: Lab, value: t.Any) -> None:
    run = lab.playbook("accounts.yml", "-vvv", extra_vars={**DEMO_VARS, "iis_cluster_iwam_password": value})

    assert run.rc != 0
    message = run.result(ACCOUNTS_TASK, "node1")["msg"]
    kind = {list: "list", dict: "mapping", int: "number"}[type(value)]
    assert message.startswith(
        f"webfarm.iis_cluster.domain_accounts: accounts[1].password: a secret must be a string, but it is a {kind}"
    )
    assert "WEBFARM\\IWAM_web" not in _accounts(lab)
    lab.assert_never_exposed("Lab-Iwam-Passw0rd", [run])
    lab.assert_never_exposed("12345678", [run])


def test_clustered_domain_controllers_converge_through_the_whole_playbook(tmp_path: Path) -> None:
    lab = Lab(tmp_path, topology=DC_TOPOLOGY)
    try:
        kb = {
            "iis_cluster_iusr_password": _password("Iusr"),
            "iis_cluster_iwam_password": _password("Iwam"),
            **{key: value for key, value in DEMO_VARS.items() if key.startswith("ansible_become")},
        }
        administrator = _accounts(lab)[ADMINISTRATOR]

        run = lab.playbook(PLAYBOOK, extra_vars=kb)

        assert run.rc == 0, run.output
        accounts = _accounts(lab)
        for name, password in (("IUSR_NODE1", kb["iis_cluster_iusr_password"]), ("IWAM_NODE1", kb["iis_cluster_iwam_password"])):
            assert secret_matches(accounts[f"WEBFARM\\{name}"]["password_digest"], password)
            assert accounts[f"WEBFARM\\{name}"]["user_comment"] == MARKER
        for host in ("NODE1", "NODE2"):
            properties = lab.state()["hosts"][host]["metabase"]["/LM/W3SVC/1"]["properties"]
            assert properties["AnonymousUserName"]["value"] == "WEBFARM\\IUSR_NODE1"
        assert accounts[ADMINISTRATOR] == administrator

        again = lab.playbook(PLAYBOOK, extra_vars=kb)
        assert again.rc == 0, again.output
        assert again.changed() == {"node1": 0, "node2": 0}
    finally:
        lab.stop()
