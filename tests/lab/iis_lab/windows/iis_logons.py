"""The logons IIS makes with the identities it is given: the anonymous user of a request, and
the identity of an out-of-process application's COM+ package.

With AnonymousPasswordSync True (IIS 5 only: IIS 6 does not register the sub-authenticator),
IIS logs the anonymous user on through its sub-authenticator, which knows the passwords of this
host's own accounts only; otherwise it calls LogonUser with the stored password and the logon type
LogonMethod names (Q218756), so the account needs the matching right: 0 interactive "Log on
locally", 1 batch, 2 and 3 network. LogonMethod's default is 0 on IIS 5.0 and 3 on IIS 6.0
(metabase property reference); the FTP service logs users on interactively. A COM+ server
application logs its identity on as a batch job, so that account needs "Log on as a batch job"
on every host the application runs on.

User rights are the host's LSA policy, not COM+ configuration: COMREPL, which IISSync uses for
the COM+ applications, replicates "only COM+ configuration data", and the system applications
(IIS's pooled package among them) not at all ("The COMREPL Replication Utility", "What Gets
Replicated", COM+ SDK). So a replicated application runs on the target as the source's identity
without the target granting that account anything, and the target's pooled package keeps the
identity IIS setup gave it there.
"""

from __future__ import annotations

import dataclasses
import typing as t

from .accounts import Account
from .complus import Application
from .errors import (
    CO_E_RUNAS_LOGON_FAILURE,
    ERROR_ACCOUNT_DISABLED,
    ERROR_LOGON_FAILURE,
    MD_ERROR_DATA_NOT_FOUND,
    ErrorCode,
    WindowsApiError,
    hresult_from_win32,
)
from .host import WINDOWS_2003, Host
from .metabase import Metabase, MetabaseKey
from .metabase_schema import IIS_FTP_SERVER, IIS_WEB_DIRECTORY, IIS_WEB_VIRTUAL_DIR
from .security import LOGON_BATCH, LOGON_INTERACTIVE, LOGON_NETWORK, logon, lookup_name
from .stored_secret import Secret, StoredSecret, same_secret

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
    own_authority: str

    @property
    def why_not(self) -> str | None:
        """Why an anonymous request does not log on, or None when it does. With password sync
        IIS's sub-authenticator logs the user on without the stored password, for the enabled
        accounts of this host's own database only (``own_authority``: the domain's on a domain
        controller, which has no other)."""
        if not self.password_sync:
            return None if self.error is None else str(self.error)
        if self.account is None or self.account.authority != self.own_authority:
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


@dataclasses.dataclass(frozen=True)
class AnonymousIdentity:
    """The anonymous identity in effect at a key, ``path``: what IIS logs on with there."""

    path: str
    user: str | None
    password: Secret | None
    password_sync: bool
    logon_method: int

    def same_logon(self, other: AnonymousIdentity) -> bool:
        """Whether IIS makes the same logon at both keys: the same user (names ignore case), the
        same stored password (compared on the host), LogonMethod and password sync."""
        mine = ((self.user or "").lower(), self.password_sync, self.logon_method)
        if mine != ((other.user or "").lower(), other.password_sync, other.logon_method):
            return False
        if self.password is None or other.password is None:
            return self.password is other.password
        return same_secret(self.password, other.password)


def anonymous_identity(
    host: Host, metabase: Metabase, path: str, candidate: tuple[str, str] | None = None
) -> AnonymousIdentity:
    """The anonymous identity of a request to the key at ``path``; with ``candidate`` (a user
    and password), the one it would have once they are stored there with AnonymousPasswordSync
    False."""
    key = metabase.key(path)
    if candidate is None:
        user = _effective(metabase, path, "AnonymousUserName")
        password = _effective(metabase, path, "AnonymousUserPass")
        # Schema default of AnonymousPasswordSync is True; IIS 6 never syncs.
        sync = bool(_effective(metabase, path, "AnonymousPasswordSync", True)) and host.os is not WINDOWS_2003
    else:
        (user, password), sync = candidate, False
    if key.metabase_path.upper().startswith("/LM/MSFTPSVC"):
        method = 0
    else:
        method = int(_effective(metabase, path, "LogonMethod", 3 if host.os is WINDOWS_2003 else 0))
    name = user if isinstance(user, str) else ""
    secret = password if isinstance(password, (str, StoredSecret)) else None
    return AnonymousIdentity(key.adsi_path, name or None, secret, sync, method)


def identity_anonymous_logon(host: Host, identity: AnonymousIdentity) -> AnonymousLogon:
    """The logon IIS makes for ``identity``: LogonUser with its stored password and the logon
    type of its LogonMethod."""
    name = identity.user or ""
    error = logon(host, name, identity.password, LOGON_TYPES.get(identity.logon_method, LOGON_NETWORK))
    own_authority = host.domain.netbios if host.is_domain_controller else host.name
    return AnonymousLogon(
        identity.path,
        identity.user,
        lookup_name(host, name),
        identity.password_sync,
        identity.logon_method,
        error,
        own_authority,
    )


def anonymous_logon(
    host: Host, metabase: Metabase, path: str, candidate: tuple[str, str] | None = None
) -> AnonymousLogon:
    """The logon IIS makes for an anonymous request to the key at ``path``; with ``candidate``
    (a user and password), the one it would make once they are stored there with
    AnonymousPasswordSync False."""
    return identity_anonymous_logon(host, anonymous_identity(host, metabase, path, candidate))


def identity_logon(host: Host, application: Application) -> ErrorCode | None:
    """Whether a COM+ server application's identity logs on (as a batch job): None when it does,
    or when the application has no identity of its own."""
    if not application.server or application.password is None:
        return None
    return logon(host, application.identity, application.password, LOGON_BATCH)


def application_start(host: Host, application: Application) -> ErrorCode | None:
    """What ICOMAdminCatalog.StartApplication answers for a server application that is not
    running: COM logs its identity on with the password the catalog holds before the process
    starts. A wrong account or password is CO_E_RUNAS_LOGON_FAILURE, any other logon error its
    HRESULT_FROM_WIN32 (0x80070569 for a missing "Log on as a batch job") *(the codes are
    inferred from what Component Services shows when starting such an application)*."""
    error = identity_logon(host, application)
    if error is None:
        return None
    return CO_E_RUNAS_LOGON_FAILURE if error is ERROR_LOGON_FAILURE else hresult_from_win32(error)


# The keys a request or an FTP logon reaches, whose anonymous logon IIS makes.
_REQUEST_KEY_TYPES = (IIS_WEB_VIRTUAL_DIR, IIS_WEB_DIRECTORY, IIS_FTP_SERVER)


def request_keys(metabase: Metabase) -> list[MetabaseKey]:
    """Every content key of a web site and every FTP site: where IIS logs an anonymous user on."""
    return [key for key in metabase.keys() if key.key_type in _REQUEST_KEY_TYPES]


def _effective(metabase: Metabase, path: str, name: str, default: t.Any = None) -> t.Any:
    try:
        return metabase.read(path, name).value
    except WindowsApiError as error:
        if error.error is not MD_ERROR_DATA_NOT_FOUND:
            raise
        return default
