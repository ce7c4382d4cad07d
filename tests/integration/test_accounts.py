"""KB Q249603 steps 1-5 (roles domain_accounts and node_access, modules domain_account,
local_group_member, user_right) run by the real ansible-playbook over WinRM against the lab."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from lab_harness import Lab
from iis_lab.state import secret_matches

IUSR = "WEBFARM\\IUSR_web"
IWAM = "WEBFARM\\IWAM_web"
NODES = ("node1", "node2")
ACCOUNTS_TASK = "webfarm.iis_cluster.domain_accounts : Ensure the domain IUSR and IWAM accounts (KB Q249603 steps 1-3)"
ACCESS_TASK = (
    "webfarm.iis_cluster.node_access : Put the domain IUSR and IWAM accounts in the local group and make their "
    "logon rights effective (KB Q249603 steps 4-5)"
)
DC_TOPOLOGY = Path(__file__).resolve().parents[1] / "lab" / "iis_lab" / "topologies" / "domain_controllers.yml"


def _password(prefix: str) -> str:
    # Meets the lab domain's policy: 8 characters and more, three kinds of characters.
    return f"{prefix}-{secrets.token_hex(6)}"


def _kb_vars() -> dict[str, str]:
    return {
        "iis_cluster_account_base": "web",
        "iis_cluster_iusr_password": _password("Iusr"),
        "iis_cluster_iwam_password": _password("Iwam"),
    }


def _model(lab: Lab) -> dict:
    """What a run may change: the domain's accounts and every host's accounts, groups and rights."""
    state = lab.state()
    return {"domain": state["domain"], "hosts": state["hosts"]}


def _users_group(lab: Lab, host: str) -> list[str]:
    members = lab.state()["hosts"][host.upper()]["local_groups"]["BUILTIN\\Users"]["members"]
    accounts = lab.state()["domain"]["accounts"]
    names = {entry["sid"]: name for name, entry in accounts.items()}
    return [names.get(sid, sid) for sid in members]


def test_check_first_then_a_run_that_converges_then_one_that_changes_nothing(lab: Lab) -> None:
    kb = _kb_vars()
    before = _model(lab)

    check = lab.playbook("accounts.yml", "--check", extra_vars=kb)
    assert check.rc == 0, check.output
    assert _model(lab) == before
    predicted = check.result(ACCOUNTS_TASK, "node1")["accounts"][0]
    assert predicted["changed"] is True and predicted["before"] is None
    assert predicted["after"]["groups"] == ["Domain Users"] and predicted["password_changed"] is True
    assert check.result(ACCESS_TASK, "node2")["membership"]["added"] == [IUSR, IWAM]
    rights = check.result(ACCESS_TASK, "node1")["rights"][0]
    assert [(entry["exists"], entry["effective"]) for entry in rights["accounts"]] == [(False, None), (False, None)]

    run = lab.playbook("accounts.yml", extra_vars=kb)
    assert run.rc == 0, run.output
    # node1: both accounts (one task), then steps 4-5 (the local group, IWAM's batch right); node2: steps 4-5.
    assert run.changed() == check.changed() == {"node1": 2, "node2": 1}
    assert [entry["name"] for entry in run.result(ACCOUNTS_TASK, "node1")["accounts"]] == ["IUSR_web", "IWAM_web"]
    accounts = lab.state()["domain"]["accounts"]
    for name, password in ((IUSR, kb["iis_cluster_iusr_password"]), (IWAM, kb["iis_cluster_iwam_password"])):
        account = accounts[name]
        assert (account["enabled"], account["password_never_expires"], account["cannot_change_password"]) == (
            True,
            True,
            True,
        )
        assert secret_matches(account["password_digest"], password)
        assert account["sid"] in accounts["WEBFARM\\Domain Users"]["members"]
    for node in NODES:
        assert {IUSR, IWAM} <= set(_users_group(lab, node))
        holders = lab.state()["hosts"][node.upper()]["user_rights"]["SeInteractiveLogonRight"]
        assert IUSR not in holders and IWAM not in holders, "effective through Users: no direct grant"
        effective = run.result(ACCESS_TASK, node)["rights"][0]["accounts"]
        assert [(entry["effective"], entry["holder"], entry["changed"]) for entry in effective] == [
            (True, "BUILTIN\\Users", False),
            (True, "BUILTIN\\Users", False),
        ]
        # COM+ logs IWAM on as a batch job on every node; nothing else gives it that right.
        assert IWAM in lab.state()["hosts"][node.upper()]["user_rights"]["SeBatchLogonRight"]
        assert IUSR not in lab.state()["hosts"][node.upper()]["user_rights"]["SeBatchLogonRight"]
        assert run.result(ACCESS_TASK, node)["rights"][1]["accounts"][0]["source"] == "direct"

    again = lab.playbook("accounts.yml", extra_vars=kb)
    assert again.rc == 0, again.output
    assert again.changed() == {"node1": 0, "node2": 0}


def test_a_new_password_changes_the_account_once_with_when_changed(lab: Lab) -> None:
    kb = _kb_vars()
    assert lab.playbook("accounts.yml", extra_vars=kb).rc == 0
    rotated = {**kb, "iis_cluster_iusr_password": _password("Iusr")}

    run = lab.playbook("accounts.yml", extra_vars=rotated)
    assert run.rc == 0, run.output
    assert run.changed() == {"node1": 1, "node2": 0}
    iusr, iwam = run.result(ACCOUNTS_TASK, "node1")["accounts"]
    assert (iusr["changed"], iusr["password_changed"]) == (True, True)
    assert (iwam["changed"], iwam["password_changed"]) == (False, False)
    digest = lab.state()["domain"]["accounts"][IUSR]["password_digest"]
    assert secret_matches(digest, rotated["iis_cluster_iusr_password"])
    assert not secret_matches(digest, kb["iis_cluster_iusr_password"])

    assert lab.playbook("accounts.yml", extra_vars=rotated).changed() == {"node1": 0, "node2": 0}


def test_the_right_is_effective_through_domain_users_in_users_without_a_grant(lab: Lab) -> None:
    """Without step 4, the KB's default chain alone gives "Log on locally" on member servers."""
    for name in ("IUSR_web", "IWAM_web"):
        assert lab.playbook("domain_account.yml", extra_vars={"name": name, "password": _password("Acct")}).rc == 0

    run = lab.playbook("user_right.yml", extra_vars={"accounts": [IUSR, "IWAM_web@webfarm.test"]})
    assert run.rc == 0, run.output
    assert run.changed() == {"node1": 0, "node2": 0}
    entry = run.result("Right", "node2")["accounts"][0]
    assert (entry["account"], entry["source"], entry["through"]) == (
        IUSR,
        "group",
        ["WEBFARM\\Domain Users", "BUILTIN\\Users"],
    )

    direct = lab.playbook("user_right.yml", extra_vars={"accounts": [IUSR], "mode": "direct"})
    assert direct.changed() == {"node1": 1, "node2": 1}
    assert IUSR in lab.state()["hosts"]["NODE1"]["user_rights"]["SeInteractiveLogonRight"]
    assert direct.result("Right", "node1")["accounts"][0]["source"] == "direct"


