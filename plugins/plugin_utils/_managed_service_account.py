# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Decisions about a group managed service account (gMSA) on a domain controller: the IWAM
identity of an IIS 7-10 cluster when ``iis_cluster_iwam_gmsa`` is true (KB Q249603 steps 1-3,
where the KB creates a domain user).

This is for internal collection use only; the API may change at any time.

Pure: it turns what a domain controller reported (``kds_root_key_get``, ``gmsa_get``,
``domain_user_get`` of the name, ``account_lookup`` of each principal; see
``docs/instruction-set.md``) into a plan. A gMSA has no password anyone sets: the domain derives it
from the KDS root key, and only the principals in PrincipalsAllowedToRetrieveManagedPassword (the
cluster's computer accounts) may retrieve it
(learn.microsoft.com/windows-server/security/group-managed-service-accounts/getting-started-with-group-managed-service-accounts).
"""

from __future__ import annotations

import dataclasses
import typing as t

from ._changes import Change, Shown
from ._input import InvalidInput
from ._node_session import Instruction
from ._principals import NONE_MAPPED_REMEDY, Principal

KDS_ROOT_KEY_REMEDY = (
    "create one on a domain controller with Add-KdsRootKey -EffectiveImmediately and wait 10 hours for it to "
    "replicate before the first gMSA is made (in a test lab only: Add-KdsRootKey -EffectiveTime "
    "((Get-Date).AddHours(-10)))"
)


@dataclasses.dataclass(frozen=True)
class GmsaState:
    """A gMSA as ``gmsa_get`` reported it (``sid`` None for one only planned)."""

    name: str
    sid: str | None
    dns_host_name: str
    enabled: bool
    principals: tuple[Principal, ...]

    @classmethod
    def from_report(cls, report: t.Mapping[str, t.Any]) -> GmsaState:
        return cls(
            name=str(report["name"]),
            sid=report["sid"],
            dns_host_name=str(report["dns_host_name"]),
            enabled=bool(report["enabled"]),
            principals=tuple(Principal.from_report(principal) for principal in report["principals"]),
        )

    def as_result(self) -> dict[str, t.Any]:
        return {
            "name": self.name,
            "sid": self.sid,
            "dns_host_name": self.dns_host_name,
            "enabled": self.enabled,
            "principals": [principal.name for principal in self.principals],
        }


@dataclasses.dataclass(frozen=True)
class DesiredGmsa:
    """The gMSA asked for: ``name`` without the trailing "$", the ``principals`` that must be
    allowed to retrieve its password (names as given), and the domain's DNS name for its
    dNSHostName (``<name>.<dns domain>``, as New-ADServiceAccount's -DNSHostName is usually given)."""

    name: str
    principals: tuple[str, ...]
    dns_domain: str

    @property
    def sam_account_name(self) -> str:
        return f"{self.name}$"

    @property
    def dns_host_name(self) -> str:
        return f"{self.name}.{self.dns_domain}".lower()


@dataclasses.dataclass(frozen=True)
class GmsaPlan:
    """The gMSA as it is (None when absent), the changes that make it as asked, and what it
    will be once they are made (for check mode)."""

    before: GmsaState | None
    changes: list[Change]
    after: GmsaState


def gmsa_queries(name: str, principals: t.Sequence[str]) -> list[Instruction]:
    """The read-only batch :func:`plan_gmsa` decides on, asked in the step's one query."""
    return [
        Instruction("kds_root_key_get"),
        Instruction("gmsa_get", {"name": name}),
        # Any account of the name: a user or computer "name$" is not the gMSA, and not to be taken.
        Instruction("domain_user_get", {"name": f"{name}$"}),
        *(Instruction("account_lookup", {"name": principal}) for principal in principals),
    ]


def plan_gmsa(desired: DesiredGmsa, values: t.Sequence[t.Any], field: str = "gmsa.") -> GmsaPlan:
    """The plan that makes the gMSA as ``desired``, from the values of :func:`gmsa_queries`.

    Refused, before anything is written: a principal that maps to no account; an account of the
    name that is no gMSA; a gMSA to create without a usable KDS root key. Principals are only
    added, never removed: a computer another administrator allowed keeps its access, and a
    second run changes nothing.
    """
    kds, report, same_name, *found = values
    unknown = [name for name, principal in zip(desired.principals, found) if principal is None]
    if unknown:
        raise InvalidInput(
            f"{field}principals: {', '.join(map(repr, unknown))} maps to no account of the domain "
            f"(ERROR_NONE_MAPPED); {NONE_MAPPED_REMEDY}"
        )
    wanted: list[Principal] = []
    for principal in (Principal.from_report(entry) for entry in found):
        if all(principal.sid != known.sid for known in wanted):
            wanted.append(principal)
    subject = f"{desired.sam_account_name} (gMSA)"
    if report is None:
        if same_name is not None:
            raise InvalidInput(
                f"{field}name: the domain already has an account {str(same_name['name'])!r} of kind {same_name['kind']}, "
                "which is no group managed service account; the collection neither converts nor takes it. Name "
                "another IWAM identity (iis_cluster_iwam_name)"
            )
        if not kds["usable"]:
            state = "has a KDS root key that is not usable yet" if kds["exists"] else "has no KDS root key"
            raise InvalidInput(
                f"{field}name: the gMSA {desired.sam_account_name} cannot be created: the domain {state}, from "
                f"which the domain derives every gMSA's password; {KDS_ROOT_KEY_REMEDY}. Nothing was changed"
            )
        after = GmsaState(desired.name, None, desired.dns_host_name, True, tuple(wanted))
        add = Instruction(
            "gmsa_add",
            {"name": desired.name, "dns_host_name": desired.dns_host_name, "principals": [principal.sid for principal in wanted]},
        )
        shown = Shown(f"present, password retrievable by {', '.join(principal.name for principal in wanted)}")
        return GmsaPlan(None, [Change(subject, Shown.absent(), shown, (add,))], after)

    current = GmsaState.from_report(report)
    missing = [principal for principal in wanted if all(principal.sid != known.sid for known in current.principals)]
    if not missing:
        return GmsaPlan(current, [], current)
    principals = (*current.principals, *missing)
    allow = Instruction("gmsa_set_principals", {"name": desired.name, "principals": [principal.sid for principal in principals]})
    change = Change(
        f"{subject} principals allowed to retrieve its password",
        Shown.value([principal.name for principal in current.principals]),
        Shown.value([principal.name for principal in principals]),
        (allow,),
    )
    return GmsaPlan(current, [change], dataclasses.replace(current, principals=principals))
