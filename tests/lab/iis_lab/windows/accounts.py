"""Security principals and the account databases (SAMs) that hold them.

A principal is a user, a domain (global) group, a local group (an *alias*: builtin or of one
machine) or a well-known group such as Everyone. Each has a SID and an authority, the part
before the backslash of its name (``WEBFARM``, ``NODE1``, ``BUILTIN``, ``NT AUTHORITY``; none for
Everyone), as LookupAccountSid returns them. An :class:`AccountDatabase` is one SAM: the domain's
on its controllers, a member server's own, or the BUILTIN aliases.

Names are case-insensitive, as in the SAM; passwords are case-sensitive and live only in
memory (the state file holds digests, which is all a resumed lab knows of them:
:mod:`iis_lab.windows.stored_secret`).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import re
import typing as t

from .stored_secret import Secret


class Kind(enum.Enum):
    """What a SID names, as SID_NAME_USE says (SidTypeUser, SidTypeGroup, SidTypeAlias,
    SidTypeWellKnownGroup)."""

    USER = "user"
    GROUP = "group"
    ALIAS = "alias"
    WELL_KNOWN = "well_known"


@dataclasses.dataclass(eq=False)
class Account:
    """One principal. Users carry the USER_INFO flags the lab models; groups and aliases carry
    their members' SIDs."""

    sid: str
    name: str
    authority: str
    kind: Kind
    password: Secret | None = dataclasses.field(default=None, repr=False)
    enabled: bool = True
    password_never_expires: bool = False
    cannot_change_password: bool = False
    description: str = ""
    # USER_INFO usr_comment (the AD attribute "comment"), and AD's adminCount, which SDProp sets
    # to 1 on the members of protected groups ("AdminSDHolder, Protected Groups and SDProp").
    user_comment: str = ""
    admin_count: bool = False
    members: list[str] = dataclasses.field(default_factory=list)
    # The directory's objectClass of a user-kind account: user, computer, or
    # msDS-GroupManagedServiceAccount (a gMSA, whose msDS-GroupMSAMembership lists the SIDs of
    # the PrincipalsAllowedToRetrieveManagedPassword, and whose DNSHostName is dns_host_name).
    object_class: str = "user"
    # Locked out by the domain's account lockout policy (or a test): every logon fails with
    # ERROR_ACCOUNT_LOCKED_OUT until an administrator unlocks it.
    locked_out: bool = False
    # The password is past the domain's maximum password age (or "User must change password at
    # next logon" is set): LogonUser with the right password fails with ERROR_PASSWORD_EXPIRED.
    password_expired: bool = False
    managed_principals: list[str] = dataclasses.field(default_factory=list)
    dns_host_name: str = ""

    @property
    def qualified_name(self) -> str:
        """``AUTHORITY\\name``, or the bare name of a principal without authority (Everyone)."""
        return f"{self.authority}\\{self.name}" if self.authority else self.name

    @property
    def rid(self) -> int:
        return int(self.sid.rsplit("-", 1)[1])


# Relative IDs of the well-known accounts and groups of a domain or a machine (MS-DTYP 2.4.2.4).
RID_ADMINISTRATOR = 500
RID_GUEST = 501
RID_KRBTGT = 502
RID_DOMAIN_ADMINS = 512
RID_DOMAIN_USERS = 513
RID_DOMAIN_GUESTS = 514
RID_DOMAIN_COMPUTERS = 515
RID_DOMAIN_CONTROLLERS = 516
RID_SCHEMA_ADMINS = 518
RID_ENTERPRISE_ADMINS = 519
RID_GROUP_POLICY_CREATOR_OWNERS = 520
# SAM hands out RIDs from 1000 for the accounts an administrator or a setup program creates.
_FIRST_USER_RID = 1000

# The BUILTIN aliases (S-1-5-32-<rid>), MS-DTYP 2.4.2.4.
BUILTIN_SID = "S-1-5-32"
BUILTIN_RIDS: t.Mapping[str, int] = {
    "Administrators": 544,
    "Users": 545,
    "Guests": 546,
    "Power Users": 547,
    "Account Operators": 548,
    "Server Operators": 549,
    "Print Operators": 550,
    "Backup Operators": 551,
    "Replicator": 552,
    "Pre-Windows 2000 Compatible Access": 554,
}

