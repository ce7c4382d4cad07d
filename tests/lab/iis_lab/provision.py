"""Turning a topology into freshly installed hosts, faults injected: the state every lab starts
from."""

from __future__ import annotations

import typing as t

from .faults import FAULT_KINDS, lab_guid
from .web_deploy_faults import WEB_DEPLOY_FAULT_KINDS
from .topology import MODERN_IIS_VERSIONS, ROLE_DOMAIN_CONTROLLER, Topology
from .windows.accounts import GMSA, Kind
from .windows.iis_modern_setup import install_modern_iis, join_computer_account
from .windows.security import lookup_name
from .windows.account_setup import (
    create_domain,
    grant_default_rights,
    install_iis_accounts,
    install_member_server_accounts,
)
from .windows.complus import Application, Component, install_complus, run_pooled_applications_as
from .windows.domain import Domain
from .windows.host import (
    DOMAIN_ROLE_BACKUP_DOMAIN_CONTROLLER,
    DOMAIN_ROLE_MEMBER_SERVER,
    DOMAIN_ROLE_PRIMARY_DOMAIN_CONTROLLER,
    OS_RELEASES,
    Host,
)
from .windows.iis_setup import create_application, install_iis, random_password, seed_properties


def provision(topology: Topology, make_password: t.Callable[[], str] = random_password) -> tuple[Domain, list[Host]]:
    """The domain and the hosts of ``topology``, each as setup left it.

    The first domain controller creates the domain (its release decides the Default Domain
    Policy) and reports DomainRole 5 (it holds the PDC emulator role, as the domain's first DC
    does), any other 4; members report 3 (member server), each with its own SAM. IIS setup then
    adds its IUSR_ and IWAM_ accounts, runs the pooled COM+ package as IWAM_, and creates the
    topology's web applications, and seeds the topology's ``metabase_properties``. Cluster nodes report the cluster's addresses. Faults are applied
    last.
    """
    spec = topology.domain
    first_dc = next(host for host in topology.hosts if host.role == ROLE_DOMAIN_CONTROLLER)
    domain = create_domain(
        spec.netbios, spec.dns, spec.admin_user, spec.admin_password, OS_RELEASES[first_dc.os], spec.password_policy
    )
    hosts: list[Host] = []
    for host_spec in topology.hosts:
        if host_spec.role == ROLE_DOMAIN_CONTROLLER:
            first = not any(other.domain_role == DOMAIN_ROLE_PRIMARY_DOMAIN_CONTROLLER for other in hosts)
            role = DOMAIN_ROLE_PRIMARY_DOMAIN_CONTROLLER if first else DOMAIN_ROLE_BACKUP_DOMAIN_CONTROLLER
        else:
            role = DOMAIN_ROLE_MEMBER_SERVER
        release = OS_RELEASES[host_spec.os]
        host = Host(
            name=host_spec.name,
            address=host_spec.address,
            domain=domain,
            domain_role=role,
            os=release,
            ip_addresses=host_spec.ip_addresses,
            complus=install_complus(
                [_application(name) for name in host_spec.complus_applications],
                iis6_packages=host_spec.iis not in MODERN_IIS_VERSIONS,
            ),
            cluster_addresses=topology.cluster_addresses if host_spec.in_iis_cluster else (),
        )
        if not host.is_domain_controller:
            install_member_server_accounts(host)
        grant_default_rights(host)
        if host_spec.iis in MODERN_IIS_VERSIONS:
            if not host.is_domain_controller:
                join_computer_account(host)
            install_modern_iis(host, host_spec.applicationhost)
        elif host_spec.iis:
            host.metabase = install_iis(host.name, release, make_password)
            install_iis_accounts(host, host.metabase)
            run_pooled_applications_as(
                host.complus,
                t.cast(str, host.metabase.read("W3SVC", "WAMUserName").value),
                t.cast(str, host.metabase.read("W3SVC", "WAMUserPass").value),
            )
            for application in host_spec.applications:
                create_application(host.metabase, host.complus, application.path, application.isolation)
            seed_properties(host.metabase, topology.metabase_properties)
        hosts.append(host)
    domain.kds_root_key = spec.kds_root_key
    for gmsa in spec.managed_service_accounts:
        sids = []
        for principal in gmsa.principals:
            account = lookup_name(hosts[0], principal)
            if account is None:
                raise ValueError(f"gMSA {gmsa.name}: no computer or group {principal!r} in the domain")
            sids.append(account.sid)
        domain.accounts.add(
            f"{gmsa.name}$",
            Kind.USER,
            password=make_password() + make_password(),
            password_never_expires=True,
            object_class=GMSA,
            managed_principals=sids,
            dns_host_name=f"{gmsa.name.lower()}.{domain.dns}",
        )
    if topology.shared_config is not None:
        # The shared configuration's reader: an ordinary domain user, in Domain Users only.
        shared = topology.shared_config
        reader = domain.accounts.add(shared.reader, Kind.USER, password=shared.reader_password)
        domain_users = domain.accounts.find("Domain Users")
        assert domain_users is not None, "dcpromo creates Domain Users"
        domain_users.members.append(reader.sid)
    by_name = {host.name: host for host in hosts}
    for fault in topology.faults:
        (FAULT_KINDS.get(fault.kind) or WEB_DEPLOY_FAULT_KINDS[fault.kind]).apply(by_name[fault.host])
    return domain, hosts


def _application(name: str) -> Application:
    """A COM+ application an administrator installed: one component, its class registered."""
    prog_id = name.replace(" ", "") + ".Component"
    return Application(lab_guid(name), name, components=(Component(lab_guid(prog_id), prog_id),))
