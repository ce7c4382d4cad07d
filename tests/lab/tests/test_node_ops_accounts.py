"""The account, group and user right ops as the controller sees them through node_ops."""

from __future__ import annotations

import typing as t

import pytest

from iis_lab.lab import Lab
from iis_lab.windows.accounts import Kind

if t.TYPE_CHECKING:
    from conftest import NodeOps

ADMIN = "WEBFARM\\Administrator"
PASSWORD = "Iusr-Pass-1"
FLAGS = {"enabled": True, "password_never_expires": True, "user_cannot_change_password": True}


def op(op_name: str, **args: t.Any) -> dict[str, t.Any]:
    return {"op": op_name, "args": args}


def add_user(name: str = "IUSR_web", **args: t.Any) -> dict[str, t.Any]:
    return op("domain_user_add", **{"name": name, "secret": "pw", "description": "", **FLAGS, **args})


def error_of(result: dict[str, t.Any]) -> dict[str, t.Any]:
    failed = [entry for entry in result["results"] if entry["status"] == "failed"]
    assert len(failed) == 1, result
    return failed[0]["error"]


def test_a_user_added_on_a_domain_controller_is_a_domain_user_in_domain_users(node_ops: NodeOps) -> None:
    node_ops.values(add_user(), host="DC1", secrets={"pw": PASSWORD})
    user = node_ops.value(op("domain_user_get", name="iusr_web"), host="DC1")
    assert user["name"] == "IUSR_web" and user["sid"].startswith("S-1-5-21-")
    assert {key: user[key] for key in FLAGS} == FLAGS
    assert user["groups"] == ["Domain Users"]
    assert node_ops.value(op("domain_user_get", name="IUSR_other"), host="DC1") is None


def test_a_user_reports_its_nested_groups_builtin_aliases_admin_count_and_user_comment(lab: Lab, node_ops: NodeOps) -> None:
    domain = lab.domain.accounts

    def sid(name: str) -> str:
        account = domain.find(name)
        assert account is not None
        return account.sid

    admin = node_ops.value(op("domain_user_get", name="Administrator"), host="DC1")
    assert admin["sid"].endswith("-500") and admin["admin_count"] is True and admin["kind"] == "user"
    assert {sid("Domain Admins"), sid("Enterprise Admins"), "S-1-5-32-544"} <= set(admin["group_sids"])

    # Web Operators (a global group) in Domain Admins: its member is a domain admin, nested.
    node_ops.values(add_user(user_comment="made by us"), host="DC1", secrets={"pw": PASSWORD})
    operators = domain.add("Web Operators", Kind.GROUP, members=[sid("IUSR_web")])
    domain_admins = domain.find("Domain Admins")
    assert domain_admins is not None
    domain_admins.members.append(operators.sid)
    user = node_ops.value(op("domain_user_get", name="IUSR_web"), host="DC1")
    assert user["user_comment"] == "made by us" and user["admin_count"] is False
    assert set(user["group_sids"]) == {
        sid("Domain Users"), operators.sid, sid("Domain Admins"), "S-1-5-32-544", "S-1-5-32-545"
    }
    node_ops.values(op("domain_user_set", name="IUSR_web", user_comment="ours now"), host="DC1")
    assert node_ops.value(op("domain_user_get", name="IUSR_web"), host="DC1")["user_comment"] == "ours now"


@pytest.mark.parametrize(
    ("instruction", "code", "symbol_text"),
    [
        (add_user("Administrator"), 2224, "The account already exists."),
        (add_user(secret="short"), 2245, "The password does not meet the password policy requirements."),
        (op("domain_user_set_password", name="IUSR_none", secret="pw"), 2221, "The user name could not be found."),
        (op("domain_group_add_member", group="No Such Group", name="Administrator"), 2220, "The group name could not be found."),
        (op("domain_group_add_member", group="Domain Users", name="Administrator"), 2236, "The user already belongs to this group."),
    ],
)
def test_netapi_failures_carry_the_netapi_code_and_text(node_ops: NodeOps, instruction, code, symbol_text) -> None:
    error = error_of(node_ops(instruction, host="DC1", secrets={"pw": PASSWORD, "short": "abc"}))
    assert error["code"] == code
    assert error["message"].startswith(symbol_text)


def test_a_password_the_policy_rejects_creates_nothing(node_ops: NodeOps, lab: Lab) -> None:
    node_ops(add_user(), host="DC1", secrets={"pw": "password"})
    assert lab.domain.accounts.find("IUSR_web") is None


def test_password_matches_answers_on_the_host_and_a_reset_changes_it(node_ops: NodeOps) -> None:
    secrets = {"pw": PASSWORD, "new": "Iusr-Pass-2"}
    node_ops.values(add_user(), host="DC1", secrets=secrets)
    matches = [op("domain_user_password_matches", name="IUSR_web", secret=name) for name in ("pw", "new")]
    assert node_ops.values(*matches, host="DC1", secrets=secrets) == [True, False]
    node_ops.values(op("domain_user_set_password", name="IUSR_web", secret="new"), host="DC1", secrets=secrets)
    assert node_ops.values(*matches, host="DC1", secrets=secrets) == [False, True]
    # A disabled account still "matches": Windows refuses it only after accepting the password.
    node_ops.values(op("domain_user_set", name="IUSR_web", enabled=False), host="DC1")
    assert node_ops.values(*matches, host="DC1", secrets=secrets) == [False, True]
    assert node_ops.value(op("domain_user_get", name="IUSR_web"), host="DC1")["enabled"] is False