# Well-known groups every host knows (MS-DTYP 2.4.2.4), with the authority LookupAccountSid gives.
EVERYONE = Account("S-1-1-0", "Everyone", "", Kind.WELL_KNOWN)
NETWORK = Account("S-1-5-2", "NETWORK", "NT AUTHORITY", Kind.WELL_KNOWN)
BATCH = Account("S-1-5-3", "BATCH", "NT AUTHORITY", Kind.WELL_KNOWN)
INTERACTIVE = Account("S-1-5-4", "INTERACTIVE", "NT AUTHORITY", Kind.WELL_KNOWN)
SERVICE = Account("S-1-5-6", "SERVICE", "NT AUTHORITY", Kind.WELL_KNOWN)
IIS_IUSRS_RID = 568
r"""BUILTIN\IIS_IUSRS (S-1-5-32-568), created by IIS 7+ setup ("Understanding Built-In User and
Group Accounts in IIS", learn.microsoft.com/iis/get-started/planning-for-security/understanding-built-in-user-and-group-accounts-in-iis)."""
COMPUTER = "computer"
GMSA = "msDS-GroupManagedServiceAccount"
ENTERPRISE_DOMAIN_CONTROLLERS = Account("S-1-5-9", "ENTERPRISE DOMAIN CONTROLLERS", "NT AUTHORITY", Kind.WELL_KNOWN)
AUTHENTICATED_USERS = Account("S-1-5-11", "Authenticated Users", "NT AUTHORITY", Kind.WELL_KNOWN)
SYSTEM = Account("S-1-5-18", "SYSTEM", "NT AUTHORITY", Kind.WELL_KNOWN)
WELL_KNOWN: tuple[Account, ...] = (
    EVERYONE,
    NETWORK,
    BATCH,
    INTERACTIVE,
    SERVICE,
    ENTERPRISE_DOMAIN_CONTROLLERS,
    AUTHENTICATED_USERS,
    SYSTEM,
)
WELL_KNOWN_AUTHORITY = "NT AUTHORITY"


class AccountDatabase:
    """One SAM: the principals of one authority, under one SID prefix. ``next_rid`` is the RID
    the next account created without one gets: SAM never hands a RID out twice, even once its
    account is deleted."""

    def __init__(self, authority: str, sid_prefix: str, next_rid: int = _FIRST_USER_RID) -> None:
        self.authority = authority
        self.sid_prefix = sid_prefix
        self._by_name: dict[str, Account] = {}
        self._next_rid = next_rid

    @property
    def next_rid(self) -> int:
        return self._next_rid

    def find(self, name: str) -> Account | None:
        return self._by_name.get(name.lower())

    def by_sid(self, sid: str) -> Account | None:
        return next((account for account in self._by_name.values() if account.sid == sid), None)

    def accounts(self) -> list[Account]:
        """Every principal, in creation order."""
        return list(self._by_name.values())

    def add(self, name: str, kind: Kind, rid: int | None = None, **attributes: t.Any) -> Account:
        """Create a principal; without ``rid`` it gets the next free RID from 1000."""
        if rid is None:
            rid = self._next_rid
            self._next_rid += 1
        account = Account(f"{self.sid_prefix}-{rid}", name, self.authority, kind, **attributes)
        self._by_name[name.lower()] = account
        return account

    def remove(self, account: Account) -> None:
        """Delete a principal and its memberships in this database's groups."""
        del self._by_name[account.name.lower()]
        for group in self._by_name.values():
            if account.sid in group.members:
                group.members.remove(account.sid)


def machine_sid(name: str) -> str:
    """A domain or machine SID (S-1-5-21-a-b-c) derived from ``name``, so that a lab's SIDs are
    the same every time it starts. Windows draws the three numbers at random at setup."""
    digest = hashlib.sha256(name.upper().encode("utf-8")).digest()
    parts = [int.from_bytes(digest[index : index + 4], "big") for index in (0, 4, 8)]
    return "S-1-5-21-" + "-".join(str(part) for part in parts)


@dataclasses.dataclass(frozen=True)
class PasswordPolicy:
    """The domain's password policy (Default Domain Policy): minimum length and whether
    passwords must meet complexity requirements (DOMAIN_PASSWORD_COMPLEX)."""

    min_length: int
    complexity: bool

    def rejects(self, password: str, account_name: str) -> bool:
        """Whether SAM refuses ``password`` for ``account_name`` (NERR_PasswordTooShort).

        Complexity, as passfilt.dll checks it on Windows 2000 and 2003: at least six characters,
        characters from three of the four classes (upper case, lower case, digits, others), and
        not the account name inside the password (names of fewer than three characters are not
        checked). An administrator's reset (NetUserSetInfo) is not held to the password history.
        """
        if len(password) < self.min_length:
            return True
        if not self.complexity:
            return False
        classes = (r"[A-Z]", r"[a-z]", r"[0-9]", r"[^A-Za-z0-9]")
        if len(password) < 6 or sum(bool(re.search(pattern, password)) for pattern in classes) < 3:
            return True
        return len(account_name) >= 3 and account_name.lower() in password.lower()


# Default Domain Policy as dcpromo creates it: Windows 2000 requires nothing (minimum length 0,
# complexity off); Windows Server 2003 requires 7 characters and complexity ("Password Policy",
# Windows Server 2003 Security Guide).
DEFAULT_PASSWORD_POLICIES: t.Mapping[str, PasswordPolicy] = {
    "2000": PasswordPolicy(min_length=0, complexity=False),
    "2003": PasswordPolicy(min_length=7, complexity=True),
}
