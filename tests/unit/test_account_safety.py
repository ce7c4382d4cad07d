"""Which existing domain accounts the collection may change: never a built-in, privileged or
machine one (by SID and nested groups, not by name), and another's only when adopted."""

from __future__ import annotations

import dataclasses

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._domain_account import (
    OWNER_MARKER,
    AccountState,
    DesiredAccount,
    plan_account,
    predicted_account,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._privileged_accounts import why_protected

DOMAIN = "S-1-5-21-11-22-33"
OURS = AccountState(
    "IUSR_web", f"{DOMAIN}-1105", "", True, True, True, ("Domain Users",), group_sids=(f"{DOMAIN}-513", "S-1-5-32-545")
)
THEIRS = dataclasses.replace(OURS, managed=False)
WANTED = DesiredAccount("IUSR_web", password_given=True)


@pytest.mark.parametrize(
    ("sid", "kind", "groups", "admin_count", "reason"),
    [
        (f"{DOMAIN}-500", "user", (), False, "the built-in Administrator (RID 500)"),
        (f"{DOMAIN}-501", "user", (), False, "the built-in Guest (RID 501)"),
        (f"{DOMAIN}-502", "user", (), False, "krbtgt, the Kerberos service account (RID 502)"),
        (f"{DOMAIN}-503", "user", (), False, "a built-in account (RID 503, below 1000)"),
        (f"{DOMAIN}-1200", "user", (f"{DOMAIN}-513", f"{DOMAIN}-512"), False, "a member of Domain Admins (RID 512)"),
        (f"{DOMAIN}-1200", "user", ("S-1-5-21-9-9-9-519",), False, "a member of Enterprise Admins (RID 519)"),
        (f"{DOMAIN}-1200", "user", (f"{DOMAIN}-518",), False, "a member of Schema Admins (RID 518)"),
        (f"{DOMAIN}-1200", "user", (f"{DOMAIN}-520",), False, "a member of Group Policy Creator Owners (RID 520)"),
        (f"{DOMAIN}-1200", "user", (f"{DOMAIN}-516",), False, "a member of Domain Controllers (RID 516)"),
        (f"{DOMAIN}-1200", "user", ("S-1-5-32-544",), False, "a member of BUILTIN\\Administrators (S-1-5-32-544)"),
        (f"{DOMAIN}-1200", "user", ("S-1-5-32-548",), False, "a member of BUILTIN\\Account Operators"),
        (f"{DOMAIN}-1200", "user", ("S-1-5-32-549",), False, "a member of BUILTIN\\Server Operators"),
        (f"{DOMAIN}-1200", "user", ("S-1-5-32-550",), False, "a member of BUILTIN\\Print Operators"),
        (f"{DOMAIN}-1200", "user", ("S-1-5-32-551",), False, "a member of BUILTIN\\Backup Operators"),
        (f"{DOMAIN}-1200", "user", (), True, "marked adminCount=1"),
        (f"{DOMAIN}-1300", "computer", (f"{DOMAIN}-515",), False, "a computer account"),
        (f"{DOMAIN}-1301", "managed_service_account", (), False, "a (group) managed service account"),
        (f"{DOMAIN}-1302", "trust", (), False, "an interdomain trust account"),
    ],
)
def test_built_in_privileged_and_machine_accounts_are_protected_by_sid(sid, kind, groups, admin_count, reason):
    assert why_protected(sid, kind, groups, admin_count).startswith(reason)


def test_an_ordinary_user_is_not_protected_whatever_its_name():
    # A user named Administrator that is not RID 500 and in no privileged group is an ordinary user;
    # the renamed RID 500 account is protected under any name (see above).
    assert why_protected(f"{DOMAIN}-1105", "user", (f"{DOMAIN}-513", "S-1-5-32-545", "S-1-5-32-546"), False) is None
    # RID 512 of a SID that is not a domain's (a BUILTIN alias 512 does not exist) is no privileged group.
    assert why_protected(f"{DOMAIN}-1105", "user", ("S-1-5-32-512",), False) is None


@pytest.mark.parametrize("adopt", [False, True])
def test_a_privileged_account_is_refused_even_adopted_and_nothing_is_planned(adopt):
    administrator = dataclasses.replace(
        THEIRS, name="Administrator", sid=f"{DOMAIN}-500", group_sids=(f"{DOMAIN}-512", "S-1-5-32-544"), admin_count=True
    )
    for desired in (dataclasses.replace(WANTED, adopt=adopt), DesiredAccount("Administrator", state="absent", adopt=adopt)):
        with pytest.raises(InvalidInput) as raised:
            plan_account(desired, administrator, password_matches=False)
        message = str(raised.value)
        assert message.startswith("name: the domain account 'Administrator' is the built-in Administrator (RID 500);")
        assert "never changes such an account, adopt or not" in message and "iis_cluster_account_base" in message


def test_a_user_nested_in_domain_admins_is_refused_naming_the_group():
    nested = dataclasses.replace(OURS, group_sids=(f"{DOMAIN}-513", f"{DOMAIN}-1400", f"{DOMAIN}-512", "S-1-5-32-544"))
    with pytest.raises(InvalidInput, match=r"is a member of Domain Admins \(RID 512\), BUILTIN\\Administrators"):
        plan_account(WANTED, nested, password_matches=True)


def test_another_s_account_is_refused_without_adopt_naming_it_the_reason_and_the_remedy():
    with pytest.raises(InvalidInput) as raised:
        plan_account(WANTED, THEIRS, password_matches=False)
    message = str(raised.value)
    assert message.startswith("name: the domain account 'IUSR_web' exists and was not created by this collection")
    assert "adopt: true" in message and "domain_accounts_adopt_existing" in message
    with pytest.raises(InvalidInput, match="was not created by this collection"):
        plan_account(DesiredAccount("IUSR_web", state="absent"), THEIRS)


def test_adopting_marks_the_account_once_then_it_is_the_collection_s():
    adopted = dataclasses.replace(WANTED, adopt=True)
    changes = plan_account(adopted, THEIRS, password_matches=False)
    assert [instruction.op for instruction in instructions_of(changes)] == ["domain_user_set_password", "domain_user_set"]
    assert instructions_of(changes)[-1].args == {"name": "IUSR_web", "user_comment": OWNER_MARKER}
    # Even with the right password already, adopting writes the mark, so later runs need no adopt.
    (mark,) = plan_account(adopted, THEIRS, password_matches=True)
    assert mark.instructions[0].args["user_comment"] == OWNER_MARKER
    assert predicted_account(adopted, THEIRS).managed is True
    assert plan_account(WANTED, OURS, password_matches=True) == []


def test_only_the_exact_mark_makes_an_account_the_collection_s():
    report = {
        "name": "IUSR_web", "sid": f"{DOMAIN}-1105", "description": OWNER_MARKER, "enabled": True,
        "password_never_expires": True, "user_cannot_change_password": True, "groups": ["Domain Users"],
        "kind": "user", "group_sids": [], "admin_count": False,
    }
    assert AccountState.from_report({**report, "user_comment": OWNER_MARKER}).managed is True
    assert AccountState.from_report({**report, "user_comment": ""}).managed is False
    assert AccountState.from_report({**report, "user_comment": f"was: {OWNER_MARKER}"}).managed is False
