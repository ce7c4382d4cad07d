"""The hosts a topology provisions, and who may log on to them."""

from __future__ import annotations

import pytest

from iis_lab.lab import Lab
from iis_lab.provision import provision
from iis_lab.topology import parse_topology

DOMAIN = {"netbios": "WEBFARM", "dns": "webfarm.test", "admin": {"user": "Administrator", "password": "Lab-Admin-1"}}


def hosts_of(*hosts: dict) -> dict:
    _, provisioned = provision(parse_topology({"domain": DOMAIN, "hosts": list(hosts)}, "test"))
    return {host.name: host for host in provisioned}


def test_default_lab_has_a_domain_controller_and_two_iis5_members(lab: Lab) -> None:
    summary = [(host.name, host.address, host.domain_role, host.os.version, host.iis_version) for host in lab.hosts]

    assert summary == [
        ("DC1", "127.0.0.11", 5, "5.0.2195", None),
        ("NODE1", "127.0.0.12", 3, "5.0.2195", "5.0"),
        ("NODE2", "127.0.0.13", 3, "5.0.2195", "5.0"),
    ]
    assert lab.addresses == ["127.0.0.11", "127.0.0.12", "127.0.0.13"]


def test_first_domain_controller_is_the_pdc_the_others_backup_controllers() -> None:
    hosts = hosts_of(
        {"name": "DC1", "address": "127.0.0.11", "role": "domain_controller"},
        {"name": "DC2", "address": "127.0.0.14", "role": "domain_controller", "iis": "5.0"},
    )

    assert (hosts["DC1"].domain_role, hosts["DC2"].domain_role) == (5, 4)
    assert hosts["DC2"].metabase is not None


def test_iis6_host_runs_windows_server_2003() -> None:
    hosts = hosts_of(
        {"name": "DC1", "address": "127.0.0.11", "role": "domain_controller", "os": "2003"},
        {"name": "WEB6", "address": "127.0.0.12", "role": "member", "iis": "6.0"},
    )

    assert (hosts["WEB6"].os.version, hosts["WEB6"].iis_version) == ("5.2.3790", "6.0")
    assert (hosts["DC1"].os.version, hosts["DC1"].iis_version) == ("5.2.3790", None)


def test_modelled_ip_is_derived_from_the_listener_address_unless_given() -> None:
    hosts = hosts_of(
        {"name": "DC1", "address": "127.0.0.11", "role": "domain_controller"},
        {"name": "NODE1", "address": "127.0.0.12", "role": "member", "iis": "5.0", "prefix": 16},
        {
            "name": "NODE2",
            "address": "127.0.0.13",
            "role": "member",
            "iis": "5.0",
            "ip_addresses": ["192.168.5.2/24", "192.168.5.9/24"],
        },
    )

    assert [(ip.address, ip.prefix_length) for ip in hosts["DC1"].ip_addresses] == [("10.20.0.11", 24)]
    assert [(ip.address, ip.prefix_length) for ip in hosts["NODE1"].ip_addresses] == [("10.20.0.12", 16)]
    assert [(ip.address, ip.prefix_length) for ip in hosts["NODE2"].ip_addresses] == [
        ("192.168.5.2", 24),
        ("192.168.5.9", 24),
    ]


@pytest.mark.parametrize(
    "user",
    [
        "Administrator",
        "WEBFARM\\Administrator",
        "webfarm\\administrator",
        "webfarm.test\\Administrator",
        "administrator@WEBFARM.TEST",
    ],
)
def test_domain_administrator_logs_on_under_every_name_form(lab: Lab, user: str) -> None:
    assert lab.authenticate("127.0.0.12", user, "Lab-Admin-1")


@pytest.mark.parametrize(
    ("address", "user", "password"),
    [
        ("127.0.0.12", "WEBFARM\\Administrator", "lab-admin-1"),  # passwords are case-sensitive
        ("127.0.0.12", "WEBFARM\\Administrator", ""),
        ("127.0.0.12", "OTHER\\Administrator", "Lab-Admin-1"),
        ("127.0.0.12", "Administrator@other.test", "Lab-Admin-1"),
        ("127.0.0.12", "WEBFARM\\Guest", "Lab-Admin-1"),
        ("127.0.0.99", "WEBFARM\\Administrator", "Lab-Admin-1"),  # no host listens there
    ],
)
def test_anything_else_is_refused(lab: Lab, address: str, user: str, password: str) -> None:
    assert not lab.authenticate(address, user, password)


def test_ntlm_accounts_cover_the_name_forms_an_ntlm_client_sends(lab: Lab) -> None:
    assert sorted(lab.ntlm_accounts(lab.addresses[1])) == sorted(
        [
            ("WEBFARM", "Administrator", "Lab-Admin-1"),
            ("webfarm.test", "Administrator", "Lab-Admin-1"),
            ("", "Administrator", "Lab-Admin-1"),
            ("", "Administrator@webfarm.test", "Lab-Admin-1"),
        ]
    )


def test_processes_are_recorded_with_host_user_and_command_line(lab: Lab) -> None:
    lab.record_process("127.0.0.13", "WEBFARM\\Administrator", "PowerShell -NoProfile -EncodedCommand AAAA")

    [record] = lab.processes
    assert (record.host, record.user, record.command_line) == (
        "NODE2",
        "WEBFARM\\Administrator",
        "PowerShell -NoProfile -EncodedCommand AAAA",
    )
    assert record.time.endswith("+00:00")


def test_unknown_address_is_a_lookup_error(lab: Lab) -> None:
    with pytest.raises(LookupError, match="127.0.0.99"):
        lab.record_process("127.0.0.99", "WEBFARM\\Administrator", "cmd")
