"""The ops on a host's own security: name lookup (LSA), the groups of an account's logon token
(S4U), local group membership (NetLocalGroup*) and user rights (LSA policy)."""

from __future__ import annotations

import typing as t

from ..windows.account_setup import user_rights
from ..windows.accounts import Account, Kind
from ..windows.errors import (
    ERROR_MEMBER_IN_ALIAS,
    ERROR_MEMBER_NOT_IN_ALIAS,
    ERROR_NO_SUCH_MEMBER,
    ERROR_NO_SUCH_PRIVILEGE,
    ERROR_NO_SUCH_USER,
    ERROR_NOT_SUPPORTED,
    NERR_GROUP_NOT_FOUND,
    WindowsApiError,
)
from ..windows.host import Host
from ..windows.security import lookup_name, lookup_sid, require_administrator, token_groups
from .spec import Arg, ArgType, OpContext, OpSpec

_NAME = Arg("name", ArgType.STR, required=True)
_GROUP = Arg("group", ArgType.STR, required=True)
_SID = Arg("sid", ArgType.STR, required=True)
_RIGHT = Arg("right", ArgType.STR, required=True)


def account_lookup(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    """LookupAccountName; null for ERROR_NONE_MAPPED."""
    account = lookup_name(context.host, args["name"])
    return None if account is None else _principal(account)


def account_token_get(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    """The account and the groups of an S4U logon token for it on this host; null when the name
    maps to no account. Only a user has a logon token (ERROR_NO_SUCH_USER otherwise), and only a
    domain user an S4U one: Kerberos protocol transition knows no local account, which node_ops
    refuses with ERROR_NOT_SUPPORTED rather than ask the domain for a namesake."""
    host = context.host
    account = lookup_name(host, args["name"])
    if account is None:
        return None
    if account.kind is not Kind.USER:
        raise WindowsApiError(ERROR_NO_SUCH_USER, f"{account.qualified_name} is a {account.kind.value}")
    if account.authority.upper() == host.name.upper():
        raise WindowsApiError(ERROR_NOT_SUPPORTED, f"{account.qualified_name} is a local account")
    return {**_principal(account), "groups": [_principal(group) for group in token_groups(host, account)]}


def local_group_members_get(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """NetLocalGroupGetMembers (level 2: SID, usage and DOMAIN\\name of each member)."""
    host = context.host
    alias = _alias(host, args["group"])
    return {**_principal(alias), "members": [_member(host, sid) for sid in alias.members]}


def local_group_member_add(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    """NetLocalGroupAddMembers (level 0, by SID)."""
    host = context.host
    require_administrator(host, context.account)
    alias = _alias(host, args["group"])
    if lookup_sid(host, args["sid"]) is None:
        raise WindowsApiError(ERROR_NO_SUCH_MEMBER, args["sid"])
    if args["sid"] in alias.members:
        raise WindowsApiError(ERROR_MEMBER_IN_ALIAS, f"{args['sid']} in {alias.name}")
    alias.members.append(args["sid"])


def local_group_member_remove(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    """NetLocalGroupDelMembers (level 0, by SID)."""
    host = context.host
    require_administrator(host, context.account)
    alias = _alias(host, args["group"])
    if args["sid"] not in alias.members:
        raise WindowsApiError(ERROR_MEMBER_NOT_IN_ALIAS, f"{args['sid']} in {alias.name}")
    alias.members.remove(args["sid"])


def user_rights_get(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """LsaEnumerateAccountsWithUserRight, each holder named (LsaLookupSids), with the members of
    every holder that is one of this host's local groups."""
    host = context.host
    holders = []
    for sid in _holders(host, args["right"]):
        holder = _member(host, sid)
        alias = host.aliases.by_sid(sid)
        if alias is not None:
            holder["members"] = [_member(host, member) for member in alias.members]
        holders.append(holder)
    return {"right": args["right"], "holders": holders}


def user_right_grant(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    """LsaAddAccountRights: holding the right already is not an error."""
    host = context.host
    require_administrator(host, context.account)
    holders = _holders(host, args["right"])
    if args["sid"] not in holders:
        holders.append(args["sid"])


def _holders(host: Host, right: str) -> list[str]:
    """The holders of ``right`` in the host's LSA policy (created empty on first use, as LSA
    keeps no list for a right no one holds)."""
    if right not in user_rights(host.os):
        raise WindowsApiError(ERROR_NO_SUCH_PRIVILEGE, right)
    return host.rights.setdefault(right, [])


def _alias(host: Host, name: str) -> Account:
    alias = host.aliases.find(name)
    if alias is None:
        # NetLocalGroup* answer NERR_GroupNotFound for a local group that does not exist.
        raise WindowsApiError(NERR_GROUP_NOT_FOUND, name)
    return alias


def _principal(account: Account) -> dict[str, t.Any]:
    return {"sid": account.sid, "name": account.qualified_name, "kind": account.kind.value}


def _member(host: Host, sid: str) -> dict[str, t.Any]:
    """A SID as LSA names it; one no account has any more is reported by its SID alone
    (SidTypeUnknown), as the Local Users and Groups snap-in shows it."""
    account = lookup_sid(host, sid)
    return _principal(account) if account is not None else {"sid": sid, "name": sid, "kind": "unknown"}


OPS = (
    OpSpec("account_lookup", write=False, args=(_NAME,), run=account_lookup),
    OpSpec("account_token_get", write=False, args=(_NAME,), run=account_token_get),
    OpSpec("local_group_members_get", write=False, args=(_GROUP,), run=local_group_members_get),
    OpSpec("local_group_member_add", write=True, args=(_GROUP, _SID), run=local_group_member_add),
    OpSpec("local_group_member_remove", write=True, args=(_GROUP, _SID), run=local_group_member_remove),
    OpSpec("user_rights_get", write=False, args=(_RIGHT,), run=user_rights_get),
    OpSpec("user_right_grant", write=True, args=(_RIGHT, _SID), run=user_right_grant),
)
