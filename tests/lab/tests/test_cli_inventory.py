"""``iis-lab inventory``: a YAML inventory that reaches every lab host over WinRM."""

from __future__ import annotations

import pathlib

import pytest
import yaml

from iis_lab.cli import main


def inventory_of(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["inventory", *args]) == 0
    return yaml.safe_load(capsys.readouterr().out)


def test_default_inventory_groups_and_connection_vars(capsys: pytest.CaptureFixture[str]) -> None:
    inventory = inventory_of(capsys)

    groups = inventory["all"]["children"]
    assert groups == {
        "iis_cluster": {"hosts": {"node1": {"ansible_host": "127.0.0.12"}, "node2": {"ansible_host": "127.0.0.13"}}},
        "domain_controllers": {"hosts": {"dc1": {"ansible_host": "127.0.0.11"}}},
    }
    assert inventory["all"]["vars"] == {
        "ansible_connection": "winrm",
        "ansible_port": 55985,
        "ansible_user": "WEBFARM\\Administrator",
        "ansible_password": "Lab-Admin-1",
        "ansible_winrm_transport": "ntlm",
        "ansible_winrm_scheme": "http",
        "ansible_winrm_message_encryption": "auto",
    }


def test_port_and_transport_options(capsys: pytest.CaptureFixture[str]) -> None:
    variables = inventory_of(capsys, "--port", "6001", "--transport", "basic")["all"]["vars"]

    assert (variables["ansible_port"], variables["ansible_winrm_transport"]) == (6001, "basic")


def test_inventory_of_a_topology_file_keeps_topology_order(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    topology = tmp_path / "lab.yml"
    topology.write_text(
        "domain: {netbios: CORP, dns: corp.test, admin: {user: admin, password: pw}}\n"
        "hosts:\n"
        "  - {name: WEB2, address: 127.0.0.32, role: member, iis: '6.0'}\n"
        "  - {name: DC9, address: 127.0.0.31, role: domain_controller, iis: '6.0'}\n"
        "  - {name: WEB1, address: 127.0.0.33, role: member}\n",
        encoding="utf-8",
    )

    inventory = inventory_of(capsys, "--topology", str(topology))

    groups = inventory["all"]["children"]
    # A DC with IIS is a cluster node too; a member without IIS is still one (IIS missing).
    assert list(groups["iis_cluster"]["hosts"]) == ["web2", "dc9", "web1"]
    assert list(groups["domain_controllers"]["hosts"]) == ["dc9"]
    assert inventory["all"]["vars"]["ansible_user"] == "CORP\\admin"


def test_invalid_topology_exits_2_with_the_problems(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    topology = tmp_path / "lab.yml"
    topology.write_text("domain: {}\nhosts: []\n", encoding="utf-8")

    assert main(["inventory", "--topology", str(topology)]) == 2

    error = capsys.readouterr().err
    assert f"iis-lab: invalid topology {topology}:" in error
    assert "domain: missing key 'netbios'" in error and "hosts: must be a non-empty list" in error
