"""How a host resolves account names and SIDs, which groups a logon token of an account holds
there, and who may change its accounts and policy.

These are the host's answers, as LSA and SAM give them (LookupAccountName, LookupAccountSid, the
group SIDs of a logon token); the collection draws its own conclusions from what the ops report.
"""

from __future__ import annotations

import typing as t

from .accounts import (
    AUTHENTICATED_USERS,
    BATCH,
    BUILTIN_RIDS,
    BUILTIN_SID,
    EVERYONE,
    INTERACTIVE,
    NETWORK,
    SERVICE,
    WELL_KNOWN,
    Account,
    Kind,
)
from .errors import (
    ERROR_ACCESS_DENIED,
    ERROR_ACCOUNT_DISABLED,
    ERROR_ACCOUNT_LOCKED_OUT,
    ERROR_LOGON_FAILURE,
    ERROR_LOGON_TYPE_NOT_GRANTED,
    ERROR_PASSWORD_EXPIRED,
    ErrorCode,
    WindowsApiError,
)
from .stored_secret import Secret, same_secret

if t.TYPE_CHECKING:
    from .host import Host

BUILTIN_AUTHORITY = "BUILTIN"

# LogonUser's logon types: the right each needs and the SID the logon's token gets for it.
LOGON_INTERACTIVE = ("SeInteractiveLogonRight", INTERACTIVE)
LOGON_BATCH = ("SeBatchLogonRight", BATCH)
LOGON_NETWORK = ("SeNetworkLogonRight", NETWORK)
# LOGON32_LOGON_NETWORK_CLEARTEXT is a network logon that keeps the credentials: the same right,
# the same NETWORK SID ("LogonUserA function", learn.microsoft.com/windows/win32/api/winbase/nf-winbase-logonusera).
LOGON_NETWORK_CLEARTEXT = LOGON_NETWORK
LOGON_SERVICE = ("SeServiceLogonRight", SERVICE)
ADMINISTRATORS_SID = f"{BUILTIN_SID}-{BUILTIN_RIDS['Administrators']}"


def lookup_name(host: Host, name: str) -> Account | None:
    """The principal ``name`` names on ``host``, or None (LookupAccountName: ERROR_NONE_MAPPED).

    ``AUTHORITY\\name`` looks in that authority only: BUILTIN, NT AUTHORITY, the host's own name
    (a member server's SAM) or the domain (NetBIOS or DNS name). ``name@dns.domain`` is a domain
    account. A bare name is looked up as LSA does: well-known names, BUILTIN, the host's own SAM,
    then the domain. The lab has no trusted domains.
    """
    if "\\" in name:
        authority, _, bare = name.partition("\\")
        return _in_authority(host, authority, bare)
    if "@" in name:
        bare, _, suffix = name.rpartition("@")
        return host.domain.accounts.find(bare) if suffix.lower() == host.domain.dns.lower() else None
    for candidate in (_well_known(name), host.aliases.find(name)):
        if candidate is not None:
            return candidate
    if host.local_accounts is not None and (local := host.local_accounts.find(name)) is not None:
        return local
    return host.domain.accounts.find(name)


def lookup_sid(host: Host, sid: str) -> Account | None:
    """The principal with ``sid`` as ``host`` resolves it (LookupAccountSid), or None."""
    for database in (host.aliases, host.local_accounts, host.domain.accounts):
        if database is not None and (account := database.by_sid(sid)) is not None:
            return account
    return next((account for account in WELL_KNOWN if account.sid == sid), None)


def domain_groups(host: Host, account: Account) -> list[Account]:
    """The domain's global groups ``account`` belongs to, directly or through nested groups
    (native-mode domains nest global groups), in the order found."""
    found: list[Account] = []
    pending = [account.sid]
    while pending:
        member = pending.pop(0)
        for group in host.domain.accounts.accounts():
            if group.kind is Kind.GROUP and member in group.members and group not in found:
                found.append(group)
                pending.append(group.sid)
    return found


