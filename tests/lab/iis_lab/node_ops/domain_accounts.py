"""The domain account ops (NetUser*, NetGroupAddUser, LogonUser, the domain's password policy).

They act on the account database of the host they run on, as the NetAPI calls do without a
server name: on a domain controller that is the domain, on a member server its own SAM. The
controller writes with them on domain controllers only.
"""

from __future__ import annotations

import typing as t

from ..windows.accounts import COMPUTER, GMSA, Account, Kind
from ..windows.errors import (
    NERR_GROUP_NOT_FOUND,
    NERR_PASSWORD_TOO_SHORT,
    NERR_USER_EXISTS,
    NERR_USER_IN_GROUP,
    NERR_USER_NOT_FOUND,
    WindowsApiError,
)
from ..windows.host import Host
from ..windows.security import domain_groups, require_administrator
from ..windows.stored_secret import same_secret
from .spec import Arg, ArgType, OpContext, OpSpec

_NAME = Arg("name", ArgType.STR, required=True)
_SECRET = Arg("secret", ArgType.SECRET, required=True)
_DESCRIPTION = Arg("description", ArgType.STR)
_USER_COMMENT = Arg("user_comment", ArgType.STR)
# USER_INFO flags as op arguments, and the attribute of the model each sets.
_FLAGS = {
    "enabled": "enabled",  # not UF_ACCOUNTDISABLE
    "password_never_expires": "password_never_expires",  # UF_DONT_EXPIRE_PASSWD
    "user_cannot_change_password": "cannot_change_password",  # UF_PASSWD_CANT_CHANGE
}


_KINDS = {COMPUTER: "computer", GMSA: "managed_service_account"}


