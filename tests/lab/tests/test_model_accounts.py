"""The accounts, groups and user rights a freshly provisioned lab has, as Windows leaves them."""

from __future__ import annotations

import pytest

from iis_lab.lab import Lab
from iis_lab.provision import provision
from iis_lab.topology import parse_topology
from iis_lab.windows.accounts import PasswordPolicy
from iis_lab.windows.security import lookup_name, lookup_sid, token_groups

DOMAIN = {"netbios": "WEBFARM", "dns": "webfarm.test", "admin": {"user": "Administrator", "password": "Lab-Admin-1"}}


def names(host, sids):
    return [lookup_sid(host, sid).qualified_name for sid in sids]


def lab_of(*hosts, **domain):
    return provision(parse_topology({"domain": {**DOMAIN, **domain}, "hosts": list(hosts)}, "test"))


def test_member_server_users_holds_domain_users_interactive_and_authenticated_users(lab: Lab) -> None:
    node1 = lab.hosts[1]
    users = node1.aliases.find("Users")
    assert set(names(node1, users.members)) == {
        "WEBFARM\\Domain Users",
        "NT AUTHORITY\\INTERACTIVE",
        "NT AUTHORITY\\Authenticated Users",
    }
    # KB Q249603 step 5: "local Users group is granted the 'Log on Locally' right".
    assert "BUILTIN\\Users" in names(node1, node1.rights["SeInteractiveLogonRight"])


def test_domain_controller_policy_gives_log_on_locally_to_operators_not_users(lab: Lab) -> None:
    dc1 = lab.hosts[0]
    assert names(dc1, dc1.rights["SeInteractiveLogonRight"]) == [
        "BUILTIN\\Account Operators",
        "BUILTIN\\Administrators",
        "BUILTIN\\Backup Operators",
        "BUILTIN\\Print Operators",
        "BUILTIN\\Server Operators",
    ]
    assert dc1.local_accounts is None and dc1.aliases is lab.domain.builtin


def test_iis_setup_accounts_are_local_on_members_and_domain_accounts_on_controllers() -> None:
    domain, hosts = lab_of(
        {"name": "NODE1", "address": "127.0.0.12", "role": "domain_controller", "iis": "5.0"},
        {"name": "NODE2", "address": "127.0.0.13", "role": "member", "iis": "5.0"},
    )
    node1, node2 = hosts
    assert lookup_name(node1, "IUSR_NODE1").qualified_name == "WEBFARM\\IUSR_NODE1"
    assert lookup_name(node2, "IUSR_NODE2").qualified_name == "NODE2\\IUSR_NODE2"
    iusr = domain.accounts.find("IUSR_NODE1")
    assert iusr.sid in domain.accounts.find("Domain Users").members
    assert (iusr.password_never_expires, iusr.cannot_change_password) == (True, True)
    # The account's password is the one IIS setup stored in the metabase.
    assert iusr.password == node1.metabase.read("W3SVC", "AnonymousUserPass").value


@pytest.mark.parametrize(("iis", "interactive"), [("5.0", True), ("6.0", False)])
def test_iis_setup_gives_iusr_log_on_locally_only_where_anonymous_logons_are_interactive(iis, interactive) -> None:
    _, hosts = lab_of(
        {"name": "DC1", "address": "127.0.0.11", "role": "domain_controller"},
        {"name": "WEB", "address": "127.0.0.12", "role": "member", "iis": iis},
    )
    web = hosts[1]
    iusr = lookup_name(web, "IUSR_WEB")
    assert (iusr.sid in web.rights["SeInteractiveLogonRight"]) is interactive
    assert iusr.sid in web.rights["SeNetworkLogonRight"]


@pytest.mark.parametrize(
    ("release", "policy"), [("2000", PasswordPolicy(0, False)), ("2003", PasswordPolicy(7, True))]
)
def test_default_domain_policy_follows_the_first_controllers_release(release, policy) -> None:
    domain, _ = lab_of({"name": "DC1", "address": "127.0.0.11", "role": "domain_controller", "os": release})
    assert domain.password_policy == policy


def test_topology_password_policy_replaces_the_default() -> None:
    domain, _ = lab_of(
        {"name": "DC1", "address": "127.0.0.11", "role": "domain_controller"},
        password_policy={"min_length": 10, "complexity": False},
    )
    assert domain.password_policy == PasswordPolicy(10, False)


@pytest.mark.parametrize(
    ("password", "rejected"),
    [("Abcdef-1", False), ("abcdefgh", True), ("Ab1!", True), ("My-IUSR_web-1", True), ("ABCDEFG-1", False)],
)
def test_complexity_needs_three_kinds_six_characters_and_not_the_account_name(password, rejected) -> None:
    assert PasswordPolicy(0, True).rejects(password, "IUSR_web") is rejected


def test_a_domain_users_token_on_a_member_holds_its_groups_and_the_local_groups_they_are_in(lab: Lab) -> None:
    node1 = lab.hosts[1]
    admin = lookup_name(node1, "WEBFARM\\Administrator")
    groups = [group.qualified_name for group in token_groups(node1, admin)]
    # dcpromo makes the first domain's Administrator a member of these five.
    assert groups[:5] == [
        "WEBFARM\\Domain Admins",
        "WEBFARM\\Domain Users",
        "WEBFARM\\Schema Admins",
        "WEBFARM\\Enterprise Admins",
        "WEBFARM\\Group Policy Creator Owners",
    ]
    assert {"Everyone", "NT AUTHORITY\\Authenticated Users", "BUILTIN\\Administrators", "BUILTIN\\Users"} <= set(groups)


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("WEBFARM\\Domain Users", "WEBFARM\\Domain Users"),
        ("webfarm.test\\administrator", "WEBFARM\\Administrator"),
        ("Administrator@webfarm.test", "WEBFARM\\Administrator"),
        ("Administrator", "NODE1\\Administrator"),  # the host's own SAM before the domain
        ("Users", "BUILTIN\\Users"),
        ("NT AUTHORITY\\INTERACTIVE", "NT AUTHORITY\\INTERACTIVE"),
        ("OTHER\\Administrator", None),
        ("WEBFARM\\Nobody", None),
    ],
)
def test_names_resolve_as_lsa_resolves_them(lab: Lab, name, found) -> None:
    account = lookup_name(lab.hosts[1], name)
    assert (account.qualified_name if account else None) == found
