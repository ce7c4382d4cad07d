# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Whether an account effectively holds a user right, and where from (KB Q249603 step 5).

This is for internal collection use only; the API may change at any time.

Windows grants a logon right to a logon when any SID of its token holds it: the account's own,
a domain group's (the domain controller puts nested group membership in the token), a
well-known group's (Everyone, Authenticated Users) or a local group's. A local group holds
users, domain groups and well-known groups, never another local group, so one step of local
membership ends every chain. The KB's case is the domain user in Domain Users, a member of the
node's Users, which holds "Log on locally": effective, no grant needed.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ._changes import Change, Shown
from ._input import InvalidInput
from ._node_session import Instruction
from ._principals import NONE_MAPPED_REMEDY, Principal, principals_from

MODE_EFFECTIVE = "effective"
MODE_DIRECT = "direct"
MODES = (MODE_EFFECTIVE, MODE_DIRECT)
_RIGHT_NAME = re.compile(r"^Se[A-Za-z]+(Right|Privilege)$")
_ALIAS = "alias"


@dataclasses.dataclass(frozen=True)
class Holder:
    """A holder of the right; a local group of the node comes with its members."""

    principal: Principal
    members: tuple[Principal, ...] | None = None

    @classmethod
    def from_report(cls, report: t.Mapping[str, t.Any]) -> Holder:
        members = report.get("members")
        return cls(Principal.from_report(report), None if members is None else principals_from(members))


@dataclasses.dataclass(frozen=True)
class Token:
    """An account and the groups of its logon token, from ``account_token_get``."""

    account: Principal
    groups: tuple[Principal, ...]

    @classmethod
    def from_report(cls, report: t.Mapping[str, t.Any]) -> Token:
        return cls(Principal.from_report(report), principals_from(report["groups"]))


@dataclasses.dataclass(frozen=True)
class Grant:
    """Where an effective right comes from: ``through`` is the chain from the account (left
    out) to the holder (last); empty when the account holds the right itself."""

    holder: Principal
    through: tuple[Principal, ...] = ()

    @property
    def direct(self) -> bool:
        return not self.through

    def describe(self) -> str:
        if self.direct:
            return "held directly"
        return "through " + " -> ".join(principal.name for principal in self.through)


def check_right_name(right: str) -> str:
    if not _RIGHT_NAME.match(right):
        raise InvalidInput(
            f"right: {right!r} is not a user right's constant name (such as SeInteractiveLogonRight, "
            "'Log on locally', or SeNetworkLogonRight)"
        )
    return right


def effective_grant(token: Token, holders: t.Sequence[Holder]) -> Grant | None:
    """Where the account of ``token`` gets the right from, or None when it does not hold it.

    In order of preference: the account itself; a local group the account is a direct member
    of; a local group through a group of the token (a domain group before a well-known one);
    a group of the token that holds the right itself.
    """
    account = token.account
    in_token = {group.sid: group for group in token.groups}
    for holder in holders:
        if holder.principal.sid == account.sid:
            return Grant(holder.principal)
    local_groups = [holder for holder in holders if holder.principal.kind == _ALIAS and holder.members is not None]
    for holder in local_groups:
        if any(member.sid == account.sid for member in t.cast(tuple, holder.members)):
            return Grant(holder.principal, (holder.principal,))
    for kind in ("group", "well_known"):
        for holder in local_groups:
            for member in t.cast(tuple, holder.members):
                if member.kind == kind and member.sid in in_token:
                    return Grant(holder.principal, (in_token[member.sid], holder.principal))
    for holder in holders:
        if holder.principal.sid in in_token:
            return Grant(holder.principal, (holder.principal,))
    return None


@dataclasses.dataclass(frozen=True)
class AccountRight:
    """The decision for one account: where the right came from, and the grant to make if any."""

    name: str
    token: Token | None
    grant: Grant | None
    change: Change | None

    def predicted(self) -> Grant | None:
        """Where the right will come from once the change is made (for check mode)."""
        if self.change is None or self.token is None:
            return self.grant
        return Grant(self.token.account)

    def as_result(self, after: Grant | None) -> dict[str, t.Any]:
        """The account's entry in the module's result; ``after`` is where the right comes from
        after the task (``effective`` is None when that cannot be known yet)."""
        known = self.token is not None
        return {
            "account": self.token.account.name if self.token else self.name,
            "sid": self.token.account.sid if self.token else None,
            "exists": known,
            "effective": after is not None if known else None,
            "source": None if after is None else ("direct" if after.direct else "group"),
            "holder": None if after is None else after.holder.name,
            "through": [] if after is None else [principal.name for principal in after.through],
            "changed": self.change is not None,
        }