def domain_user_get(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    """NetUserGetInfo (levels 23 and 10) and NetUserGetGroups, and the directory's tokenGroups,
    adminCount and objectClass; null for NERR_UserNotFound."""
    host = context.host
    user = _user(host, args["name"])
    if user is None:
        return None
    groups = [group.name for group in host.sam.accounts() if group.kind is Kind.GROUP and user.sid in group.members]
    return {
        "name": user.name,
        "sid": user.sid,
        "description": user.description,
        "user_comment": user.user_comment,
        "enabled": user.enabled,
        "password_never_expires": user.password_never_expires,
        "user_cannot_change_password": user.cannot_change_password,
        "groups": groups,
        # objectClass: user, computer or msDS-GroupManagedServiceAccount (the lab has no trusts).
        "kind": _KINDS.get(user.object_class, "user"),
        "group_sids": _token_group_sids(host, user),
        "admin_count": user.admin_count,
    }


def domain_user_add(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    """NetUserAdd (USER_INFO_1): a new domain user's primary group is Domain Users."""
    host = context.host
    require_administrator(host, context.account)
    if host.sam.find(args["name"]) is not None:
        raise WindowsApiError(NERR_USER_EXISTS, args["name"])
    password = context.secret(args["secret"])
    _check_policy(host, password, args["name"])
    user = host.sam.add(
        args["name"],
        Kind.USER,
        password=password,
        description=args.get("description", ""),
        user_comment=args.get("user_comment", ""),
    )
    _set_flags(user, args)
    if host.is_domain_controller:
        domain_users = host.sam.find("Domain Users")
        assert domain_users is not None
        domain_users.members.append(user.sid)


def domain_user_set(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    """NetUserSetInfo levels 1007 (comment) and 1008 (flags), for the fields given."""
    host = context.host
    require_administrator(host, context.account)
    user = _existing_user(host, args["name"])
    if "description" in args:
        user.description = args["description"]
    if "user_comment" in args:
        user.user_comment = args["user_comment"]
    _set_flags(user, args)


def domain_user_set_password(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    """NetUserSetInfo level 1003: an administrator's reset, held to the minimum length and
    complexity but not to the password history."""
    host = context.host
    require_administrator(host, context.account)
    user = _existing_user(host, args["name"])
    password = context.secret(args["secret"])
    _check_policy(host, password, user.name)
    user.password = password


def domain_user_password_matches(context: OpContext, args: t.Mapping[str, t.Any]) -> bool:
    """LogonUser (network logon): false for ERROR_LOGON_FAILURE (no such user, wrong password).
    A disabled account with the right password is refused only after the password was
    accepted, so it counts as matching."""
    user = _user(context.host, args["name"])
    return user is not None and same_secret(user.password, context.secret(args["secret"]))


def domain_user_delete(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    """NetUserDel: the account and its memberships in the domain's groups and aliases go."""
    host = context.host
    require_administrator(host, context.account)
    user = _existing_user(host, args["name"])
    host.sam.remove(user)
    for alias in host.aliases.accounts():
        if user.sid in alias.members:
            alias.members.remove(user.sid)


def domain_group_add_member(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    """NetGroupAddUser."""
    host = context.host
    require_administrator(host, context.account)
    group = host.sam.find(args["group"])
    if group is None or group.kind is not Kind.GROUP:
        raise WindowsApiError(NERR_GROUP_NOT_FOUND, args["group"])
    user = _existing_user(host, args["name"])
    if user.sid in group.members:
        raise WindowsApiError(NERR_USER_IN_GROUP, f"{user.name} in {group.name}")
    group.members.append(user.sid)


def domain_password_policy_get(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """minPwdLength and pwdProperties (DOMAIN_PASSWORD_COMPLEX) of the domain object."""
    policy = context.host.domain.password_policy
    return {"min_length": policy.min_length, "complexity": policy.complexity}


def _user(host: Host, name: str) -> Account | None:
    account = host.sam.find(name)
    return account if account is not None and account.kind is Kind.USER else None


def _existing_user(host: Host, name: str) -> Account:
    user = _user(host, name)
    if user is None:
        raise WindowsApiError(NERR_USER_NOT_FOUND, name)
    return user


def _token_group_sids(host: Host, user: Account) -> list[str]:
    """tokenGroups of a user object, read on a domain controller: its security groups, nested
    ones and the primary group included, and the domain's BUILTIN aliases that hold it or any of
    them (MS-ADA3 2.311 tokenGroups, MS-ADTS 3.1.1.4.5.19). Well-known SIDs (Everyone, Authenticated Users) are not
    memberships of the object, so they are not in it."""
    groups = domain_groups(host, user)
    held = {user.sid, *(group.sid for group in groups)}
    aliases = [alias for alias in host.domain.builtin.accounts() if held.intersection(alias.members)]
    return [group.sid for group in (*groups, *aliases)]


def _check_policy(host: Host, password: str, account_name: str) -> None:
    # The domain's account policy applies to domain accounts and, on members, to local ones.
    if host.domain.password_policy.rejects(password, account_name):
        raise WindowsApiError(NERR_PASSWORD_TOO_SHORT, f"password for {account_name}")


def _set_flags(user: Account, args: t.Mapping[str, t.Any]) -> None:
    for arg, attribute in _FLAGS.items():
        if arg in args:
            setattr(user, attribute, args[arg])


_FLAG_ARGS = tuple(Arg(name, ArgType.BOOL) for name in _FLAGS)

OPS = (
    OpSpec("domain_user_get", write=False, args=(_NAME,), run=domain_user_get),
    OpSpec(
        "domain_user_add",
        write=True,
        args=(_NAME, _SECRET, _DESCRIPTION, _USER_COMMENT, *_FLAG_ARGS),
        run=domain_user_add,
    ),
    OpSpec("domain_user_set", write=True, args=(_NAME, _DESCRIPTION, _USER_COMMENT, *_FLAG_ARGS), run=domain_user_set),
    OpSpec("domain_user_set_password", write=True, args=(_NAME, _SECRET), run=domain_user_set_password),
    OpSpec("domain_user_password_matches", write=False, args=(_NAME, _SECRET), run=domain_user_password_matches),
    OpSpec("domain_user_delete", write=True, args=(_NAME,), run=domain_user_delete),
    OpSpec(
        "domain_group_add_member",
        write=True,
        args=(Arg("group", ArgType.STR, required=True), _NAME),
        run=domain_group_add_member,
    ),
    OpSpec("domain_password_policy_get", write=False, args=(), run=domain_password_policy_get),
)
