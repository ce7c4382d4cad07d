"""The accounts, groups and user rights that Windows setup, dcpromo and IIS setup leave.

Sources: "Default User Accounts and Groups" (Windows 2000 Server), "Local and Domain Default
Groups" and the "Logon rights" table of the Windows Server 2003 documentation (default holders of
"Log on locally" and "Access this computer from the network" on member servers and on domain
controllers), and KB Q249603 itself: "By default, Domain Users will be a member of the local
Users group and local Users group is granted the 'Log on Locally' right."

Where Windows 2000 and 2003 differ, the host's release decides (IIS 5.0 runs on Windows 2000,
IIS 6.0 on Windows Server 2003).
"""

from __future__ import annotations

import typing as t

from .accounts import (
    AUTHENTICATED_USERS,
    BUILTIN_RIDS,
    BUILTIN_SID,
    DEFAULT_PASSWORD_POLICIES,
    ENTERPRISE_DOMAIN_CONTROLLERS,
    EVERYONE,
    INTERACTIVE,
    RID_ADMINISTRATOR,
    RID_DOMAIN_ADMINS,
    RID_DOMAIN_COMPUTERS,
    RID_DOMAIN_CONTROLLERS,
    RID_DOMAIN_GUESTS,
    RID_DOMAIN_USERS,
    RID_ENTERPRISE_ADMINS,
    RID_GROUP_POLICY_CREATOR_OWNERS,
    RID_GUEST,
    RID_KRBTGT,
    RID_SCHEMA_ADMINS,
    Account,
    AccountDatabase,
    Kind,
    PasswordPolicy,
    machine_sid,
)
from .domain import Domain
from .host import WINDOWS_2000, Host, OsRelease
from .metabase import Metabase
from .security import BUILTIN_AUTHORITY

INTERACTIVE_LOGON = "SeInteractiveLogonRight"
NETWORK_LOGON = "SeNetworkLogonRight"
BATCH_LOGON = "SeBatchLogonRight"
SERVICE_LOGON = "SeServiceLogonRight"
# The user rights (logon rights and privileges) LSA knows on both releases. Another name fails
# with ERROR_NO_SUCH_PRIVILEGE; "Allow log on through Terminal Services"
# (SeRemoteInteractiveLogonRight) first exists in Windows Server 2003.
USER_RIGHTS_2000 = frozenset(
    {
        INTERACTIVE_LOGON,
        NETWORK_LOGON,
        BATCH_LOGON,
        SERVICE_LOGON,
        "SeDenyInteractiveLogonRight",
        "SeDenyNetworkLogonRight",
        "SeDenyBatchLogonRight",
        "SeDenyServiceLogonRight",
        "SeTcbPrivilege",
        "SeBackupPrivilege",
        "SeRestorePrivilege",
        "SeShutdownPrivilege",
        "SeAssignPrimaryTokenPrivilege",
        "SeIncreaseQuotaPrivilege",
    }
)
USER_RIGHTS_2003 = USER_RIGHTS_2000 | {"SeRemoteInteractiveLogonRight", "SeDenyRemoteInteractiveLogonRight"}

_IUSR_DESCRIPTION = "Built-in account for anonymous access to Internet Information Services"
_IWAM_DESCRIPTION = "Built-in account for Internet Information Services to start out of process applications"


def create_domain(
    netbios: str, dns: str, admin_user: str, admin_password: str, release: OsRelease, policy: PasswordPolicy | None
) -> Domain:
    """The domain as dcpromo creates it on its first controller, which runs ``release``.

    ``policy`` overrides the Default Domain Policy's password settings of that release.
    """
    sid = machine_sid(dns)
    accounts = AccountDatabase(netbios, sid)
    # SDProp marks the members of protected groups (Administrator, krbtgt) with adminCount=1.
    admin = accounts.add(
        admin_user, Kind.USER, RID_ADMINISTRATOR, password=admin_password, password_never_expires=True, admin_count=True
    )
    guest = accounts.add("Guest", Kind.USER, RID_GUEST, enabled=False)
    krbtgt = accounts.add("krbtgt", Kind.USER, RID_KRBTGT, enabled=False, admin_count=True)
    domain_admins = _group(accounts, "Domain Admins", RID_DOMAIN_ADMINS, admin)
    # Every new user's primary group is Domain Users (primaryGroupID 513).
    _group(accounts, "Domain Users", RID_DOMAIN_USERS, admin, krbtgt)
    domain_guests = _group(accounts, "Domain Guests", RID_DOMAIN_GUESTS, guest)
    _group(accounts, "Domain Computers", RID_DOMAIN_COMPUTERS)
    _group(accounts, "Domain Controllers", RID_DOMAIN_CONTROLLERS)
    _group(accounts, "Schema Admins", RID_SCHEMA_ADMINS, admin)
    enterprise_admins = _group(accounts, "Enterprise Admins", RID_ENTERPRISE_ADMINS, admin)
    _group(accounts, "Group Policy Creator Owners", RID_GROUP_POLICY_CREATOR_OWNERS, admin)

    builtin = _builtin_aliases()
    _members(builtin, "Administrators", admin, domain_admins, enterprise_admins)
    _members(builtin, "Users", _domain_users(accounts), INTERACTIVE, AUTHENTICATED_USERS)
    _members(builtin, "Guests", guest, domain_guests)
    # Windows 2000 lets Everyone read account data (pre-Windows 2000 permissions); Windows Server
    # 2003 offers only Authenticated Users at dcpromo.
    _members(builtin, "Pre-Windows 2000 Compatible Access", AUTHENTICATED_USERS if release is not WINDOWS_2000 else EVERYONE)
    return Domain(
        netbios,
        dns,
        admin_user,
        admin_password,
        sid=sid,
        password_policy=policy or DEFAULT_PASSWORD_POLICIES["2000" if release is WINDOWS_2000 else "2003"],
        accounts=accounts,
        builtin=builtin,
    )