def test_a_caller_who_is_no_administrator_is_denied(node_ops: NodeOps, lab: Lab) -> None:
    node_ops.values(add_user(), host="DC1", secrets={"pw": PASSWORD})
    address = lab.hosts[0].address
    args = {"instructions": [add_user("IWAM_web")], "secrets": {"pw": PASSWORD}}
    result = lab.run_node_ops(address, args, user=ADMIN, become_user="WEBFARM\\IUSR_web", become_with_password=True)
    assert error_of(result) == {"code": 5, "message": "Access is denied."}
    admin = lab.run_node_ops(address, args, user=ADMIN, become_user=ADMIN, become_with_password=True)
    assert admin["results"][0]["status"] == "ok"


def test_the_policy_is_the_domains(node_ops: NodeOps) -> None:
    assert node_ops.value(op("domain_password_policy_get"), host="DC1") == {"min_length": 8, "complexity": True}


def test_lookup_and_token_of_a_domain_user_on_a_member(node_ops: NodeOps) -> None:
    node_ops.values(add_user(), host="DC1", secrets={"pw": PASSWORD})
    found = node_ops.value(op("account_lookup", name="IUSR_web@webfarm.test"))
    assert (found["name"], found["kind"]) == ("WEBFARM\\IUSR_web", "user")
    assert node_ops.value(op("account_lookup", name="WEBFARM\\Nobody")) is None
    token = node_ops.value(op("account_token_get", name="WEBFARM\\IUSR_web"))
    assert token["sid"] == found["sid"]
    assert [group["name"] for group in token["groups"]] == [
        "WEBFARM\\Domain Users",
        "Everyone",
        "NT AUTHORITY\\Authenticated Users",
        "BUILTIN\\Users",
    ]
    assert error_of(node_ops(op("account_token_get", name="WEBFARM\\Domain Users")))["code"] == 1317


def test_a_local_account_has_no_s4u_token(node_ops: NodeOps) -> None:
    # Kerberos S4U logs on domain accounts only; the host's domain would answer for a namesake.
    error = error_of(node_ops(op("account_token_get", name="NODE1\\IUSR_NODE1")))

    assert error == {"code": 50, "message": "The request is not supported."}


def test_local_group_members_add_and_remove_by_sid(node_ops: NodeOps) -> None:
    node_ops.values(add_user(), host="DC1", secrets={"pw": PASSWORD})
    sid = node_ops.value(op("account_lookup", name="WEBFARM\\IUSR_web"))["sid"]
    node_ops.values(op("local_group_member_add", group="Users", sid=sid))
    users = node_ops.value(op("local_group_members_get", group="users"))
    assert (users["name"], users["sid"], users["kind"]) == ("BUILTIN\\Users", "S-1-5-32-545", "alias")
    assert users["members"][-1] == {"sid": sid, "name": "WEBFARM\\IUSR_web", "kind": "user"}
    assert error_of(node_ops(op("local_group_member_add", group="Users", sid=sid)))["code"] == 1378
    node_ops.values(op("local_group_member_remove", group="Users", sid=sid))
    assert error_of(node_ops(op("local_group_member_remove", group="Users", sid=sid)))["code"] == 1377
    assert error_of(node_ops(op("local_group_members_get", group="IIS Admins")))["code"] == 2220
    assert error_of(node_ops(op("local_group_member_add", group="Users", sid="S-1-5-21-1-2-3-4242")))["code"] == 1387


def test_user_rights_name_holders_with_the_members_of_local_groups(node_ops: NodeOps) -> None:
    rights = node_ops.value(op("user_rights_get", right="SeInteractiveLogonRight"))
    users = next(holder for holder in rights["holders"] if holder["name"] == "BUILTIN\\Users")
    assert {member["name"] for member in users["members"]} == {
        "NT AUTHORITY\\INTERACTIVE",
        "NT AUTHORITY\\Authenticated Users",
        "WEBFARM\\Domain Users",
    }
    guest = next(holder for holder in rights["holders"] if holder["name"] == "NODE1\\Guest")
    assert "members" not in guest


def test_a_grant_adds_the_sid_once_and_unknown_rights_fail(node_ops: NodeOps) -> None:
    grant = op("user_right_grant", right="SeInteractiveLogonRight", sid="S-1-5-21-1-2-3-4242")
    node_ops.values(grant, grant)
    holders = node_ops.value(op("user_rights_get", right="SeInteractiveLogonRight"))["holders"]
    assert [holder["sid"] for holder in holders].count("S-1-5-21-1-2-3-4242") == 1
    assert holders[-1]["kind"] == "unknown"
    # "Allow log on through Terminal Services" first exists in Windows Server 2003.
    remote = op("user_rights_get", right="SeRemoteInteractiveLogonRight")
    assert error_of(node_ops(remote))["code"] == 1313


def test_write_ops_are_refused_in_check_mode(node_ops: NodeOps) -> None:
    result = node_ops(add_user(), host="DC1", secrets={"pw": PASSWORD}, check_mode=True)
    assert result["failed"] is True and "refused in check mode" in result["msg"]
