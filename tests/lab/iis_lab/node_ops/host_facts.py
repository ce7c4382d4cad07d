"""``host_facts``: who the host is (WMI Win32_ComputerSystem / Win32_OperatingSystem,
``HKLM\\SOFTWARE\\Microsoft\\InetStp`` and the adapters' IP configuration)."""

from __future__ import annotations

import dataclasses
import typing as t

from .spec import OpContext, OpSpec


def host_facts(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    host = context.host
    return {
        "name": host.name,
        "dns_host_name": host.dns_host_name,
        "domain": host.domain.netbios,
        "dns_domain": host.domain.dns,
        "domain_role": host.domain_role,
        "os_version": host.os.version,
        "iis_version": host.iis_version,
        "ip_addresses": [dataclasses.asdict(ip) for ip in host.ip_addresses],
    }


OPS = (OpSpec("host_facts", write=False, args=(), run=host_facts),)
