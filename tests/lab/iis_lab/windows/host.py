"""A simulated Windows server: identity, domain membership, network addresses and IIS."""

from __future__ import annotations

import dataclasses
import hmac
import typing as t

from .metabase import Metabase

# Win32_ComputerSystem.DomainRole values the lab uses.
DOMAIN_ROLE_MEMBER_SERVER = 3
DOMAIN_ROLE_BACKUP_DOMAIN_CONTROLLER = 4
DOMAIN_ROLE_PRIMARY_DOMAIN_CONTROLLER = 5


@dataclasses.dataclass(frozen=True)
class OsRelease:
    """A Windows release and the IIS version that ships with it."""

    caption: str
    version: str
    system_root: str
    iis_version: str


WINDOWS_2000 = OsRelease("Microsoft Windows 2000 Server", "5.0.2195", "C:\\WINNT", "5.0")
WINDOWS_2003 = OsRelease("Microsoft Windows Server 2003", "5.2.3790", "C:\\WINDOWS", "6.0")
OS_RELEASES: t.Mapping[str, OsRelease] = {"2000": WINDOWS_2000, "2003": WINDOWS_2003}
"""Releases by the short name a topology uses."""


@dataclasses.dataclass(frozen=True)
class IpAddress:
    """An IPv4 address bound to the host, with its prefix length."""

    address: str
    prefix_length: int


@dataclasses.dataclass(frozen=True)
class Domain:
    """The Active Directory domain every host belongs to, with the administrator the lab's
    WinRM listeners accept.

    The password lives only in memory: it is never written to the lab's state directory.
    """

    netbios: str
    dns: str
    admin_user: str
    admin_password: str = dataclasses.field(repr=False)

    def accepts(self, logon_name: str, password: str) -> bool:
        """Whether ``logon_name`` + ``password`` log on as the domain administrator.

        ``logon_name`` is ``user``, ``DOMAIN\\user`` (NetBIOS or DNS domain name) or
        ``user@dns.domain``; names compare case-insensitively, the password exactly. A bare name
        is what Windows would look up in the local SAM first and then in the domain; the lab
        models no local accounts, so it is the domain's.
        """
        user = _user_part(logon_name, self)
        return (
            user is not None
            and user.lower() == self.admin_user.lower()
            and hmac.compare_digest(password.encode("utf-8"), self.admin_password.encode("utf-8"))
        )

    def ntlm_accounts(self) -> list[tuple[str, str, str]]:
        """``(domain, user, password)`` for each form of the administrator's name an NTLM
        client may send: an NTLM AUTHENTICATE message carries ``DOMAIN`` and ``user``
        separately, with an empty domain for a bare or UPN-style name."""
        user, password = self.admin_user, self.admin_password
        return [
            (self.netbios, user, password),
            (self.dns, user, password),
            ("", user, password),
            ("", f"{user}@{self.dns}", password),
        ]


def _user_part(logon_name: str, domain: Domain) -> str | None:
    """The account name in ``logon_name`` when it names an account of ``domain``, else None."""
    if "\\" in logon_name:
        prefix, _, user = logon_name.partition("\\")
        return user if prefix.lower() in (domain.netbios.lower(), domain.dns.lower()) else None
    if "@" in logon_name:
        user, _, suffix = logon_name.rpartition("@")
        return user if suffix.lower() == domain.dns.lower() else None
    return logon_name


@dataclasses.dataclass
class Host:
    """One Windows server of the lab.

    ``address`` is where the lab listens for this host's WinRM (loopback); ``ip_addresses``
    are the addresses Windows reports for its network adapters.
    """

    name: str
    address: str
    domain: Domain
    domain_role: int
    os: OsRelease
    ip_addresses: tuple[IpAddress, ...]
    metabase: Metabase | None = None

    @property
    def dns_host_name(self) -> str:
        """The host part of the DNS name, as ``Win32_ComputerSystem.DNSHostName`` gives it."""
        return self.name.lower()

    @property
    def iis_version(self) -> str | None:
        """``major.minor`` of the installed IIS, or None when IIS is not installed."""
        return self.os.iis_version if self.metabase is not None else None
