"""``%SystemRoot%\\system32\\inetsrv\\iissync.exe``: replicate the source's metabase and COM+
applications to each target named on its command line (KB Q249603 step 8).

Facts (``legacy-iis.md``, KB Q224801, Q214783, the COM+ SDK's COMREPL pages):

* ``iissync target1 [target2 ...]`` replicates to every target in one run; secure metabase data
  is replicated too, and COMREPL replaces the target's non-system COM+ applications with the
  source's.
* It prints nothing for a target it replicated. For a target it could not, it prints
  ``Error replicating to target <name>: <Windows' text for the code>`` and
  ``Error code <unsigned decimal> (<8 hex digits>)``; after the last target, if any failed,
  ``At least one target computer was not replicated successfully.`` Its exit code is then the
  code of the last target that failed, else 0. *(The quiet success and the exit code of a run
  with several failures are inferred: the references show one failing target.)*
* It acts with the caller's token over DCOM. A token without network credentials (a WinRM
  network logon) reaches the target as an anonymous logon, which the target refuses: access
  denied, the double hop *(inferred from the maintainers' double-hop guidance)*.
* Run again within about 5 seconds of the previous run, a target fails with 64,
  ERROR_NETNAME_DELETED (Q214783).

Each target is checked in the order the replication reaches it *(the order is inferred)*:
the name and RPC (1722), DCOM (1060), the caller's logon (5), the connection (64, 1726), the
target's metabase (3, 5), then COMREPL: the COM+ catalogs (0x80040154), the MTS replication
settings (0x80004005, 0x8011040A), the role checks (0x80110501), the catalog server on the
target (0x80080005), the nodes' addresses (0x80110408) and the source's components
(0x80110411). The first condition that holds decides the target's code.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import ntpath
import typing as t

from .errors import PATH_BUSY
from .host import Host, IpAddress

EXECUTABLE = "system32\\inetsrv\\iissync.exe"
RERUN_WINDOW_SECONDS = 5.0
SUMMARY = "At least one target computer was not replicated successfully."

# Windows' text for every code the tool reports here (FormatMessage; COM+ texts from
# winerror.h). 0x80110501 has no public symbol and no system text.
MESSAGES: t.Mapping[int, str] = {
    3: "The system cannot find the path specified.",
    5: "Access is denied.",
    64: "The specified network name is no longer available.",
    1060: "The specified service does not exist as an installed service.",
    1722: "The RPC server is unavailable.",
    1726: "The remote procedure call failed.",
    0x80004005: "Unspecified error",
    0x80040154: "Class not registered",
    0x80080005: "Server execution failed",
    0x80110408: "Error occurred reading the application file.",
    0x8011040A: "The file path is invalid.",
    0x80110411: "The component's CLSID is missing or corrupt.",
    0x80110501: "",
}


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who runs the tool: the account, and whether its logon holds network credentials."""

    account: str
    network_credentials: bool


@dataclasses.dataclass(frozen=True)
class Run:
    """What the process printed and its exit code."""

    output: str
    exit_code: int


def run_iissync(
    source: Host, targets: t.Sequence[str], resolve: t.Callable[[str], Host | None], caller: Caller, now: float
) -> Run:
    """Run iissync on ``source`` for ``targets`` (as typed on the command line) at time ``now``."""
    lines: list[str] = []
    exit_code = 0
    reached: list[Host] = []
    for name in targets:
        target = resolve(name)
        code = _connection_failure(source, target, caller, now)
        if code is None:
            assert target is not None  # an unknown name is a connection failure
            reached.append(target)
            code = _replication_failure(source, target, caller)
        if code is None:
            assert target is not None
            target.open_metabase().replicate_from(source.open_metabase())
            target.complus.install_from(source.complus)
        else:
            lines += [f"Error replicating to target {name}: {MESSAGES[code]}".rstrip(), _code_line(code)]
            exit_code = code
    # The sessions to every target reached close as the process ends (Q214783).
    for target in reached:
        target.last_replicated = now
    if exit_code:
        lines.append(SUMMARY)
    return Run("".join(f"{line}\r\n" for line in lines), exit_code)


def _code_line(code: int) -> str:
    return f"Error code {code} ({code:08X})"


def _connection_failure(source: Host, target: Host | None, caller: Caller, now: float) -> int | None:
    """The code of a target IISSync cannot reach, or None once it has a session there."""
    if target is None or not target.rpc_listening:
        return 1722
    if target.dcom_protocols != source.dcom_protocols:
        return 1060
    if not caller.network_credentials:
        return 5
    if target.drops_sessions or (
        target.last_replicated is not None and now - target.last_replicated < RERUN_WINDOW_SECONDS
    ):
        return 64
    return None


def _replication_failure(source: Host, target: Host, caller: Caller) -> int | None:
    """The code replication to a reached target ends with, or None when it succeeds."""
    if target.rpc_call_fails:
        return 1726
    if target.iis is not None:
        # An IIS 7+ target has no IIS Admin service (no IIS 6 Metabase Compatibility): the DCOM
        # activation of its admin base object finds no class (REGDB_E_CLASSNOTREG) *(inferred)*.
        return 0x80040154
    for host in (target, source):
        if host.metabase_refusal is not None:
            return 3 if host.metabase_refusal is PATH_BUSY else 5
    return _complus_failure(source, target, caller)


def _complus_failure(source: Host, target: Host, caller: Caller) -> int | None:
    if not (source.complus.installed and target.complus.installed):
        return 0x80040154
    share = source.complus.replication_share
    if not share:
        return 0x80004005
    if not _is_complus_drive_share(target, share):
        return 0x8011040A
    if not all(
        host.complus.admits_administrator(caller.account, host.domain.is_administrator(caller.account))
        for host in (source, target)
    ):
        return 0x80110501
    if target.complus.local_administration and not target.administrator_logged_on:
        return 0x80080005
    if addresses_problem([*source.ip_addresses, *target.ip_addresses, *source.cluster_addresses]):
        return 0x80110408
    if source.complus.unregistered_components():
        return 0x80110411
    return None


def _is_complus_drive_share(host: Host, share: str) -> bool:
    """Whether ``share`` is the host's administrative share of the drive COM+ is installed on
    (the system root's drive), as Q224801 asks."""
    folder = next((path for name, path in host.shares.items() if name.lower() == share.lower()), None)
    drive = ntpath.splitdrive(host.os.system_root)[0]
    return folder is not None and folder.rstrip("\\").lower() == drive.lower()


def addresses_problem(addresses: t.Sequence[IpAddress]) -> str | None:
    """Why ``addresses`` (the nodes' and the cluster group's) break COM+ replication, or None:
    each must be a valid unicast host address, none may be used twice, and all must be in one
    subnet (Q224801: "Make sure all IP addresses on both Nodes and in the IIS Resource group are
    all in the same subnet and valid")."""
    networks = set()
    seen = set()
    for entry in addresses:
        interface = ipaddress.IPv4Interface(f"{entry.address}/{entry.prefix_length}")
        network = interface.network
        host_address = interface.ip
        if (
            host_address.is_unspecified
            or host_address.is_loopback
            or host_address.is_multicast
            or (network.prefixlen < 31 and host_address in (network.network_address, network.broadcast_address))
        ):
            return f"{entry.address}/{entry.prefix_length} is not a valid host address"
        if host_address in seen:
            return f"{entry.address} is used twice"
        seen.add(host_address)
        networks.add(network)
    if len(networks) > 1:
        return "the addresses are in different subnets: " + ", ".join(sorted(str(network) for network in networks))
    return None
