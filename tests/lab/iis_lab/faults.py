"""The faults a topology can inject: one for every condition of KB Q224801's table (and the
related KBs in ``legacy-iis.md``), each making IISSync end with exactly that code.

A fault changes one host's model, the way the condition arises on Windows (a protocol list
edited in dcomcnfg, a damaged COM+ installation, a locked metabase, ...); IISSync
(:mod:`iis_lab.windows.iissync`) and the node_ops emulation then see the changed host, so a
fault the preflight can check shows in the ops it reads. Which host a fault must name to
matter (the sync source or a target) is in each kind's ``host`` field; the lab does not know
which host the collection will use as the source.

A running lab can also take a fault on and drop it again (``iis-lab fault``): ``clear`` puts the
host back as provisioning left it, and both ``apply`` and ``clear`` can be repeated.

The double hop (a run without network credentials) is not a topology fault: it follows from how
the module was started (``become`` with or without a password).
"""

from __future__ import annotations

import dataclasses
import typing as t
import uuid

from .windows.complus import BUILTIN_ADMINISTRATORS, DEFAULT_REPLICATION_SHARE, Application, Component
from .windows.errors import ACCESS_DENIED, PATH_BUSY
from .windows.host import Host, IpAddress

SOURCE, TARGET, ANY = "the sync source", "a sync target", "any cluster node"
# A namespace for the IDs of the applications and classes faults install (names the lab makes up).
_LAB_IDS = uuid.UUID("6f1b0c52-3b56-4c8e-9a43-1d2c6e0e5a11")


def lab_guid(name: str) -> str:
    """A stable registry-style GUID for a name the lab makes up (an application, a class)."""
    return "{" + str(uuid.uuid5(_LAB_IDS, name)).upper() + "}"


@dataclasses.dataclass(frozen=True)
class FaultKind:
    """A fault: the IISSync code it causes, the host it must name, whether the preflight can
    see it, what it does to the host and how that is undone, and how the README describes it."""

    name: str
    code: int
    host: str
    checkable: bool
    apply: t.Callable[[Host], None]
    clear: t.Callable[[Host], None]
    description: str


def _lock_metabase(host: Host) -> None:
    host.metabase_refusal = PATH_BUSY


def _unlock_metabase(host: Host) -> None:
    if host.metabase_refusal == PATH_BUSY:
        host.metabase_refusal = None


def _deny_metabase(host: Host) -> None:
    host.metabase_refusal = ACCESS_DENIED


def _allow_metabase(host: Host) -> None:
    if host.metabase_refusal == ACCESS_DENIED:
        host.metabase_refusal = None


def _drop_sessions(host: Host) -> None:
    host.drops_sessions = True


def _keep_sessions(host: Host) -> None:
    host.drops_sessions = False


_SPX = "ncacn_spx"


def _reorder_dcom_protocols(host: Host) -> None:
    host.dcom_protocols = (_SPX, *(protocol for protocol in host.dcom_protocols if protocol != _SPX))


def _restore_dcom_protocols(host: Host) -> None:
    host.dcom_protocols = tuple(protocol for protocol in host.dcom_protocols if protocol != _SPX)


def _block_rpc(host: Host) -> None:
    host.rpc_listening = False


def _unblock_rpc(host: Host) -> None:
    host.rpc_listening = True


def _break_rpc_calls(host: Host) -> None:
    host.rpc_call_fails = True


def _mend_rpc_calls(host: Host) -> None:
    host.rpc_call_fails = False


def _unconfigure_replication(host: Host) -> None:
    host.complus.replication_share = ""


def _configure_replication(host: Host) -> None:
    if host.complus.replication_share == "":
        host.complus.replication_share = DEFAULT_REPLICATION_SHARE


def _damage_complus(host: Host) -> None:
    host.complus.installed = False


def _repair_complus(host: Host) -> None:
    host.complus.installed = True


def _require_local_administrator(host: Host) -> None:
    host.complus.local_administration = True
    host.administrator_logged_on = False


def _allow_remote_administration(host: Host) -> None:
    host.complus.local_administration = False


def _foreign_address(host: Host) -> IpAddress:
    last_octet = host.ip_addresses[0].address.rsplit(".", 1)[1] if host.ip_addresses else "1"
    return IpAddress(f"10.99.0.{last_octet}", 24)


def _add_foreign_address(host: Host) -> None:
    if _foreign_address(host) not in host.ip_addresses:
        host.ip_addresses = (*host.ip_addresses, _foreign_address(host))