def plan_right(
    right: str, name: str, token: Token | None, holders: t.Sequence[Holder], mode: str, *, check_mode: bool
) -> AccountRight:
    """Whether to grant ``right`` to the account ``name`` directly.

    ``effective`` grants only when no SID of the account's token holds it; ``direct`` whenever
    the account itself does not. An account that does not exist (``token`` None) fails, except
    in check mode, where an earlier task may be about to create it: a direct grant is predicted
    in ``direct`` mode, and nothing in ``effective`` mode, whose answer needs the account.
    """
    subject = f"{right} {name}"
    if token is None:
        if not check_mode:
            raise InvalidInput(f"accounts: {name!r} maps to no account on the node (ERROR_NONE_MAPPED); {NONE_MAPPED_REMEDY}")
        predicted = Change(subject, Shown.absent(), Shown("held directly (once the account exists)"), ())
        return AccountRight(name, None, None, predicted if mode == MODE_DIRECT else None)
    found = effective_grant(token, holders)
    if found is not None and (mode == MODE_EFFECTIVE or found.direct):
        return AccountRight(name, token, found, None)
    before = Shown.absent() if found is None else Shown(found.describe())
    grant = Instruction("user_right_grant", {"right": right, "sid": token.account.sid})
    return AccountRight(name, token, found, Change(subject, before, Shown("held directly"), (grant,)))


def right_queries(right: str, names: t.Sequence[str]) -> list[Instruction]:
    """The read-only batch :func:`plan_rights` decides on: the right's holders, then each
    account's logon token."""
    return [Instruction("user_rights_get", {"right": right}), *(Instruction("account_token_get", {"name": name}) for name in names)]


def holders_after_joining(holders: t.Sequence[Holder], group: Principal, joining: t.Sequence[Principal]) -> list[Holder]:
    """``holders`` as they will be once ``joining`` are direct members of the local ``group``:
    a right the group holds is then effective for them, so it is not granted directly."""
    if not joining:
        return list(holders)
    return [
        dataclasses.replace(holder, members=(*holder.members, *joining))
        if holder.principal.sid == group.sid and holder.members is not None
        else holder
        for holder in holders
    ]


@dataclasses.dataclass(frozen=True)
class RightPlan:
    """Step 5 (or one right like it) on one node: the decision for each account."""

    right: str
    mode: str
    decisions: tuple[AccountRight, ...]

    @property
    def read_back(self) -> Instruction:
        return Instruction("user_rights_get", {"right": self.right})

    @property
    def changes(self) -> list[Change]:
        return [decision.change for decision in self.decisions if decision.change is not None]

    def as_result(self, applied: t.Mapping[str, t.Any] | None) -> dict[str, t.Any]:
        """The module's result; ``applied`` is the right's report read back after the changes,
        None when nothing was applied (then each account's entry is the prediction)."""
        if applied is None:
            afters = [decision.predicted() for decision in self.decisions]
        else:
            holders = [Holder.from_report(holder) for holder in applied["holders"]]
            afters = [effective_grant(decision.token, holders) if decision.token else None for decision in self.decisions]
        return {
            "changed": bool(self.changes),
            "right": self.right,
            "mode": self.mode,
            "accounts": [decision.as_result(after) for decision, after in zip(self.decisions, afters)],
        }


def plan_rights(
    right: str,
    names: t.Sequence[str],
    values: t.Sequence[t.Any],
    mode: str,
    *,
    check_mode: bool,
    joining: tuple[Principal, t.Sequence[Principal]] | None = None,
    logon_groups: t.Sequence[tuple[Principal, ...]] = (),
) -> RightPlan:
    """The plan for ``right`` and the accounts ``names`` from the values of
    :func:`right_queries`. ``joining`` is a local group and the accounts about to become its
    members, when the same batch adds them (KB step 4 before step 5). ``logon_groups`` holds,
    by account, the groups its logon adds to its token (IIS_IUSRS, which WAS adds to an
    application pool worker's), so a right they hold counts."""
    report, *tokens = values
    holders = [Holder.from_report(holder) for holder in report["holders"]]
    if joining is not None:
        holders = holders_after_joining(holders, *joining)
    added = [*logon_groups, *([()] * (len(names) - len(logon_groups)))]
    decisions = tuple(
        plan_right(right, name, _with_groups(Token.from_report(token), groups) if token else None, holders, mode, check_mode=check_mode)
        for name, token, groups in zip(names, tokens, added)
    )
    return RightPlan(right, mode, decisions)


def _with_groups(token: Token, groups: t.Sequence[Principal]) -> Token:
    """``token`` with ``groups`` it does not carry yet."""
    missing = tuple(group for group in groups if all(group.sid != known.sid for known in token.groups))
    return dataclasses.replace(token, groups=(*token.groups, *missing)) if missing else token
