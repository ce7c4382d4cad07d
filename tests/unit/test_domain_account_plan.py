"""The domain account decisions: names, update_password modes and what to create or change."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._account_names import (
    check_same_domain,
    parse_account_name,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._domain_account import (
    OWNER_MARKER,
    AccountState,
    DesiredAccount,
    password_rejected,
    password_to_set,
    plan_account,
    policy_refuses,
    predicted_account,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput

CURRENT = AccountState("IUSR_web", "S-1-5-21-1-2-3-1105", "", True, True, True, ("Domain Users",))


@pytest.mark.parametrize(
    ("raw", "account", "domain"),
    [("IUSR_web", "IUSR_web", None), ("WEBFARM\\IUSR_web", "IUSR_web", "WEBFARM"), ("IUSR_web@webfarm.test", "IUSR_web", "webfarm.test")],
)
def test_the_three_forms_of_a_name(raw, account, domain):
    name = parse_account_name(raw, "name", 20)
    assert (name.account, name.domain) == (account, domain)


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("A" * 21, "has 21 characters; a user's logon name (sAMAccountName) has at most 20"),
        ("IUSR/web", "contains '/'"),
        ("IUSR*web", "contains '*'"),
        ("WEBFARM\\", "names no account"),
        ("...", "dots and spaces only"),
        ("iusr.", "nor end with a dot"),
        ("iusr@not a domain", "no DNS domain name after the @"),
        ("BAD DOMAIN\\iusr", "no valid domain before the backslash"),
    ],
)
def test_bad_names_name_the_field_and_the_rule(raw, rule):
    with pytest.raises(InvalidInput, match=r"^name: .*" + rule.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")):
        parse_account_name(raw, "name", 20)


def test_twenty_characters_is_the_limit_and_groups_have_none():
    assert parse_account_name("A" * 20, "name", 20).account == "A" * 20
    assert parse_account_name("A very long group name indeed", "groups").account.startswith("A very")


def test_a_name_of_another_domain_is_refused():
    check_same_domain(parse_account_name("webfarm.test\\x", "name"), "name", "WEBFARM", "webfarm.test")
    with pytest.raises(InvalidInput, match=r"^name: 'OTHER\\\\x' names the domain 'OTHER'"):
        check_same_domain(parse_account_name("OTHER\\x", "name"), "name", "WEBFARM", "webfarm.test")


@pytest.mark.parametrize(
    ("mode", "exists", "matches", "expected"),
    [
        ("always", True, True, True),
        ("on_create", True, False, False),
        ("when_changed", True, True, False),
        ("when_changed", True, False, True),
        ("always", False, None, False),  # a new account gets its password with its creation
    ],
)
def test_update_password_modes(mode, exists, matches, expected):
    desired = DesiredAccount("IUSR_web", password_given=True, update_password=mode)
    assert password_to_set(desired, exists, matches) is expected


def test_without_a_password_an_existing_password_is_never_set():
    assert password_to_set(DesiredAccount("IUSR_web", update_password="always"), True, False) is False


def test_a_new_account_is_created_with_its_password_and_joins_the_missing_groups():
    desired = DesiredAccount("IUSR_web", password_given=True, groups=("Domain Users", "IIS Accounts"))
    changes = plan_account(desired, None)
    assert [instruction.op for instruction in instructions_of(changes)] == ["domain_user_add", "domain_group_add_member"]
    add = instructions_of(changes)[0]
    assert add.args == {
        "name": "IUSR_web",
        "secret": "password",
        "description": "",
        "user_comment": OWNER_MARKER,
        "enabled": True,
        "password_never_expires": True,
        "user_cannot_change_password": True,
    }
    diff = render_diff(changes, "dc1")
    assert "IUSR_web password: (secret) (changed)" in diff["after"]
    assert predicted_account(desired, None).groups == ("Domain Users", "IIS Accounts")


def test_a_new_account_needs_a_password():
    with pytest.raises(InvalidInput, match="^password: required to create the domain account IUSR_web"):
        plan_account(DesiredAccount("IUSR_web"), None)


def test_an_account_as_wanted_needs_nothing():
    desired = DesiredAccount("iusr_web", password_given=True, groups=("domain users",))
    assert plan_account(desired, CURRENT, password_matches=True) == []


def test_the_password_comes_first_then_each_setting_that_differs():
    desired = DesiredAccount("IUSR_web", password_given=True, enabled=False, description="IIS")
    changes = plan_account(desired, CURRENT, password_matches=False)
    assert [instruction.op for instruction in instructions_of(changes)] == [
        "domain_user_set_password",
        "domain_user_set",
        "domain_user_set",
    ]
    assert [instruction.args for instruction in instructions_of(changes)][1:] == [
        {"name": "IUSR_web", "description": "IIS"},
        {"name": "IUSR_web", "enabled": False},
    ]
    assert changes[0].secret


def test_absent_deletes_an_existing_account_only():
    assert plan_account(DesiredAccount("IUSR_web", state="absent"), None) == []
    (change,) = plan_account(DesiredAccount("IUSR_web", state="absent"), CURRENT)
    assert change.instructions[0].op == "domain_user_delete"


def test_a_rejected_password_names_the_field_and_the_policy_rules():
    error = password_rejected("password", "IUSR_web", "WEBFARM", {"min_length": 8, "complexity": True})
    assert str(error).startswith("password: the password policy of the domain WEBFARM rejects it (NERR_PasswordTooShort, 2245)")
    assert "at least 8 characters" in str(error) and "'IUSR_web'" in str(error)


HARDENED = {"min_length": 8, "complexity": True}


@pytest.mark.parametrize(
    ("password", "policy", "refused"),
    [
        ("Iusr-1a2b3c", HARDENED, False),
        ("Sh0rt!", HARDENED, True),  # shorter than the minimum
        ("lowercaseonly", HARDENED, True),  # one class
        ("lowercase22", HARDENED, True),  # two classes
        ("Lowercase22", HARDENED, False),  # three
        ("xIUSR_WEB-9a", HARDENED, True),  # the account name, whatever its case
        ("Übergröße-9", HARDENED, False),  # letters beyond English count as upper and lower case
        ("lowercaseonly", {"min_length": 0, "complexity": False}, False),
    ],
)
def test_the_policy_refuses_what_a_domain_controller_would(password, policy, refused):
    assert policy_refuses(password, "IUSR_web", policy) is refused
