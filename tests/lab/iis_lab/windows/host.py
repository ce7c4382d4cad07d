"""A simulated Windows server: identity, domain membership, network addresses, IIS, COM+ and
the conditions IISSync depends on (DCOM protocols, shares, the cluster's addresses)."""

from __future__ import annotations

import dataclasses
import datetime
import hmac
import typing as t

from .complus import Catalog
from .errors import E_ADS_BAD_PATHNAME, ErrorCode, WindowsApiError
from .metabase import Metabase, MetabaseSnapshot

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

    def is_administrator(self, logon_name: str) -> bool:
        """Whether ``logon_name`` is the domain administrator, who holds local Administrator on
        every host: joining a domain adds Domain Admins to the member's Administrators group,
        and on a domain controller Administrators is the domain's own group."""
        user = _user_part(logon_name, self)
        return user is not None and user.lower() == self.admin_user.lower()

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


# HKLM\SOFTWARE\Microsoft\Rpc\DCOM Protocols: connection-oriented TCP/IP is the default DCOM
# protocol of Windows 2000 and later (Q242022); the lab's hosts list only it.
DEFAULT_DCOM_PROTOCOLS = ("ncacn_ip_tcp",)


@dataclasses.dataclass(frozen=True)
class MetabaseBackup:
    """One metabase backup (IIsComputer.Backup): location name, version, when it was made."""

    name: str
    version: int
    date: datetime.datetime
    snapshot: MetabaseSnapshot = dataclasses.field(repr=False, compare=False)


@dataclasses.dataclass
class Host:
    """One Windows server of the lab.

    ``address`` is where the lab listens for this host's WinRM (loopback); ``ip_addresses``
    are the addresses Windows reports for its network adapters; ``cluster_addresses`` those of
    the cluster groups' IP Address resources (a cluster's nodes all report the same ones).

    ``shares`` maps share names to folders (every server has its administrative shares).
    The remaining fields are conditions faults change (``iis_lab.faults``):
    ``metabase_refusal`` is the error every metabase call fails with (the IIS Admin service
    holding the metabase, or refusing the caller), ``rpc_listening`` whether the RPC endpoint
    mapper answers from the network, ``rpc_call_fails`` whether remote calls to the host break
    off, ``drops_sessions`` whether its network sessions are torn down, and
    ``administrator_logged_on`` whether a local administrator is logged on at the console.
    ``last_replicated`` is when IISSync last finished writing to this host (seconds, lab clock).
    """

    name: str
    address: str
    domain: Domain
    domain_role: int
    os: OsRelease
    ip_addresses: tuple[IpAddress, ...]
    complus: Catalog
    metabase: Metabase | None = None
    dcom_protocols: tuple[str, ...] = DEFAULT_DCOM_PROTOCOLS
    shares: dict[str, str] = dataclasses.field(default_factory=dict)
    cluster_addresses: tuple[IpAddress, ...] = ()
    backups: list[MetabaseBackup] = dataclasses.field(default_factory=list)
    metabase_refusal: ErrorCode | None = None
    rpc_listening: bool = True
    rpc_call_fails: bool = False
    drops_sessions: bool = False
    administrator_logged_on: bool = False
    last_replicated: float | None = None

    def __post_init__(self) -> None:
        if not self.shares:
            self.shares = default_shares(self.os)

    def open_metabase(self) -> Metabase:
        """The metabase, as binding ``IIS://localhost`` reaches it.

        Without IIS no ``IIS:`` ADSI provider is registered, and binding fails as any unknown
        ADSI path does (E_ADS_BAD_PATHNAME); a refusing IIS Admin service fails every call.
        """
        if self.metabase is None:
            raise WindowsApiError(E_ADS_BAD_PATHNAME, f"IIS is not installed on {self.name}")
        if self.metabase_refusal is not None:
            raise WindowsApiError(self.metabase_refusal, f"the metabase of {self.name} refuses access")
        return self.metabase

    @property
    def dns_host_name(self) -> str:
        """The host part of the DNS name, as ``Win32_ComputerSystem.DNSHostName`` gives it."""
        return self.name.lower()

    @property
    def iis_version(self) -> str | None:
        """``major.minor`` of the installed IIS, or None when IIS is not installed."""
        return self.os.iis_version if self.metabase is not None else None

    def answers_to(self, name: str) -> bool:
        """Whether ``name`` (NetBIOS, DNS host name or FQDN; any case) names this host."""
        fqdn = f"{self.dns_host_name}.{self.domain.dns}"
        return name.lower() in (self.name.lower(), self.dns_host_name, fqdn)


def default_shares(release: OsRelease) -> dict[str, str]:
    """The administrative shares Windows creates: one per fixed drive (only C: in the lab),
    ADMIN$ for the system root and IPC$ (which has no folder)."""
    return {"C$": "C:\\", "ADMIN$": release.system_root, "IPC$": ""}
