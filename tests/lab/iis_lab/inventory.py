"""The Ansible inventory that reaches a lab over WinRM."""

from __future__ import annotations

import typing as t

import yaml

from .topology import ROLE_DOMAIN_CONTROLLER, Topology

TRANSPORTS = ("ntlm", "basic")
DEFAULT_TRANSPORT = "ntlm"


def inventory(topology: Topology, port: int, transport: str = DEFAULT_TRANSPORT) -> dict[str, t.Any]:
    """The inventory for ``topology`` with listeners on ``port``.

    Groups: ``iis_cluster`` (the cluster nodes: members and hosts with IIS, in topology order)
    and ``domain_controllers``. Host names are the lower-case computer names; every host is
    reached at its loopback listener as the domain administrator, over plain HTTP (NTLM still
    encrypts each message, as WinRM does by default). A topology's ``cluster.source`` becomes
    ``iis_cluster_source``.
    """
    if transport not in TRANSPORTS:
        raise ValueError(f"transport must be one of {', '.join(TRANSPORTS)}, not {transport!r}")
    domain = topology.domain

    def group(members: t.Iterable[t.Any]) -> dict[str, t.Any]:
        return {"hosts": {host.name.lower(): {"ansible_host": host.address} for host in members}}

    return {
        "all": {
            "children": {
                "iis_cluster": group(host for host in topology.hosts if host.in_iis_cluster),
                "domain_controllers": group(host for host in topology.hosts if host.role == ROLE_DOMAIN_CONTROLLER),
            },
            "vars": {
                "ansible_connection": "winrm",
                "ansible_port": port,
                "ansible_user": f"{domain.netbios}\\{domain.admin_user}",
                "ansible_password": domain.admin_password,
                "ansible_winrm_transport": transport,
                "ansible_winrm_scheme": "http",
                "ansible_winrm_message_encryption": "auto",
                **({"iis_cluster_source": topology.cluster_source.lower()} if topology.cluster_source else {}),
            },
        }
    }


def inventory_yaml(topology: Topology, port: int, transport: str = DEFAULT_TRANSPORT) -> str:
    """:func:`inventory` as YAML text."""
    return yaml.safe_dump(inventory(topology, port, transport), sort_keys=False, default_flow_style=False)
