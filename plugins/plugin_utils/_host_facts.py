# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Who a node is, as ``host_facts`` reports it, and what follows from its domain role.

This is for internal collection use only; the API may change at any time.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible.errors import AnsibleActionFail

from ._node_session import Instruction

HOST_FACTS = Instruction("host_facts")

# Win32_ComputerSystem.DomainRole.
_ROLE_NAMES = {
    0: "a standalone workstation",
    1: "a member workstation",
    2: "a standalone server",
    3: "a member server",
    4: "a backup domain controller",
    5: "a primary domain controller",
}
_DOMAIN_CONTROLLER_ROLES = (4, 5)
BACKEND_METABASE = "metabase"
BACKEND_APPHOST = "apphost"
_FIRST_APPHOST_MAJOR = 7  # IIS 7.0 replaced the metabase with applicationHost.config


@dataclasses.dataclass(frozen=True)
class HostFacts:
    """The parts of ``host_facts`` the modules decide on."""

    name: str
    domain: str | None
    dns_domain: str | None
    domain_role: int
    iis_version: str | None

    @classmethod
    def from_report(cls, report: t.Mapping[str, t.Any]) -> HostFacts:
        return cls(
            name=str(report["name"]),
            domain=report.get("domain"),
            dns_domain=report.get("dns_domain"),
            domain_role=int(report["domain_role"]),
            iis_version=report.get("iis_version"),
        )

    @property
    def is_domain_controller(self) -> bool:
        """Whether the node is a domain controller (DomainRole 4 or 5): its accounts are the
        domain's, and "Log on locally" comes from the Default Domain Controllers Policy."""
        return self.domain_role in _DOMAIN_CONTROLLER_ROLES

    @property
    def role(self) -> str:
        """The domain role in words, for messages."""
        return _ROLE_NAMES.get(self.domain_role, f"of domain role {self.domain_role}")

    @property
    def backend(self) -> str | None:
        """How the node's IIS is configured: ``metabase`` (IIS 5.x/6.x), ``apphost`` (IIS 7.0 and
        later, applicationHost.config), None without IIS."""
        return iis_backend(self.iis_version)

    def as_result(self) -> dict[str, t.Any]:
        return {**dataclasses.asdict(self), "is_domain_controller": self.is_domain_controller, "backend": self.backend}


def iis_backend(iis_version: str | None) -> str | None:
    """The backend of an IIS version as ``host_facts`` reports it (``"6.0"``, ``"10.0"``)."""
    if not iis_version:
        return None
    return BACKEND_METABASE if int(iis_version.split(".")[0]) < _FIRST_APPHOST_MAJOR else BACKEND_APPHOST


def require_domain_controller(facts: HostFacts, host: str, module: str) -> None:
    """Fail unless the node is a domain controller: without a server name the NetAPI reaches
    the domain's accounts only there (elsewhere, the host's own SAM)."""
    if not facts.is_domain_controller:
        raise AnsibleActionFail(
            f"{module} manages domain accounts and must run on a domain controller, but {host} is {facts.role} "
            f"(domain role {facts.domain_role}): delegate the task to a host of the domain_controllers group"
        )
