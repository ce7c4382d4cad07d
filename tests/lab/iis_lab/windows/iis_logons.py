"""The logons IIS makes with the identities it is given: the anonymous user of a request, and
the identity of an out-of-process application's COM+ package.

With AnonymousPasswordSync True (IIS 5 only: IIS 6 does not register the sub-authenticator),
IIS logs the anonymous user on through its sub-authenticator, which knows the passwords of this
host's own accounts only; otherwise it calls LogonUser with the stored password and the logon type
LogonMethod names (Q218756), so the account needs the matching right: 0 interactive "Log on
locally", 1 batch, 2 and 3 network. LogonMethod's default is 0 on IIS 5.0 and 3 on IIS 6.0
(metabase property reference); the FTP service logs users on interactively. A COM+ server
application logs its identity on as a batch job.
"""

from __future__ import annotations

import dataclasses
import typing as t

from .accounts import Account
from .complus import Application
from .errors import ERROR_ACCOUNT_DISABLED, MD_ERROR_DATA_NOT_FOUND, ErrorCode, WindowsApiError
from .host import WINDOWS_2003, Host
from .metabase import Metabase
from .security import LOGON_BATCH, LOGON_INTERACTIVE, LOGON_NETWORK, logon, lookup_name
from .stored_secret import StoredSecret

LOGON_TYPES = {0: LOGON_INTERACTIVE, 1: LOGON_BATCH, 2: LOGON_NETWORK, 3: LOGON_NETWORK}


@dataclasses.dataclass(frozen=True)
class AnonymousLogon:
    """The anonymous identity in effect at ``path``, and LogonUser's answer for it with the
    stored password and LogonMethod's logon type (``error``, None when the logon succeeds)."""

    path: str
    user: str | None
    account: Account | None
    password_sync: bool
    logon_method: int
    error: ErrorCode | None
    host_name: str

    @property
    def why_not(self) -> str | None:
        """Why an anonymous request does not log on, or None when it does. With password sync
        IIS's sub-authenticator logs the user on without the stored password, for this host's
        own enabled accounts only."""
        if not self.password_sync:
            return None if self.error is None else str(self.error)
        if self.account is None or self.account.authority != self.host_name:
            return "AnonymousPasswordSync is True and the user is not an account of this host"
        return None if self.account.enabled else str(ERROR_ACCOUNT_DISABLED)

    def as_json(self) -> dict[str, t.Any]:
        """The ``anonymous_logon_check`` value."""
        return {
            "path": self.path,
            "user": self.user,
            "account": None if self.account is None else self.account.qualified_name,
            "password_sync": self.password_sync,
            "logon_method": self.logon_method,
            "exists": self.account is not None,
            "logon_error": None if self.error is None else {"code": self.error.code, "message": self.error.message},
        }


def anonymous_logon(host: Host, metabase: Metabase, path: str) -> AnonymousLogon:
    """The logon IIS makes for an anonymous request to the key at ``path``."""
    key = metabase.key(path)
    user = _effective(metabase, path, "AnonymousUserName")
    password = _effective(metabase, path, "AnonymousUserPass")
    # Schema default of AnonymousPasswordSync is True; IIS 6 never syncs.
    sync = bool(_effective(metabase, path, "AnonymousPasswordSync", True)) and host.os is not WINDOWS_2003
    if key.metabase_path.upper().startswith("/LM/MSFTPSVC"):
        method = 0
    else:
        method = int(_effective(metabase, path, "LogonMethod", 3 if host.os is WINDOWS_2003 else 0))
    name = user if isinstance(user, str) else ""
    secret = password if isinstance(password, (str, StoredSecret)) else None
    error = logon(host, name, secret, LOGON_TYPES.get(method, LOGON_NETWORK))
    return AnonymousLogon(key.adsi_path, name or None, lookup_name(host, name), sync, method, error, host.name)


def identity_logon(host: Host, application: Application) -> ErrorCode | None:
    """Whether a COM+ server application's identity logs on (as a batch job): None when it does,
    or when the application has no identity of its own."""
    if not application.server or application.password is None:
        return None
    return logon(host, application.identity, application.password, LOGON_BATCH)


def _effective(metabase: Metabase, path: str, name: str, default: t.Any = None) -> t.Any:
    try:
        return metabase.read(path, name).value
    except WindowsApiError as error:
        if error.error is not MD_ERROR_DATA_NOT_FOUND:
            raise
        return default