def token_groups(host: Host, account: Account) -> list[Account]:
    """The group SIDs of a logon token for ``account`` on ``host``, as an S4U logon
    (WindowsIdentity for the account's principal name) builds it: the domain groups the domain
    controller puts in the ticket, Everyone and Authenticated Users, then the host's aliases
    that hold the account or any of those (aliases do not nest in aliases)."""
    groups = [*(domain_groups(host, account) if account.authority != host.name else []), EVERYONE, AUTHENTICATED_USERS]
    held = {account.sid, *(group.sid for group in groups)}
    aliases = [alias for alias in host.aliases.accounts() if held.intersection(alias.members)]
    return groups + aliases


def logon(
    host: Host,
    name: str,
    password: Secret | None,
    logon_type: tuple[str, Account],
    extra_sids: t.Sequence[str] = (),
) -> ErrorCode | None:
    """What LogonUser answers on ``host``: None when the logon succeeds, else its error.

    The password is checked first (an unknown account and a wrong password both give
    ERROR_LOGON_FAILURE); then the account's state (disabled, password expired); then the logon
    right, which any SID of the logon's token may hold: the account's, its groups', and the logon
    type's own (INTERACTIVE, BATCH, NETWORK), and ``extra_sids`` the caller adds to the token (IIS adds
    IIS_IUSRS to a worker's: :mod:`.was`).
    """
    account = lookup_name(host, name)
    if account is not None and account.locked_out:
        # A locked-out account is refused before its password is checked (which is what stops
        # password guessing): "Account Lockout Threshold", learn.microsoft.com/windows/security/threat-protection/security-policy-settings/account-lockout-threshold.
        return ERROR_ACCOUNT_LOCKED_OUT
    if account is None or account.kind is not Kind.USER or not same_secret(account.password, password):
        return ERROR_LOGON_FAILURE
    if not account.enabled:
        return ERROR_ACCOUNT_DISABLED
    if account.password_expired:
        # The right password of an expired account: LogonUser refuses it, which is how a shared
        # configuration's reader stops reading ("Shared configuration and password expiration",
        # blogs.iis.net/wonyoo/shared-configuration-and-password-expiration).
        return ERROR_PASSWORD_EXPIRED
    right, logon_sid = logon_type
    sids = {account.sid, logon_sid.sid, *extra_sids, *(group.sid for group in token_groups(host, account))}
    if not sids.intersection(host.rights.get(right, [])):
        return ERROR_LOGON_TYPE_NOT_GRANTED
    return None


def is_administrator(host: Host, account: Account) -> bool:
    """Whether ``account`` is an administrator of ``host``: in its BUILTIN\\Administrators alias,
    directly or through a group."""
    return any(group.sid == ADMINISTRATORS_SID for group in token_groups(host, account))


def require_administrator(host: Host, account_name: str) -> None:
    """Fail with ERROR_ACCESS_DENIED unless ``account_name``, the account the module runs as, is
    an administrator of ``host``. NetUserAdd, NetLocalGroupAddMembers and LsaAddAccountRights
    need one (Account Operators could create users too; the lab gives that group no members)."""
    account = lookup_name(host, account_name)
    if account is None or not is_administrator(host, account):
        raise WindowsApiError(ERROR_ACCESS_DENIED, f"{account_name} is not an administrator of {host.name}")


def _in_authority(host: Host, authority: str, name: str) -> Account | None:
    if authority.upper() == BUILTIN_AUTHORITY:
        return host.aliases.find(name)
    if authority.upper() == "NT AUTHORITY":
        return _well_known(name)
    if host.local_accounts is not None and authority.upper() == host.name:
        return host.local_accounts.find(name)
    if host.domain.names(authority):
        return host.domain.accounts.find(name)
    return None


def _well_known(name: str) -> Account | None:
    return next((account for account in WELL_KNOWN if account.name.lower() == name.lower()), None)
