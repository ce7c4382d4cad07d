"""The Active Directory domain of the lab: its accounts, its builtin aliases and its password
policy, and the administrator the WinRM listeners accept."""

from __future__ import annotations

import dataclasses

from .accounts import Account, AccountDatabase, PasswordPolicy
from .stored_secret import same_secret


@dataclasses.dataclass(eq=False)
class Domain:
    """The domain every host belongs to.

    ``accounts`` is the domain's SAM (users and global groups, SID ``sid``-RID) that every domain
    controller serves; ``builtin`` the BUILTIN aliases the domain controllers share (on a member
    server they are the host's own). ``admin_password`` is the topology's password for the
    administrator, the one the inventory gives; it lives only in memory, never in the lab's
    state directory. The administrator logs on with the password its account holds now, which
    a password change (``domain_account``, NetUserSetInfo) replaces, as on Windows.
    """

    netbios: str
    dns: str
    admin_user: str
    admin_password: str = dataclasses.field(repr=False)
    sid: str = ""
    password_policy: PasswordPolicy = PasswordPolicy(min_length=0, complexity=False)
    accounts: AccountDatabase = dataclasses.field(default_factory=lambda: AccountDatabase("", ""))
    builtin: AccountDatabase = dataclasses.field(default_factory=lambda: AccountDatabase("", ""))
    kds_root_key: str | None = None
    """The KDS root key (Add-KdsRootKey): None, ``usable`` (its effective time passed) or
    ``pending`` (created less than 10 hours ago and not back-dated: domain controllers do not use
    it yet, "Create the Key Distribution Services KDS Root Key",
    learn.microsoft.com/windows-server/security/group-managed-service-accounts/create-the-key-distribution-services-kds-root-key)."""

    def accepts(self, logon_name: str, password: str) -> bool:
        """Whether ``logon_name`` + ``password`` log on to WinRM as the domain administrator,
        the one account the lab's listeners accept.

        ``logon_name`` is ``user``, ``DOMAIN\\user`` (NetBIOS or DNS domain name) or
        ``user@dns.domain``; names compare case-insensitively, the password exactly.
        """
        return self.is_administrator(logon_name) and same_secret(self._admin_account().password, password)

    def is_administrator(self, logon_name: str) -> bool:
        """Whether ``logon_name`` is the domain administrator, who holds local Administrator on
        every host: joining a domain adds Domain Admins to the member's Administrators group,
        and on a domain controller Administrators is the domain's own group."""
        user = _user_part(logon_name, self)
        return user is not None and user.lower() == self.admin_user.lower()

    def ntlm_accounts(self) -> list[tuple[str, str, str]]:
        """``(domain, user, password)`` for each form of the administrator's name an NTLM
        client may send: an NTLM AUTHENTICATE message carries ``DOMAIN`` and ``user``
        separately, with an empty domain for a bare or UPN-style name.

        NTLM needs the password's text (its NT hash). A resumed lab knows a password only by
        its digest (:mod:`.stored_secret`), so it can offer the topology's password when that is
        still the account's, and nothing (NTLM logons fail, Basic works) once it was changed.
        """
        held = self._admin_account().password
        password = held if isinstance(held, str) else self.admin_password
        if not same_secret(held, password):
            return []
        user = self.admin_user
        return [
            (self.netbios, user, password),
            (self.dns, user, password),
            ("", user, password),
            ("", f"{user}@{self.dns}", password),
        ]

    def _admin_account(self) -> Account:
        account = self.accounts.find(self.admin_user)
        assert account is not None, "dcpromo creates the administrator; nothing deletes it"
        return account

    def names(self, authority: str) -> bool:
        """Whether ``authority`` (the part before a backslash) is this domain's NetBIOS or DNS
        name."""
        return authority.lower() in (self.netbios.lower(), self.dns.lower())


def _user_part(logon_name: str, domain: Domain) -> str | None:
    """The account name in ``logon_name`` when it names an account of ``domain``, else None."""
    if "\\" in logon_name:
        prefix, _, user = logon_name.partition("\\")
        return user if domain.names(prefix) else None
    if "@" in logon_name:
        user, _, suffix = logon_name.rpartition("@")
        return user if suffix.lower() == domain.dns.lower() else None
    return logon_name
