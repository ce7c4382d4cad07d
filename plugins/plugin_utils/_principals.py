# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Security principals as the node reports them, and local group membership decisions
(KB Q249603 step 4).

This is for internal collection use only; the API may change at any time.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ._changes import Change, Shown
from ._input import InvalidInput
from ._node_session import Instruction

NONE_MAPPED_REMEDY = "create it first (webfarm.iis_cluster.domain_account) or correct the name"


@dataclasses.dataclass(frozen=True)
class Principal:
    """A user, group, local group or well-known group: ``{"sid", "name", "kind"}`` on the wire."""

    sid: str
    name: str
    kind: str

    @classmethod
    def from_report(cls, report: t.Mapping[str, t.Any]) -> Principal:
        return cls(str(report["sid"]), str(report["name"]), str(report["kind"]))

    def as_result(self) -> dict[str, str]:
        return dataclasses.asdict(self)


def principals_from(reports: t.Iterable[t.Mapping[str, t.Any]]) -> tuple[Principal, ...]:
    """The principals of a list in a report (members, token groups)."""
    return tuple(Principal.from_report(report) for report in reports)


@dataclasses.dataclass(frozen=True)
class LocalGroup:
    """A local group and its members, from ``local_group_members_get``."""

    principal: Principal
    members: tuple[Principal, ...]

    @classmethod
    def from_report(cls, report: t.Mapping[str, t.Any]) -> LocalGroup:
        return cls(Principal.from_report(report), principals_from(report["members"]))

    def has(self, sid: str) -> bool:
        return any(member.sid == sid for member in self.members)


def plan_membership(
    group: str, current: LocalGroup, wanted: t.Sequence[tuple[str, Principal | None]], state: str, *, check_mode: bool
) -> dict[str, Change]:
    """What to change, by name given, so that each wanted account is (``present``) or is not (``absent``) a
    direct member of the local group.

    ``wanted`` pairs each name the operator gave with the principal it maps to on the node, or
    None when it maps to none. Such an account cannot be a member: ``absent`` is already true;
    ``present`` fails, except in check mode, where an earlier task of the same run may be about
    to create the account, so the addition is predicted.
    """
    changes: dict[str, Change] = {}
    for given, principal in wanted:
        subject = f"{current.principal.name} member {given}"
        if principal is None:
            if state == "present" and not check_mode:
                raise InvalidInput(f"members: {given!r} maps to no account on the node (ERROR_NONE_MAPPED); {NONE_MAPPED_REMEDY}")
            if state == "present":
                changes[given] = Change(subject, Shown.absent(), Shown("member (once the account exists)"), ())
            continue
        member = current.has(principal.sid)
        args = {"group": group, "sid": principal.sid}
        if state == "present" and not member:
            changes[given] = Change(subject, Shown.absent(), Shown("member"), (Instruction("local_group_member_add", args),))
        elif state == "absent" and member:
            changes[given] = Change(subject, Shown("member"), Shown.absent(), (Instruction("local_group_member_remove", args),))
    return changes


@dataclasses.dataclass(frozen=True)
class MembershipPlan:
    """Step 4 on one node: the group as found, and the change for each account given."""

    group: str
    state: str
    current: LocalGroup
    wanted: tuple[tuple[str, Principal | None], ...]
    planned: t.Mapping[str, Change]

    @property
    def read_back(self) -> Instruction:
        return Instruction("local_group_members_get", {"group": self.group})

    @property
    def changes(self) -> list[Change]:
        return list(self.planned.values())

    def joining(self) -> tuple[Principal, ...]:
        """The existing accounts the plan makes members, for a plan that depends on the
        membership to come (a right the group holds)."""
        if self.state != "present":
            return ()
        return tuple(principal for given, principal in self.wanted if principal is not None and given in self.planned)

    def as_result(self, after: LocalGroup) -> dict[str, t.Any]:
        """The module's result; ``after`` is the group read back after the changes (the group
        as found, when nothing was applied)."""
        return {
            "changed": bool(self.planned),
            "group": self.current.principal.as_result(),
            "members": [member.as_result() for member in after.members],
            "added": list(self.planned) if self.state == "present" else [],
            "removed": list(self.planned) if self.state == "absent" else [],
        }


def membership_queries(group: str, names: t.Sequence[str]) -> list[Instruction]:
    """The read-only batch :func:`plan_group` decides on: the group, then each account."""
    return [Instruction("local_group_members_get", {"group": group}), *(Instruction("account_lookup", {"name": name}) for name in names)]


def plan_group(
    group: str, names: t.Sequence[str], values: t.Sequence[t.Any], state: str, *, check_mode: bool
) -> MembershipPlan:
    """The plan for ``names`` in ``group`` from the values of :func:`membership_queries`."""
    report, *found = values
    current = LocalGroup.from_report(report)
    wanted = tuple((name, Principal.from_report(principal) if principal else None) for name, principal in zip(names, found))
    planned = plan_membership(group, current, wanted, state, check_mode=check_mode)
    return MembershipPlan(group, state, current, wanted, planned)


def check_local_group_name(name: str) -> str:
    """A local group is named without a domain (NetLocalGroup* take the bare name)."""
    if not name.strip() or "\\" in name or "@" in name:
        raise InvalidInput(f"group: {name!r} is not a local group's name; give it without a domain, such as Users")
    return name.strip()