def install_member_server_accounts(host: Host) -> None:
    """A member server's own SAM and BUILTIN aliases, and the domain groups the domain join adds
    to them (Domain Admins to Administrators, Domain Users to Users, Domain Guests to Guests)."""
    local = AccountDatabase(host.name, machine_sid(host.name))
    admin = local.add("Administrator", Kind.USER, RID_ADMINISTRATOR, password_never_expires=True)
    guest = local.add("Guest", Kind.USER, RID_GUEST, enabled=False)
    builtin = _builtin_aliases()
    domain = host.domain.accounts
    _members(builtin, "Administrators", admin, _find(domain, "Domain Admins"))
    _members(builtin, "Users", INTERACTIVE, AUTHENTICATED_USERS, _domain_users(domain))
    _members(builtin, "Guests", guest, _find(domain, "Domain Guests"))
    host.local_accounts = local
    host.local_builtin = builtin


def grant_default_rights(host: Host) -> None:
    """The logon rights Windows gives by default: on a member server its local security policy,
    on a domain controller the Default Domain Controllers Policy (which gives "Log on locally"
    to operators and administrators only, not to Users)."""
    aliases = host.aliases
    alias = {name: aliases.find(name) for name in BUILTIN_RIDS}
    if host.is_domain_controller:
        interactive = [alias[name] for name in ("Account Operators", "Administrators", "Backup Operators")]
        interactive += [alias["Print Operators"], alias["Server Operators"]]
        network = [EVERYONE, alias["Administrators"], AUTHENTICATED_USERS]
        if host.os is not WINDOWS_2000:
            network += [ENTERPRISE_DOMAIN_CONTROLLERS, alias["Pre-Windows 2000 Compatible Access"]]
    else:
        assert host.local_accounts is not None
        guest = host.local_accounts.find("Guest")
        common = [alias[name] for name in ("Administrators", "Backup Operators", "Power Users", "Users")]
        interactive = [*common, guest]
        network = [EVERYONE, *common]
    host.rights = {
        INTERACTIVE_LOGON: _sids(interactive),
        NETWORK_LOGON: _sids(network),
        BATCH_LOGON: [],
        SERVICE_LOGON: [],
    }


def install_iis_accounts(host: Host, metabase: Metabase) -> None:
    """The IUSR_<host> and IWAM_<host> accounts IIS setup creates, with the passwords it stored in
    the metabase: local accounts on a member server, domain accounts on a domain controller
    (which has no SAM of its own). Both join Guests; both get "Access this computer from the
    network" and "Log on as a batch job", and on IIS 5.0, whose anonymous logons are
    interactive (LogonMethod 0 by default), IUSR also gets "Log on locally". (The rights IIS setup
    grants are inferred from the logon types IIS 5.0 and 6.0 use by default.)"""
    iusr_name = t.cast(str, metabase.read("W3SVC", "AnonymousUserName").value)
    iwam_name = t.cast(str, metabase.read("W3SVC", "WAMUserName").value)
    passwords = (metabase.read("W3SVC", "AnonymousUserPass").value, metabase.read("W3SVC", "WAMUserPass").value)
    created = []
    for name, password, description in zip((iusr_name, iwam_name), passwords, (_IUSR_DESCRIPTION, _IWAM_DESCRIPTION)):
        account = host.sam.add(
            name,
            Kind.USER,
            password=t.cast(str, password),
            password_never_expires=True,
            cannot_change_password=True,
            description=description,
        )
        if host.is_domain_controller:
            _find(host.domain.accounts, "Domain Users").members.append(account.sid)
        _find(host.aliases, "Guests").members.append(account.sid)
        created.append(account)
    iusr, iwam = created
    for account in created:
        host.rights[NETWORK_LOGON].append(account.sid)
        host.rights[BATCH_LOGON].append(account.sid)
    if host.os is WINDOWS_2000:
        host.rights[INTERACTIVE_LOGON].append(iusr.sid)


def user_rights(release: OsRelease) -> frozenset[str]:
    """The user right names LSA knows on ``release``."""
    return USER_RIGHTS_2000 if release is WINDOWS_2000 else USER_RIGHTS_2003


def _builtin_aliases() -> AccountDatabase:
    builtin = AccountDatabase(BUILTIN_AUTHORITY, BUILTIN_SID)
    for name, rid in BUILTIN_RIDS.items():
        builtin.add(name, Kind.ALIAS, rid)
    return builtin


def _group(accounts: AccountDatabase, name: str, rid: int, *members: Account) -> Account:
    return accounts.add(name, Kind.GROUP, rid, members=[member.sid for member in members])


def _members(database: AccountDatabase, name: str, *members: Account) -> None:
    _find(database, name).members.extend(member.sid for member in members)


def _find(database: AccountDatabase, name: str) -> Account:
    account = database.find(name)
    assert account is not None, f"{name} is created with the database"
    return account


def _domain_users(accounts: AccountDatabase) -> Account:
    return _find(accounts, "Domain Users")


def _sids(accounts: t.Iterable[Account | None]) -> list[str]:
    return [account.sid for account in accounts if account is not None]
