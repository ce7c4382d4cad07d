"""Turning a topology into freshly installed hosts: the state every lab starts from."""

from __future__ import annotations

import typing as t

from .topology import ROLE_DOMAIN_CONTROLLER, Topology
from .windows.host import (
    DOMAIN_ROLE_BACKUP_DOMAIN_CONTROLLER,
    DOMAIN_ROLE_MEMBER_SERVER,
    DOMAIN_ROLE_PRIMARY_DOMAIN_CONTROLLER,
    OS_RELEASES,
    Domain,
    Host,
)
from .windows.iis_setup import install_iis, random_password


def provision(topology: Topology, make_password: t.Callable[[], str] = random_password) -> tuple[Domain, list[Host]]:
    """The domain and the hosts of ``topology``, each as setup left it.

    The first domain controller reports DomainRole 5 (it holds the PDC emulator role, as the
    domain's first DC does), any other 4; members report 3 (member server).
    """
    spec = topology.domain
    domain = Domain(spec.netbios, spec.dns, spec.admin_user, spec.admin_password)
    hosts: list[Host] = []
    for host in topology.hosts:
        release = OS_RELEASES[host.os]
        if host.role == ROLE_DOMAIN_CONTROLLER:
            first = not any(other.domain_role == DOMAIN_ROLE_PRIMARY_DOMAIN_CONTROLLER for other in hosts)
            role = DOMAIN_ROLE_PRIMARY_DOMAIN_CONTROLLER if first else DOMAIN_ROLE_BACKUP_DOMAIN_CONTROLLER
        else:
            role = DOMAIN_ROLE_MEMBER_SERVER
        hosts.append(
            Host(
                name=host.name,
                address=host.address,
                domain=domain,
                domain_role=role,
                os=release,
                ip_addresses=host.ip_addresses,
                metabase=install_iis(host.name, release, make_password) if host.iis else None,
            )
        )
    return domain, hosts