def test_on_domain_controllers_iis_setup_s_accounts_are_taken_over_step_4_is_skipped_and_the_right_is_in_place(
    tmp_path: Path,
) -> None:
    lab = Lab(tmp_path, topology=DC_TOPOLOGY)
    try:
        before = lab.state()["domain"]["accounts"]
        run = lab.playbook("accounts.yml")
        assert run.rc == 0, run.output
        # No account is created: IIS setup's IUSR_NODE1 and IWAM_NODE1 are marked as the
        # collection's; without a password given, theirs stay as they were.
        results = run.result(ACCOUNTS_TASK, "node1")["accounts"]
        for result, name in zip(results, ("WEBFARM\\IUSR_NODE1", "WEBFARM\\IWAM_NODE1")):
            assert result["password_changed"] is False
            after = lab.state()["domain"]["accounts"][name]
            assert after["password_digest"] == before[name]["password_digest"]
            assert after["user_comment"].startswith("Created by webfarm.iis_cluster")
        for node in NODES:
            assert run.result(ACCESS_TASK, node)["membership"]["skipped"] is True
        assert lab.state()["domain"]["accounts"].keys() == before.keys()

        # IIS setup on NODE1 gave its own IUSR "Log on locally"; IWAM_NODE1 on NODE1, and both on
        # NODE2, get it directly: the Default Domain Controllers Policy gives it to no group they are in.
        granted = {
            node: [entry["changed"] for entry in run.result(ACCESS_TASK, node)["rights"][0]["accounts"]]
            for node in NODES
        }
        assert granted == {"node1": [False, True], "node2": [True, True]}
        for node in ("NODE1", "NODE2"):
            holders = lab.state()["hosts"][node]["user_rights"]["SeInteractiveLogonRight"]
            assert {"WEBFARM\\IUSR_NODE1", "WEBFARM\\IWAM_NODE1"} <= set(holders)
            assert "BUILTIN\\Users" not in holders

        assert lab.playbook("accounts.yml").changed() == {"node1": 0, "node2": 0}
    finally:
        lab.stop()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("IUSR_web_cluster_2024", "name: 'IUSR_web_cluster_2024' has 21 characters; a user's logon name (sAMAccountName) has at most 20"),
        ("IUSR/web", "name: 'IUSR/web' contains '/'; an account name may not contain"),
    ],
)
def test_a_bad_name_fails_naming_the_field_and_the_rule_before_any_remote_call(lab: Lab, name: str, message: str) -> None:
    started = len(lab.processes())
    run = lab.playbook("domain_account.yml", extra_vars={"name": name, "password": _password("Acct")})
    assert run.rc != 0
    assert run.result("Account", "dc1")["msg"].startswith(message)
    assert len(lab.processes()) == started


