"""Effective user rights through groups, nested ones included, and what user_right grants."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._principals import (
    LocalGroup,
    Principal,
    check_local_group_name,
    membership_queries,
    plan_group,
    plan_membership,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._user_rights import (
    Holder,
    Token,
    check_right_name,
    effective_grant,
    plan_right,
    plan_rights,
    right_queries,
)

IUSR = Principal("S-1-5-21-1-1105", "WEBFARM\\IUSR_web", "user")
DOMAIN_USERS = Principal("S-1-5-21-1-513", "WEBFARM\\Domain Users", "group")
WEB_ADMINS = Principal("S-1-5-21-1-1200", "WEBFARM\\Web Admins", "group")
WEB_STAFF = Principal("S-1-5-21-1-1201", "WEBFARM\\Web Staff", "group")
EVERYONE = Principal("S-1-1-0", "Everyone", "well_known")
AUTHENTICATED = Principal("S-1-5-11", "NT AUTHORITY\\Authenticated Users", "well_known")
INTERACTIVE = Principal("S-1-5-4", "NT AUTHORITY\\INTERACTIVE", "well_known")
USERS = Principal("S-1-5-32-545", "BUILTIN\\Users", "alias")
ADMINISTRATORS = Principal("S-1-5-32-544", "BUILTIN\\Administrators", "alias")
OPERATORS = Principal("S-1-5-32-548", "BUILTIN\\Account Operators", "alias")


def token(*groups):
    return Token(IUSR, (*groups, EVERYONE, AUTHENTICATED))


def users_holding(*members):
    return Holder(USERS, tuple(members))


def test_domain_users_in_users_is_the_kb_chain():
    grant = effective_grant(token(DOMAIN_USERS, USERS), [Holder(ADMINISTRATORS, ()), users_holding(INTERACTIVE, AUTHENTICATED, DOMAIN_USERS)])
    assert grant.holder == USERS
    assert grant.describe() == "through WEBFARM\\Domain Users -> BUILTIN\\Users"


def test_a_nested_domain_group_counts_through_the_token():
    # Web Staff is a member of Web Admins, which the node's Users holds; the domain controller
    # puts both in the token, so the chain ends in the group Users holds.
    holders = [users_holding(WEB_ADMINS)]
    grant = effective_grant(Token(IUSR, (WEB_STAFF, WEB_ADMINS)), holders)
    assert (grant.holder, grant.through) == (USERS, (WEB_ADMINS, USERS))


def test_a_direct_grant_and_a_direct_member_come_before_groups():
    holders = [users_holding(DOMAIN_USERS, IUSR), Holder(IUSR)]
    assert effective_grant(token(DOMAIN_USERS), holders).direct
    grant = effective_grant(token(DOMAIN_USERS), holders[:1])
    assert grant.through == (USERS,)


def test_a_domain_group_member_is_preferred_to_a_well_known_one():
    grant = effective_grant(token(DOMAIN_USERS), [users_holding(AUTHENTICATED, DOMAIN_USERS)])
    assert grant.through == (DOMAIN_USERS, USERS)


def test_a_group_of_the_token_that_holds_the_right_itself():
    grant = effective_grant(token(DOMAIN_USERS), [Holder(AUTHENTICATED)])
    assert grant.through == (AUTHENTICATED,)


def test_the_domain_controller_policy_gives_a_domain_user_nothing():
    domain_admins = Principal("S-1-5-21-1-512", "WEBFARM\\Domain Admins", "group")
    holders = [Holder(OPERATORS, ()), Holder(ADMINISTRATORS, (domain_admins,))]
    assert effective_grant(token(DOMAIN_USERS), holders) is None


def test_effective_mode_grants_only_when_nothing_holds_it_and_direct_mode_always():
    holders = [users_holding(DOMAIN_USERS)]
    assert plan_right("SeInteractiveLogonRight", "IUSR_web", token(DOMAIN_USERS), holders, "effective", check_mode=False).change is None
    direct = plan_right("SeInteractiveLogonRight", "IUSR_web", token(DOMAIN_USERS), holders, "direct", check_mode=False)
    assert direct.change.instructions[0].args == {"right": "SeInteractiveLogonRight", "sid": IUSR.sid}
    assert direct.change.before.text == "through WEBFARM\\Domain Users -> BUILTIN\\Users"
    missing = plan_right("SeInteractiveLogonRight", "IUSR_web", Token(IUSR, ()), [Holder(OPERATORS, ())], "effective", check_mode=False)
    assert missing.change is not None and missing.predicted().direct


def test_a_missing_account_fails_except_in_check_mode():
    with pytest.raises(InvalidInput, match=r"^accounts: 'WEBFARM\\\\IUSR_web' maps to no account"):
        plan_right("SeInteractiveLogonRight", "WEBFARM\\IUSR_web", None, [], "effective", check_mode=False)
    predicted = plan_right("SeInteractiveLogonRight", "WEBFARM\\IUSR_web", None, [], "effective", check_mode=True)
    assert predicted.change is None and predicted.as_result(None)["effective"] is None
    assert plan_right("SeInteractiveLogonRight", "x", None, [], "direct", check_mode=True).change is not None


@pytest.mark.parametrize("right", ["Log on locally", "SeInteractive", "seinteractivelogonright"])
def test_a_right_is_named_by_its_constant(right):
    with pytest.raises(InvalidInput, match="^right: "):
        check_right_name(right)


def test_membership_adds_by_sid_and_predicts_for_accounts_not_yet_created():
    users = LocalGroup(USERS, (INTERACTIVE, DOMAIN_USERS))
    planned = plan_membership("Users", users, [("IUSR_web", IUSR), ("Domain Users", DOMAIN_USERS)], "present", check_mode=False)
    assert list(planned) == ["IUSR_web"]
    assert planned["IUSR_web"].instructions[0].args == {"group": "Users", "sid": IUSR.sid}
    assert plan_membership("Users", users, [("Domain Users", DOMAIN_USERS)], "absent", check_mode=False)[
        "Domain Users"
    ].instructions[0].op == "local_group_member_remove"
    predicted = plan_membership("Users", users, [("WEBFARM\\New", None)], "present", check_mode=True)
    assert predicted["WEBFARM\\New"].instructions == ()
    with pytest.raises(InvalidInput, match="^members: 'WEBFARM\\\\\\\\New' maps to no account"):
        plan_membership("Users", users, [("WEBFARM\\New", None)], "present", check_mode=False)


@pytest.mark.parametrize("name", ["BUILTIN\\Users", "Users@webfarm.test", " "])
def test_a_local_group_has_no_domain(name):
    with pytest.raises(InvalidInput, match="^group: "):
        check_local_group_name(name)


def test_a_right_the_group_holds_is_planned_on_the_members_the_same_batch_adds():
    """node_access decides step 5 on the group as step 4 leaves it: an account about to join
    Users gets "Log on locally" through it, not by a direct grant, in check mode too."""
    group = {"sid": USERS.sid, "name": USERS.name, "kind": USERS.kind, "members": []}
    lookup = {"sid": IUSR.sid, "name": IUSR.name, "kind": IUSR.kind}
    membership = plan_group("Users", ["WEBFARM\\IUSR_web"], [group, lookup], "present", check_mode=True)
    assert membership.joining() == (IUSR,)
    holders = {"holders": [{**group}]}
    own_token = {**lookup, "groups": []}
    for joining, granted in ((None, True), ((USERS, membership.joining()), False)):
        plan = plan_rights("SeInteractiveLogonRight", ["WEBFARM\\IUSR_web"], [holders, own_token], "effective", check_mode=True, joining=joining)
        assert bool(plan.changes) is granted
    result = plan.as_result(None)
    assert (result["changed"], result["accounts"][0]["holder"], result["accounts"][0]["source"]) == (False, USERS.name, "group")


def test_the_queries_of_a_group_and_a_right_read_and_never_write():
    queries = [*membership_queries("Users", ["a", "b"]), *right_queries("SeBatchLogonRight", ["a"])]
    assert [query.op for query in queries] == ["local_group_members_get", "account_lookup", "account_lookup", "user_rights_get", "account_token_get"]


def test_a_pool_identity_s_logon_group_counts_only_for_its_account():
    iis_iusrs = Principal("S-1-5-32-568", "BUILTIN\\IIS_IUSRS", "alias")
    iwam = {"sid": "S-1-5-21-1-1106", "name": "WEBFARM\\IWAM_web", "kind": "user", "groups": [DOMAIN_USERS.as_result()]}
    iusr = {**iwam, "sid": IUSR.sid, "name": IUSR.name}
    report = {"right": "SeBatchLogonRight", "holders": [{**iis_iusrs.as_result(), "members": []}]}
    plan = plan_rights(
        "SeBatchLogonRight", ["WEBFARM\\IWAM_web", IUSR.name], [report, iwam, iusr], "effective", check_mode=False,
        logon_groups=[(iis_iusrs,)],
    )
    iwam_decision, iusr_decision = plan.decisions
    assert iwam_decision.change is None and iwam_decision.grant.describe() == "through BUILTIN\\IIS_IUSRS"
    assert iusr_decision.change is not None and iusr_decision.grant is None
    accounts = plan.as_result(None)["accounts"]
    assert [(entry["holder"], entry["through"]) for entry in accounts] == [
        ("BUILTIN\\IIS_IUSRS", ["BUILTIN\\IIS_IUSRS"]),
        (IUSR.name, []),
    ]