def _remove_foreign_address(host: Host) -> None:
    host.ip_addresses = tuple(address for address in host.ip_addresses if address != _foreign_address(host))


_WRONG_SHARE = "D$"


def _point_replication_at_missing_share(host: Host) -> None:
    host.complus.replication_share = _WRONG_SHARE


def _point_replication_at_system_drive(host: Host) -> None:
    if host.complus.replication_share == _WRONG_SHARE:
        host.complus.replication_share = DEFAULT_REPLICATION_SHARE


_BROKEN_APPLICATION = "Broken Orders"


def _install_unregistered_component(host: Host) -> None:
    _uninstall_unregistered_component(host)
    component = Component(lab_guid("Orders.Broken"), "Orders.Broken")
    host.complus.applications.append(
        Application(lab_guid(_BROKEN_APPLICATION), _BROKEN_APPLICATION, components=(component,))
    )


def _uninstall_unregistered_component(host: Host) -> None:
    host.complus.applications = [
        application for application in host.complus.applications if application.name != _BROKEN_APPLICATION
    ]


def _restrict_complus_role(host: Host) -> None:
    host.complus.administrator_role = [f"{host.domain.netbios}\\COM+ Administrators"]


def _restore_complus_role(host: Host) -> None:
    host.complus.administrator_role = [BUILTIN_ADMINISTRATORS]


_KINDS = (
    FaultKind(
        "metabase_in_use",
        3,
        ANY,
        True,
        _lock_metabase,
        _unlock_metabase,
        "another program holds the metabase: every metabase call fails with 0x80070094",
    ),
    FaultKind(
        "metabase_access_denied",
        5,
        ANY,
        True,
        _deny_metabase,
        _allow_metabase,
        "the IIS Admin service refuses the caller (AdminACL): every metabase call fails with 0x80070005",
    ),
    FaultKind(
        "session_dropped",
        64,
        TARGET,
        False,
        _drop_sessions,
        _keep_sessions,
        "every network session to the host is torn down, as when IISSync runs again too soon (Q214783)",
    ),
    FaultKind(
        "dcom_protocols_differ",
        1060,
        ANY,
        True,
        _reorder_dcom_protocols,
        _restore_dcom_protocols,
        "SPX is put before TCP/IP in the host's DCOM protocols, so the nodes' lists differ",
    ),
    FaultKind(
        "rpc_unreachable",
        1722,
        TARGET,
        True,
        _block_rpc,
        _unblock_rpc,
        "the RPC endpoint mapper (TCP 135) does not answer from the network",
    ),
    FaultKind(
        "rpc_call_fails",
        1726,
        TARGET,
        False,
        _break_rpc_calls,
        _mend_rpc_calls,
        "remote procedure calls to the host break off once started",
    ),
    FaultKind(
        "mts_replication_not_configured",
        0x80004005,
        SOURCE,
        False,
        _unconfigure_replication,
        _configure_replication,
        "no MTS replication share is configured (Q191138)",
    ),
    FaultKind(
        "complus_damaged",
        0x80040154,
        ANY,
        True,
        _damage_complus,
        _repair_complus,
        "the COM+ catalog class is no longer registered: every catalog call fails (Q310412)",
    ),
    FaultKind(
        "local_administration_without_logon",
        0x80080005,
        TARGET,
        False,
        _require_local_administrator,
        _allow_remote_administration,
        "MTS is set to local administration and no administrator is logged on at the host",
    ),
    FaultKind(
        "address_outside_subnet",
        0x80110408,
        ANY,
        True,
        _add_foreign_address,
        _remove_foreign_address,
        "the host gets a second address, 10.99.0.<n>/24, outside the cluster's subnet",
    ),
    FaultKind(
        "replication_share_invalid",
        0x8011040A,
        SOURCE,
        False,
        _point_replication_at_missing_share,
        _point_replication_at_system_drive,
        "the MTS replication share is D$, which is not the administration share of the drive COM+ is on",
    ),
    FaultKind(
        "component_clsid_missing",
        0x80110411,
        SOURCE,
        True,
        _install_unregistered_component,
        _uninstall_unregistered_component,
        'the COM+ application "Broken Orders" has a component whose CLSID the registry lacks',
    ),
    FaultKind(
        "complus_role_restricted",
        0x80110501,
        ANY,
        True,
        _restrict_complus_role,
        _restore_complus_role,
        "the System Application's Administrator role holds only DOMAIN\\COM+ Administrators, without "
        "the local Administrators",
    ),
)

FAULT_KINDS: t.Mapping[str, FaultKind] = {kind.name: kind for kind in _KINDS}
"""Every fault kind by name."""
