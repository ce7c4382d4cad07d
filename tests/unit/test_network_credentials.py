"""The double hop: which task settings give iissync's process network credentials."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._network_credentials import (
    LogonSettings,
    network_credentials_problem,
)


def settings(connection="winrm", authentications=("ntlm",), delegation=False, become=None, password=False):
    return LogonSettings(connection, tuple(authentications), delegation, become, password)


@pytest.mark.parametrize(
    "logon",
    [
        settings(become="runas", password=True),
        settings(become="ansible.builtin.runas", password=True),
        settings(authentications=("credssp",)),
        settings(authentications=("kerberos",), delegation=True),
        settings(connection="psrp", authentications=("credssp",)),
        settings(connection="psrp", authentications=("negotiate",), delegation=True),
        settings(connection="psrp", authentications=("kerberos",), delegation=True),
    ],
    ids=[
        "runas with password",
        "runas by FQCN",
        "credssp",
        "kerberos delegation",
        "psrp credssp",
        "psrp negotiate delegate",
        "psrp kerberos delegate",
    ],
)
def test_settings_that_give_network_credentials(logon):
    assert network_credentials_problem(logon) is None


@pytest.mark.parametrize(
    ("logon", "reason"),
    [
        (settings(), "the task logs on with winrm (ntlm) without delegating credentials"),
        (settings(authentications=("kerberos",)), "the task logs on with winrm (kerberos) without delegating"),
        (settings(authentications=("basic",)), "the task logs on with winrm (basic) without delegating"),
        (settings(authentications=()), "the task logs on with winrm (its default authentication)"),
        (settings(authentications=("ntlm",), delegation=True), "the task logs on with winrm (ntlm)"),
        (settings(connection="psrp", authentications=("negotiate",)), "the task logs on with psrp (negotiate)"),
        (settings(become="runas"), "the task becomes its user without a password"),
        (settings(authentications=("credssp",), become="runas"), "the task becomes its user without a password"),
        (settings(become="ansible.builtin.sudo", password=True), "become_method ansible.builtin.sudo cannot"),
    ],
    ids=[
        "ntlm",
        "kerberos without delegation",
        "basic",
        "default",
        "delegation needs kerberos",
        "psrp negotiate",
        "runas without password",
        "become without password hides credssp",
        "not runas",
    ],
)
def test_settings_without_network_credentials_say_why_and_how_to_fix_it(logon, reason):
    problem = network_credentials_problem(logon)

    assert problem.startswith(reason)
    assert "double hop" in problem or "become" in problem
    assert "become_password" in problem