def test_a_password_the_domain_policy_rejects_fails_naming_the_field_and_the_rule(lab: Lab) -> None:
    run = lab.playbook("accounts.yml", extra_vars={**_kb_vars(), "iis_cluster_iusr_password": "short"})
    assert run.rc != 0
    message = run.result(ACCOUNTS_TASK, "node1")["msg"]
    assert message.startswith(
        "accounts[0].password: the password policy of the domain WEBFARM rejects it (NERR_PasswordTooShort, 2245)"
    )
    assert "at least 8 characters" in message and "complexity" in message
    # Every password is set first: the refusal stops the batch before the IWAM account is made.
    assert IUSR not in lab.state()["domain"]["accounts"]
    assert IWAM not in lab.state()["domain"]["accounts"]


def test_a_refused_second_password_leaves_the_first_account_as_it_was(lab: Lab) -> None:
    kb = _kb_vars()
    assert lab.playbook("accounts.yml", extra_vars=kb).rc == 0
    before = _model(lab)
    # A new IUSR password the policy accepts, an IWAM password of one class of characters.
    rotated = {**kb, "iis_cluster_iusr_password": _password("Iusr"), "iis_cluster_iwam_password": "onlylowercaseletters"}

    for args in (("--check",), ()):
        run = lab.playbook("accounts.yml", *args, extra_vars=rotated)
        assert run.rc != 0
        assert run.result(ACCOUNTS_TASK, "node1")["msg"].startswith(
            "accounts[1].password: the password policy of the domain WEBFARM rejects it"
        )
        # Refused before the first password was written: IUSR keeps the password step 6 wrote.
        assert _model(lab) == before
    assert secret_matches(lab.state()["domain"]["accounts"][IUSR]["password_digest"], kb["iis_cluster_iusr_password"])


def test_domain_account_refuses_to_run_on_a_member_server(lab: Lab) -> None:
    run = lab.playbook("domain_account.yml", extra_vars={"target": "node1", "name": "IUSR_web", "password": _password("Acct")})
    assert run.rc != 0
    assert run.result("Account", "node1")["msg"].startswith(
        "webfarm.iis_cluster.domain_account manages domain accounts and must run on a domain controller, but node1 "
        "is a member server (domain role 3): delegate the task to a host of the domain_controllers group"
    )
    assert "IUSR_web" not in str(lab.state()["hosts"]["NODE1"]["accounts"])


def test_a_right_for_an_account_that_does_not_exist_fails_naming_it(lab: Lab) -> None:
    run = lab.playbook("user_right.yml", extra_vars={"accounts": ["WEBFARM\\Nobody"]})
    assert run.rc != 0
    assert run.result("Right", "node1")["msg"].startswith(
        "accounts: 'WEBFARM\\\\Nobody' maps to no account on the node (ERROR_NONE_MAPPED); create it first"
    )


