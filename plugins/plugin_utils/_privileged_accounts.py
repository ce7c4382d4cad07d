# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which domain accounts the collection must never change: built-in, privileged, machine ones.

This is for internal collection use only; the API may change at any time.

Decided by SIDs, never by names: a renamed Administrator keeps RID 500, and a user nested three
groups deep in Domain Admins is a domain admin. The SIDs and RIDs are those of MS-DTYP 2.4.2.4
("Well-Known SID Structures") and of "Active Directory Security Groups" (Microsoft Learn).
"""

from __future__ import annotations

import typing as t

# SAM hands out RIDs from 1000 to the accounts administrators create; below are those Windows
# setup and dcpromo made (Administrator 500, Guest 501, krbtgt 502, ...).
FIRST_CREATED_RID = 1000
_BUILT_IN_USERS = {500: "the built-in Administrator", 501: "the built-in Guest", 502: "krbtgt, the Kerberos service account"}

# Domain groups (domain SID + RID) whose members administer the domain, its controllers or its policy.
_PRIVILEGED_DOMAIN_RIDS = {
    512: "Domain Admins",
    516: "Domain Controllers",
    518: "Schema Admins",
    519: "Enterprise Admins",
    520: "Group Policy Creator Owners",
}
# BUILTIN aliases of the domain controllers whose members administer or back them up.
_PRIVILEGED_BUILTIN_SIDS = {
    "S-1-5-32-544": "Administrators",
    "S-1-5-32-548": "Account Operators",
    "S-1-5-32-549": "Server Operators",
    "S-1-5-32-550": "Print Operators",
    "S-1-5-32-551": "Backup Operators",
}
_DOMAIN_SID_PREFIX = "S-1-5-21-"
# What the ``kind`` of domain_user_get names, other than an ordinary user.
_MACHINE_KINDS = {
    "computer": "a computer account",
    "managed_service_account": "a (group) managed service account",
    "trust": "an interdomain trust account",
}


def rid_of(sid: str) -> int:
    """The relative ID, the last part of a domain account's SID."""
    return int(sid.rsplit("-", 1)[1])


def privileged_group(sid: str) -> str | None:
    """``Name (SID)`` when ``sid`` is one of the privileged groups, else None."""
    if sid in _PRIVILEGED_BUILTIN_SIDS:
        return f"BUILTIN\\{_PRIVILEGED_BUILTIN_SIDS[sid]} ({sid})"
    if sid.startswith(_DOMAIN_SID_PREFIX) and sid.count("-") == 7 and rid_of(sid) in _PRIVILEGED_DOMAIN_RIDS:
        return f"{_PRIVILEGED_DOMAIN_RIDS[rid_of(sid)]} (RID {rid_of(sid)})"
    return None


def why_protected(sid: str, kind: str, group_sids: t.Iterable[str], admin_count: bool) -> str | None:
    """Why the collection must not touch this account, or None for an ordinary user.

    ``group_sids`` are every group the account is in, nested ones included (tokenGroups);
    ``admin_count`` is AD's adminCount=1, which SDProp leaves on every account that is or was in
    a protected group: such an account kept a protected ACL and is treated as privileged.
    """
    rid = rid_of(sid)
    if rid in _BUILT_IN_USERS:
        return f"{_BUILT_IN_USERS[rid]} (RID {rid})"
    if kind in _MACHINE_KINDS:
        return _MACHINE_KINDS[kind]
    if rid < FIRST_CREATED_RID:
        return f"a built-in account (RID {rid}, below {FIRST_CREATED_RID})"
    groups = [name for name in map(privileged_group, group_sids) if name is not None]
    if groups:
        return f"a member of {', '.join(groups)}, directly or through nested groups"
    if admin_count:
        return "marked adminCount=1 (it is or was in a protected administrators' group)"
    return None
