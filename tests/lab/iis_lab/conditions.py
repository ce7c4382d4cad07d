"""Conditions of the IIS 7-10 era a test puts a running lab in, behind the collection's back, as
an administrator would by hand: a logon right removed on one node, a domain account disabled or
locked out, a node taken out of a gMSA's PrincipalsAllowedToRetrieveManagedPassword. Each takes
effect at the next logon (a pool's next start or recycle), as on Windows, and can be undone
(``clear``). They reach the lab as ``iis-lab condition`` requests (:mod:`iis_lab.edits`) or
through :meth:`iis_lab.lab.Lab.change_condition`.
"""

from __future__ import annotations

import dataclasses
import typing as t

from .windows.accounts import GMSA, Account
from .windows.host import Host
from .windows.security import lookup_name


@dataclasses.dataclass(frozen=True)
class ConditionKind:
    name: str
    description: str
    apply: t.Callable[[Host, str, bool], None]
    """(host, the account or group it names, clear)."""


def _account(host: Host, name: str) -> Account:
    account = lookup_name(host, name)
    if account is None:
        raise LookupError(f"{name!r} names no account on {host.name}")
    return account


def _batch_right(host: Host, name: str, clear: bool) -> None:
    sid = _account(host, name).sid
    holders = host.rights.setdefault("SeBatchLogonRight", [])
    if clear and sid not in holders:
        holders.append(sid)
    elif not clear and sid in holders:
        holders.remove(sid)


def _disabled(host: Host, name: str, clear: bool) -> None:
    _account(host, name).enabled = clear


def _locked_out(host: Host, name: str, clear: bool) -> None:
    _account(host, name).locked_out = not clear


def _gmsa_not_allowed(host: Host, name: str, clear: bool) -> None:
    gmsa = _account(host, name if name.endswith("$") else f"{name}$")
    computer = host.domain.accounts.find(f"{host.name}$")
    if gmsa.object_class != GMSA or computer is None:
        raise LookupError(f"{name!r} is no gMSA, or {host.name} has no computer account")
    if clear and computer.sid not in gmsa.managed_principals:
        gmsa.managed_principals.append(computer.sid)
    elif not clear and computer.sid in gmsa.managed_principals:
        gmsa.managed_principals.remove(computer.sid)


CONDITION_KINDS: t.Mapping[str, ConditionKind] = {
    kind.name: kind
    for kind in (
        ConditionKind(
            "batch_right_removed",
            'the account or group no longer holds "Log on as a batch job" on the host (as a GPO restricting it does)',
            _batch_right,
        ),
        ConditionKind(
            "account_disabled", "the account is disabled (ERROR_ACCOUNT_DISABLED, 1331, at its next logon)", _disabled
        ),
        ConditionKind(
            "account_locked_out",
            "the account is locked out (ERROR_ACCOUNT_LOCKED_OUT, 1909, at its next logon, whatever the password)",
            _locked_out,
        ),
        ConditionKind(
            "gmsa_not_allowed",
            "the host's computer account is taken out of the gMSA's PrincipalsAllowedToRetrieveManagedPassword",
            _gmsa_not_allowed,
        ),
    )
}
