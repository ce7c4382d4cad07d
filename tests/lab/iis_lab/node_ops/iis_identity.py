"""The IIS identity ops: whether an anonymous request logs on, and the identity of a COM+
application (COMAdmin.COMAdminCatalog; ``complus_catalog`` reads the identities)."""

from __future__ import annotations

import typing as t

from ..windows.account_setup import BATCH_LOGON
from ..windows.errors import (
    COMADMIN_E_OBJECT_DOES_NOT_EXIST,
    COMADMIN_E_USERPASSWDNOTVALID,
    ObjectErrors,
    WindowsApiError,
)
from ..windows.iis_logons import anonymous_logon
from ..windows.security import lookup_name, require_administrator
from ..windows.stored_secret import same_secret
from .spec import Arg, ArgType, OpContext, OpSpec


def anonymous_logon_check(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The anonymous user, password sync and LogonMethod in effect at ``path``, whether the user
    exists (LookupAccountName), and what LogonUser answers for it with the stored password."""
    host = context.host
    return anonymous_logon(host, host.open_metabase(), args["path"]).as_json()


def comadmin_application_set_identity(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    """Identity and Password of one application, then SaveChanges, which fails as Windows does
    (COMADMIN_E_OBJECTERRORS); the op then reports the object's own code from ErrorInfo, as
    node_ops.ps1 does."""
    try:
        _save_identity(context, args)
    except ObjectErrors as failure:
        _key, error = failure.error_info[0]
        raise WindowsApiError(error, failure.detail) from failure


def _save_identity(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    """COM+ checks the account and password when it saves them: a wrong pair fails SaveChanges
    with COMADMIN_E_OBJECTERRORS and COMADMIN_E_USERPASSWDNOTVALID for the application in ErrorInfo.
    It grants the account "Log on as a batch job", the logon its server process makes (inferred
    from Component Services)."""
    host = context.host
    require_administrator(host, context.account)
    application = host.complus.open().find(args["id"])
    if application is None:
        raise WindowsApiError(COMADMIN_E_OBJECT_DOES_NOT_EXIST, args["id"])
    password = context.secret(args["secret"])
    account = lookup_name(host, args["identity"])
    if account is None or not same_secret(account.password, password):
        raise ObjectErrors([(application.id, COMADMIN_E_USERPASSWDNOTVALID)])
    application.identity = args["identity"]
    application.password = password
    holders = host.rights.setdefault(BATCH_LOGON, [])
    if account.sid not in holders:
        holders.append(account.sid)


OPS = (
    OpSpec("anonymous_logon_check", write=False, args=(Arg("path", ArgType.STR, required=True),), run=anonymous_logon_check),
    OpSpec(
        "comadmin_application_set_identity",
        write=True,
        args=(
            Arg("id", ArgType.STR, required=True),
            Arg("identity", ArgType.STR, required=True),
            Arg("secret", ArgType.SECRET, required=True),
        ),
        run=comadmin_application_set_identity,
    ),
)
