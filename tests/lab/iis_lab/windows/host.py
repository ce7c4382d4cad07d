"""A simulated Windows server: identity, domain membership, network addresses, accounts, user
rights, IIS, COM+ and the conditions IISSync depends on (DCOM protocols, shares, the cluster's
addresses)."""

from __future__ import annotations

import dataclasses
import datetime
import typing as t

from .accounts import AccountDatabase
from .complus import Catalog
from .domain import Domain
from .errors import ACCESS_DENIED, E_ADS_BAD_PATHNAME, PATH_BUSY, ErrorCode, WindowsApiError
from .file_shares import Folder
from .metabase import Metabase, MetabaseSnapshot

if t.TYPE_CHECKING:
    from .was import IisServer

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
# Win32_OperatingSystem.Caption and Version of the releases that ship IIS 7.5, 8.5 and 10.0
# ("IIS versions and Windows", learn.microsoft.com/iis/get-started/whats-new-in-iis-10/...; the
# build numbers of Windows Server 2008 R2 SP1, 2012 R2 and 2022).
WINDOWS_2008R2 = OsRelease("Microsoft Windows Server 2008 R2 Standard", "6.1.7601", "C:\\Windows", "7.5")
WINDOWS_2012R2 = OsRelease("Microsoft Windows Server 2012 R2 Standard", "6.3.9600", "C:\\Windows", "8.5")
WINDOWS_2022 = OsRelease("Microsoft Windows Server 2022 Standard", "10.0.20348", "C:\\Windows", "10.0")
OS_RELEASES: t.Mapping[str, OsRelease] = {
    "2000": WINDOWS_2000,
    "2003": WINDOWS_2003,
    "2008R2": WINDOWS_2008R2,
    "2012R2": WINDOWS_2012R2,
    "2022": WINDOWS_2022,
}
"""Releases by the short name a topology uses."""


@dataclasses.dataclass(frozen=True)
class IpAddress:
    """An IPv4 address bound to the host, with its prefix length."""

    address: str
    prefix_length: int


# HKLM\SOFTWARE\Microsoft\Rpc\DCOM Protocols: connection-oriented TCP/IP is the default DCOM
# protocol of Windows 2000 and later (Q242022); the lab's hosts list only it.
DEFAULT_DCOM_PROTOCOLS = ("ncacn_ip_tcp",)


METABASE_REFUSALS: t.Mapping[int, ErrorCode] = {error.code: error for error in (PATH_BUSY, ACCESS_DENIED)}
"""What a metabase can refuse every call with (``Host.metabase_refusal``), by code: another
program holds it, or the IIS Admin service refuses the caller (:mod:`iis_lab.faults`)."""


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

    A member server has a SAM of its own (``local_accounts``) and its own BUILTIN aliases
    (``local_builtin``); a domain controller has neither and serves the domain's. ``rights`` is the LSA policy database: each
    user right with the SIDs that hold it.
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
    local_accounts: AccountDatabase | None = None
    local_builtin: AccountDatabase | None = None
    rights: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    share_access: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    """Each share's permissions (SID → read, change or full); a share without an entry is an
    administrative one (:mod:`.file_shares`)."""
    folders: dict[str, Folder] = dataclasses.field(default_factory=dict)
    """The folders the lab models by normalized path, with their ACLs and files."""
    file_server_reachable: bool = True
    """Whether the host's file server (SMB, TCP 445) answers from the network."""
    offline_files: bool = False
    """Whether Offline Files (client-side caching) is on for the host's UNC paths."""
    iis: IisServer | None = None
    """IIS 7+ (applicationHost.config and WAS); None on a host without it (IIS 5/6 hosts hold
    a ``metabase`` instead)."""

    def __post_init__(self) -> None:
        if not self.shares:
            self.shares = default_shares(self.os)

    def open_metabase(self) -> Metabase:
        """The metabase, as binding ``IIS://localhost`` reaches it.

        Without IIS no ``IIS:`` ADSI provider is registered, and binding fails as any unknown
        ADSI path does (E_ADS_BAD_PATHNAME); a refusing IIS Admin service fails every call. IIS 7+
        registers that provider only with the "IIS 6 Metabase Compatibility" role service, which
        the lab's IIS 7+ hosts do not have: GetObject("IIS://localhost/W3SVC") then fails with
        0x80005000 as well ("Unknown error (0x80005000)" from DirectoryEntry, the documented
        symptom of the missing component: "IIS 6 Metabase Compatibility",
        learn.microsoft.com/iis/manage/managing-your-configuration-settings/metabase-compatibility-with-iis-7-and-above).
        """
        if self.metabase is None:
            raise WindowsApiError(E_ADS_BAD_PATHNAME, f"IIS is not installed on {self.name}")
        if self.metabase_refusal is not None:
            raise WindowsApiError(self.metabase_refusal, f"the metabase of {self.name} refuses access")
        return self.metabase

    @property
    def is_domain_controller(self) -> bool:
        return self.domain_role in (DOMAIN_ROLE_BACKUP_DOMAIN_CONTROLLER, DOMAIN_ROLE_PRIMARY_DOMAIN_CONTROLLER)

    @property
    def sam(self) -> AccountDatabase:
        """The account database NetUser* calls without a server name reach: the domain's on a
        domain controller, the host's own on a member server."""
        return self.domain.accounts if self.local_accounts is None else self.local_accounts

    @property
    def aliases(self) -> AccountDatabase:
        """The BUILTIN aliases (local groups) NetLocalGroup* calls reach on this host."""
        return self.domain.builtin if self.local_builtin is None else self.local_builtin

    @property
    def dns_host_name(self) -> str:
        """The host part of the DNS name, as ``Win32_ComputerSystem.DNSHostName`` gives it."""
        return self.name.lower()

    @property
    def iis_version(self) -> str | None:
        """``major.minor`` of the installed IIS, or None when IIS is not installed."""
        return self.os.iis_version if self.metabase is not None or self.iis is not None else None

    def answers_to(self, name: str) -> bool:
        """Whether ``name`` (NetBIOS, DNS host name or FQDN; any case) names this host."""
        fqdn = f"{self.dns_host_name}.{self.domain.dns}"
        return name.lower() in (self.name.lower(), self.dns_host_name, fqdn)


def default_shares(release: OsRelease) -> dict[str, str]:
    """The administrative shares Windows creates: one per fixed drive (only C: in the lab),
    ADMIN$ for the system root and IPC$ (which has no folder)."""
    return {"C$": "C:\\", "ADMIN$": release.system_root, "IPC$": ""}
