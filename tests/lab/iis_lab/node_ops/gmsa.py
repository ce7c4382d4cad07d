"""Group managed service accounts: on a node, whether it may retrieve a gMSA's password
(Test-ADServiceAccount); on a domain controller, the KDS root key and the gMSAs
(Get-KdsRootKey, Get-/New-/Set-ADServiceAccount,
learn.microsoft.com/windows-server/security/group-managed-service-accounts/getting-started-with-group-managed-service-accounts).
"""

from __future__ import annotations

import re
import secrets
import typing as t

from ..windows.accounts import GMSA, Account, Kind
from ..windows.errors import (
    DS_NO_SUCH_OBJECT,
    ERROR_ACCESS_DENIED,
    ERROR_NONE_MAPPED,
    ERROR_NO_SUCH_USER,
    INVALID_PARAMETER,
    NTE_NO_KEY,
    OBJECT_ALREADY_EXISTS,
    WindowsApiError,
)
from ..windows.security import lookup_name, lookup_sid, require_administrator
from ..windows.was import can_retrieve
from .spec import Arg, ArgType, OpContext, OpSpec

_NAME = Arg("name", ArgType.STR, required=True)
_PRINCIPALS = Arg("principals", ArgType.STR_LIST, required=True)


# A gMSA's name: what New-ADServiceAccount accepts before it appends the "$".
_GMSA_NAME = re.compile(r"^[A-Za-z0-9_-]{1,15}\$?$")


def _sam_name(name: str) -> str:
    bare = name.rpartition("\\")[2]
    if not _GMSA_NAME.match(bare):
        raise WindowsApiError(INVALID_PARAMETER, "a gMSA name is 1-15 letters, digits, - or _")
    return bare if bare.endswith("$") else f"{bare}$"


def _gmsa(context: OpContext, name: str) -> Account | None:
    account = context.host.domain.accounts.find(_sam_name(name))
    return account if account is not None and account.object_class == GMSA else None


def gmsa_check(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Whether the gMSA exists and this computer may retrieve its password (NetQueryServiceAccount's
    MSA_INFO_STATE): Windows' reason when it may not, ERROR_NO_SUCH_USER for an account that is
    no gMSA (MsaInfoNotExist), ERROR_ACCESS_DENIED when this computer is not among its
    PrincipalsAllowedToRetrieveManagedPassword (MsaInfoCannotInstall)."""
    account = _gmsa(context, args["name"])
    if account is None:
        return {"exists": False, "can_retrieve": False, "error": _json(ERROR_NO_SUCH_USER)}
    allowed = can_retrieve(context.host, account)
    return {"exists": True, "can_retrieve": allowed, "error": None if allowed else _json(ERROR_ACCESS_DENIED)}


def kds_root_key_get(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    key = context.host.domain.kds_root_key
    return {"exists": key is not None, "usable": key == "usable"}


def gmsa_get(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    account = _gmsa(context, args["name"])
    if account is None:
        return None
    host = context.host
    principals = []
    for sid in account.managed_principals:
        found = lookup_sid(host, sid)
        principals.append(
            {"sid": sid, "name": found.qualified_name, "kind": found.kind.value}
            if found
            else {"sid": sid, "name": sid, "kind": "unknown"}
        )
    return {
        "name": account.name.rstrip("$"),
        "sid": account.sid,
        "dns_host_name": account.dns_host_name,
        "enabled": account.enabled,
        "principals": principals,
    }


def gmsa_add(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    """New-ADServiceAccount: needs a usable KDS root key (NTE_NO_KEY, "Key does not exist");
    an existing name fails as the directory does (ERROR_OBJECT_ALREADY_EXISTS)."""
    host = context.host
    require_administrator(host, context.account)
    if host.domain.kds_root_key != "usable":
        raise WindowsApiError(NTE_NO_KEY, "no usable KDS root key")
    sids = _principal_sids(context, args["principals"])
    name = _sam_name(args["name"])
    if host.domain.accounts.find(name) is not None:
        raise WindowsApiError(OBJECT_ALREADY_EXISTS, name)
    host.domain.accounts.add(
        name,
        Kind.USER,
        # The managed password: 256 random bytes the KDS derives; no one is ever told it.
        password=secrets.token_urlsafe(96),
        password_never_expires=True,
        object_class=GMSA,
        managed_principals=sids,
        dns_host_name=args["dns_host_name"],
    )


def gmsa_set_principals(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    require_administrator(context.host, context.account)
    account = _gmsa(context, args["name"])
    if account is None:
        raise WindowsApiError(DS_NO_SUCH_OBJECT, args["name"])
    account.managed_principals = _principal_sids(context, args["principals"])


def _principal_sids(context: OpContext, principals: t.Sequence[str]) -> list[str]:
    """Each principal (a SID, or the name of a computer or group) as a SID; an unknown one fails
    as LookupAccountName does (ERROR_NONE_MAPPED)."""
    sids = []
    for principal in principals:
        account = (
            lookup_sid(context.host, principal)
            if principal.startswith("S-1-")
            else lookup_name(context.host, principal)
        )
        if account is None:
            raise WindowsApiError(ERROR_NONE_MAPPED, principal)
        if account.sid not in sids:
            sids.append(account.sid)
    return sids


def _json(error: t.Any) -> dict[str, t.Any]:
    return {"code": error.code, "message": error.message}


OPS = (
    OpSpec("gmsa_check", write=False, args=(_NAME,), run=gmsa_check),
    OpSpec("kds_root_key_get", write=False, args=(), run=kds_root_key_get),
    OpSpec("gmsa_get", write=False, args=(_NAME,), run=gmsa_get),
    OpSpec(
        "gmsa_add",
        write=True,
        args=(_NAME, Arg("dns_host_name", ArgType.STR, required=True), _PRINCIPALS),
        run=gmsa_add,
    ),
    OpSpec("gmsa_set_principals", write=True, args=(_NAME, _PRINCIPALS), run=gmsa_set_principals),
)