def test_no_password_in_output_at_vvvv_in_state_or_in_process_records(lab: Lab) -> None:
    kb = _kb_vars()
    rotated = {**kb, "iis_cluster_iusr_password": _password("Iusr"), "iis_cluster_iwam_password": _password("Iwam")}
    rejected = {**kb, "iis_cluster_iusr_password": "Sh0rt!"}
    runs = [
        lab.playbook("accounts.yml", "-vvvv", "--diff", "--check", extra_vars=kb),
        lab.playbook("accounts.yml", "-vvvv", "--diff", extra_vars=kb),
        lab.playbook("accounts.yml", "-vvvv", "--diff", extra_vars=rotated),
        lab.playbook("accounts.yml", "-vvvv", "--diff", extra_vars=rejected),
    ]
    assert [run.rc == 0 for run in runs] == [True, True, True, False]
    assert "+IUSR_web password: (secret) (changed)" in runs[2].output
    for password in {*kb.values(), *rotated.values(), rejected["iis_cluster_iusr_password"]} - {"web"}:
        lab.assert_never_exposed(password, runs)


def test_domain_accounts_reads_both_accounts_in_one_execution_and_writes_both_in_one_more(lab: Lab) -> None:
    accounts = [{"name": "IUSR_web", "password": _password("Iusr")}, {"name": "IWAM_web", "password": _password("Iwam")}]
    before = _model(lab)

    def run(*options: str, extra: dict | None = None):
        started = len(lab.processes())
        result = lab.playbook("domain_accounts.yml", "-vvvv", *options, extra_vars={"accounts": accounts, **(extra or {})})
        return result, len(lab.processes()) - started

    check, executions = run("--check", "--diff")
    assert (check.rc, executions) == (0, 1), check.output
    assert _model(lab) == before
    assert [(entry["name"], entry["changed"], entry["after"]["sid"]) for entry in check.result("Accounts", "dc1")["accounts"]] == [
        ("IUSR_web", True, None),
        ("IWAM_web", True, None),
    ]
    assert "+IUSR_web password: (secret)" in check.output and "+IWAM_web password: (secret)" in check.output

    converge, executions = run("--diff")
    assert (converge.rc, executions) == (0, 2), converge.output
    made = lab.state()["domain"]["accounts"]
    for entry, result in zip(accounts, converge.result("Accounts", "dc1")["accounts"]):
        assert secret_matches(made[f"WEBFARM\\{entry['name']}"]["password_digest"], entry["password"])
        assert (result["changed"], result["after"]["sid"]) == (True, made[f"WEBFARM\\{entry['name']}"]["sid"])

    again, executions = run()
    assert (again.rc, executions, again.changed()) == (0, 1, {"dc1": 0}), again.output
    lab.assert_never_exposed(accounts[0]["password"], [check, converge, again])
    lab.assert_never_exposed(accounts[1]["password"], [check, converge, again])
    lab.assert_healthy()


def test_domain_accounts_refuses_an_account_named_twice_before_any_remote_call(lab: Lab) -> None:
    started = len(lab.processes())
    twice = [{"name": "IUSR_web", "password": _password("Iusr")}, {"name": "WEBFARM\\iusr_WEB", "password": _password("Iwam")}]
    run = lab.playbook("domain_accounts.yml", extra_vars={"accounts": twice})
    assert run.rc != 0
    assert run.result("Accounts", "dc1")["msg"].startswith(
        "webfarm.iis_cluster.domain_accounts: accounts[0].name, accounts[1].name: both name the account 'iusr_WEB'"
    )
    assert len(lab.processes()) == started


def test_domain_accounts_changes_no_account_when_it_refuses_one(lab: Lab) -> None:
    before = lab.state_text()
    accounts = [{"name": "IUSR_web", "password": _password("Iusr")}, {"name": "krbtgt", "password": _password("Krb")}]
    run = lab.playbook("domain_accounts.yml", extra_vars={"accounts": accounts, "adopt": True})
    assert run.rc != 0
    assert run.result("Accounts", "dc1")["msg"].startswith("accounts[1].name: the domain account 'krbtgt' is ")
    assert lab.state_text() == before


def test_each_module_costs_one_remote_execution_unchanged_and_two_changed(lab: Lab) -> None:
    def executions(playbook: str, extra_vars: dict) -> int:
        started = len(lab.processes())
        run = lab.playbook(playbook, extra_vars=extra_vars)
        assert run.rc == 0, run.output
        return len(lab.processes()) - started

    account = {"name": "IUSR_web", "password": _password("Acct")}
    assert executions("domain_account.yml", account) == 2
    assert executions("domain_account.yml", account) == 1
    right = {"accounts": [IUSR], "mode": "direct"}
    assert executions("user_right.yml", right) == 2 * len(NODES)
    assert executions("user_right.yml", right) == len(NODES)
