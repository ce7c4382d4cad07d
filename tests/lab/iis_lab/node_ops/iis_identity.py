"""The IIS identity ops: whether an account and password log on, whether an anonymous request
logs on, whether every identity IIS uses on the host logs on, and the identity of a COM+
application (COMAdmin.COMAdminCatalog; ``complus_catalog`` reads the identities)."""

from __future__ import annotations

import typing as t

from ..windows.account_setup import BATCH_LOGON
from ..windows.complus import IIS_POOLED_APPLICATION_ID
from ..windows.errors import (
    COMADMIN_E_OBJECT_DOES_NOT_EXIST,
    COMADMIN_E_USERPASSWDNOTVALID,
    INVALID_PARAMETER,
    ErrorCode,
    ObjectErrors,
    WindowsApiError,
)
from ..windows.iis_logons import anonymous_logon, application_start, request_keys
from ..windows.security import (
    LOGON_BATCH,
    LOGON_INTERACTIVE,
    LOGON_NETWORK,
    LOGON_NETWORK_CLEARTEXT,
    LOGON_SERVICE,
    logon,
    lookup_name,
    require_administrator,
)
from ..windows.stored_secret import same_secret
from ..windows.was import record_failed_logon
from .spec import Arg, ArgType, OpContext, OpSpec


def anonymous_logon_check(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The anonymous user, password sync and LogonMethod in effect at ``path``, whether the user
    exists (LookupAccountName), and what LogonUser answers for it with the stored password; with
    ``user`` and ``secret``, for that user and password instead, as IIS would log them on once
    stored there (password sync off): the proof made before they are written."""
    host = context.host
    if ("user" in args) != ("secret" in args):
        raise WindowsApiError(INVALID_PARAMETER, "user and secret go together")
    candidate = (args["user"], context.secret(args["secret"])) if "user" in args else None
    return anonymous_logon(host, host.open_metabase(), args["path"], candidate).as_json()


_LOGON_TYPES = {
    "interactive": LOGON_INTERACTIVE,
    "batch": LOGON_BATCH,
    "network": LOGON_NETWORK,
    "network_cleartext": LOGON_NETWORK_CLEARTEXT,
    "service": LOGON_SERVICE,
}
_APP_ISOLATED = 1


def account_logon_check(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    """LogonUser for ``name`` with the secret and the logon type: None when it succeeds, else
    its error. The password is proven here before anything stores it."""
    logon_type = _LOGON_TYPES.get(args["logon_type"])
    if logon_type is None:
        raise WindowsApiError(INVALID_PARAMETER, f"logon_type {args['logon_type']!r}")
    error = logon(context.host, args["name"], context.secret(args["secret"]), logon_type)
    if error is not None:
        # A failed LogonUser is a failed logon like any other (Security event 4625; a wrong
        # password counts toward the domain's lockout threshold). The lab records them on IIS 7+ nodes.
        record_failed_logon(context.host, args["name"])
    return _error_json(error)


def iis_identities_check(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Whether every identity IIS uses on the host logs on: the anonymous logon of every key a
    request reaches (as ``anonymous_logon_check``), and StartApplication's answer for the COM+
    package of every out-of-process application (the pooled package and the package of every
    isolated application), with the metabase's WAMUserName they should run as."""
    host = context.host
    metabase = host.open_metabase()
    catalog = host.complus.open()
    packages = [IIS_POOLED_APPLICATION_ID] + [
        str(key.values["AppPackageID"])
        for key in metabase.keys("W3SVC")
        if key.values.get("AppIsolated") == _APP_ISOLATED and key.values.get("AppPackageID")
    ]
    applications = [application for package in packages if (application := catalog.find(package)) is not None]
    return {
        "wam_user": metabase.read("W3SVC", "WAMUserName").value,
        "anonymous": [anonymous_logon(host, metabase, key.adsi_path).as_json() for key in request_keys(metabase)],
        "applications": [
            {
                "id": application.id,
                "name": application.name,
                "identity": application.identity,
                "start_error": _error_json(application_start(host, application)),
            }
            for application in applications
        ],
    }


def _error_json(error: ErrorCode | None) -> dict[str, t.Any] | None:
    return None if error is None else {"code": error.code, "message": error.message}


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


_SECRET = Arg("secret", ArgType.SECRET, required=True)

OPS = (
    OpSpec(
        "account_logon_check",
        write=False,
        args=(Arg("name", ArgType.STR, required=True), _SECRET, Arg("logon_type", ArgType.STR, required=True)),
        run=account_logon_check,
    ),
    OpSpec("iis_identities_check", write=False, args=(), run=iis_identities_check),
    OpSpec(
        "anonymous_logon_check",
        write=False,
        args=(Arg("path", ArgType.STR, required=True), Arg("user", ArgType.STR), Arg("secret", ArgType.SECRET)),
        run=anonymous_logon_check,
    ),
    OpSpec(
        "comadmin_application_set_identity",
        write=True,
        args=(Arg("id", ArgType.STR, required=True), Arg("identity", ArgType.STR, required=True), _SECRET),
        run=comadmin_application_set_identity,
    ),
)
