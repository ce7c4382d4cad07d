# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""IISSync's status codes (KB Q224801 and related KBs): what each means and what to do.

This is for internal collection use only; the API may change at any time.

:data:`STATUSES` is the one table. The ``iissync`` and ``iissync_preflight`` modules word their
failures from it, the ``iissync_status`` filter returns it, and ``docs/iissync-status-codes.md``
is generated from it (``make status-codes``), so the three cannot drift apart.

IISSync prints a status as a decimal number. Q224801 lists HRESULTs in unsigned decimal
(2148598792); a tool reading the exit code as a signed 32-bit integer shows -2146368504; the
hex form is 0x80110408. :func:`decode` accepts every spelling, and finds a Win32 code inside
the HRESULT that wraps it (0x80070005 is access denied, 5).
"""

from __future__ import annotations

import dataclasses
import typing as t

from ._windows_errors import to_signed, to_unsigned

_FACILITY_WIN32_HRESULT = 0x8007
Q224801 = "Q224801"


@dataclasses.dataclass(frozen=True)
class IissyncStatus:
    """One status: its code (unsigned), symbolic name (None when Windows has no public one),
    meaning and probable cause, the remedy, the Microsoft document it comes from (``kb``: Q224801
    where its table lists the code, else the KB or Windows reference that does), whether it is
    transient (running IISSync again later can succeed), and, for a code Q224801's table does not
    list, why the collection decodes it (``beyond_q224801``)."""

    code: int
    symbol: str | None
    meaning: str
    remedy: str
    kb: str
    transient: bool = False
    beyond_q224801: str | None = None

    @property
    def in_q224801(self) -> bool:
        """Whether KB Q224801's table lists this code."""
        return self.kb.startswith(Q224801)

    @property
    def name(self) -> str:
        """The symbol, or a plain note that there is none."""
        return self.symbol or "no public symbol"


STATUSES: tuple[IissyncStatus, ...] = (
    IissyncStatus(0, "ERROR_SUCCESS", "Successful synchronization.", "Nothing to do.", "Q224801"),
    IissyncStatus(
        3,
        "ERROR_PATH_NOT_FOUND",
        "The metabase is inaccessible on the target server: it may be corrupt or in use.",
        "Make sure the IIS Admin service runs on the target and that no other program (a metabase editor, a "
        "backup, another IISSync) holds its metabase, then sync again; if the metabase is corrupt, restore one "
        "of the target's metabase backups first.",
        "Q224801",
    ),
    IissyncStatus(
        5,
        "ERROR_ACCESS_DENIED",
        "Access is denied: the account IISSync runs as may not administer the target's metabase, or its logon "
        "has no network credentials, so the target sees an anonymous logon (the double hop).",
        "Run the sync as an account that is a local administrator of every node, from a logon with network "
        "credentials: Ansible become (runas) with a password, CredSSP, or Kerberos delegation; and check that "
        "the target metabase's AdminACL grants that account.",
        "Windows System Error Codes (0-499)",
        beyond_q224801="IISSync ends with the Windows error of the call that failed; from Ansible over WinRM, access "
        "denied is the likeliest failure of all (the double hop), so the collection names its cause.",
    ),
    IissyncStatus(
        64,
        "ERROR_NETNAME_DELETED",
        "The specified network name is no longer available: IISSync ran again too soon after a previous run, "
        "or the network connection to the target dropped.",
        "Wait 5 to 30 seconds and sync again (the iissync module retries by itself a bounded number of times).",
        "Q214783",
        transient=True,
        beyond_q224801="Q214783 documents it for IISSync run again within about 5 seconds of a previous run; it is "
        "the one status worth retrying, which the iissync module does.",
    ),
    IissyncStatus(
        1060,
        "ERROR_SERVICE_DOES_NOT_EXIST",
        "Communications problem between the nodes: the DCOM default protocols do not match on both nodes.",
        "Give every node the same DCOM default protocols in the same order (dcomcnfg, Default Protocols; "
        "HKLM\\SOFTWARE\\Microsoft\\Rpc\\DCOM Protocols) and restart the nodes that changed.",
        "Q224801",
    ),
    IissyncStatus(
        1722,
        "RPC_S_SERVER_UNAVAILABLE",
        "The RPC server is unavailable: the target server's name is invalid, or the nodes cannot communicate.",
        "Check that the target's name resolves from the source node and that the source reaches the target's RPC "
        "endpoint mapper (TCP 135) and RPC ports through every firewall between them.",
        "Q224801",
    ),
    IissyncStatus(
        1726,
        "RPC_S_CALL_FAILED",
        "The remote procedure call failed: the connection to the target broke off during the replication.",
        "Check the network between the nodes and the target's System event log (did it restart?), then sync again.",
        "Windows System Error Codes (1700-3999)",
        beyond_q224801="IISSync replicates over DCOM (RPC) and ends with the RPC error when a call to a target "
        "breaks off; the preflight cannot foresee it, so the failure itself must say what happened.",
    ),
    IissyncStatus(
        0x80004005,
        "E_FAIL",
        "MTS replication is not configured.",
        "Configure MTS replication on the source node: set its replication share to the administration share "
        "(such as C$) of the drive COM+ is installed on at the targets (Q191138).",
        "Q224801, Q191138",
    ),
    IissyncStatus(
        0x80040154,
        "REGDB_E_CLASSNOTREG",
        "Class not registered: the COM+ catalog of a node is damaged.",
        "Repair COM+ on that node as Q310412 describes (re-register the COM+ catalog), then sync again.",
        "Q310412",
        beyond_q224801="IISSync replicates COM+ applications through the COM+ catalog; Q310412 documents this code "
        "for a damaged catalog, which stops that replication.",
    ),
    IissyncStatus(
        0x80080005,
        "CO_E_SERVER_EXEC_FAILURE",
        "The Administrator account is not logged on at the target server: MTS is configured for local instead "
        "of remote administration, and then a local administrator equivalent account must be logged on at the "
        "target while IISSync runs.",
        "Configure MTS on the target for remote administration, or keep a local administrator logged on at the "
        "target's console while the sync runs.",
        "Q224801",
    ),
    IissyncStatus(
        0x80110408,
        "COMADMIN_E_APP_FILE_READFAIL",
        "Communications problem between the nodes, possibly an IP address conflict.",
        "Make every IP address of the nodes and of the IIS cluster group valid, used only once, and in the same "
        "subnet.",
        "Q224801",
    ),
    IissyncStatus(
        0x8011040A,
        "COMADMIN_E_BADPATH",
        "Invalid share in the MTS replication settings.",
        "Set the MTS replication share to the administration share (such as C$) of the drive MTS/COM+ is "
        "installed on at the target server.",
        "Q224801",
    ),
    IissyncStatus(
        0x80110411,
        "COMADMIN_E_NOREGISTRYCLSID",
        "The component's CLSID is missing or corrupt.",
        "Re-register the component (regsvr32 its DLL) or reinstall its COM+ application on the source node, or "
        "remove an application whose component no longer exists.",
        "Q224801",
    ),
    IissyncStatus(
        0x80110501,
        None,
        "The user logged on to the target server has insufficient rights for MTS replication.",
        "Sync as an account that is a local administrator of the target and passes the target's COM+ System "
        "Application Administrator role (which holds the local Administrators group by default).",
        "Q224801",
    ),
)

_BY_CODE: t.Mapping[int, IissyncStatus] = {status.code: status for status in STATUSES}


@dataclasses.dataclass(frozen=True)
class DecodedStatus:
    """A code in all its forms, and what the table says about it (``status`` is None for a code
    the table does not hold)."""

    code: int
    status: IissyncStatus | None

    @property
    def hex(self) -> str:
        return f"0x{self.code:08X}"

    @property
    def signed(self) -> int:
        return to_signed(self.code)

    @property
    def transient(self) -> bool:
        return self.status is not None and self.status.transient

    def describe(self) -> str:
        """One paragraph for an operator: the code, its meaning and cause, and the remedy."""
        if self.status is None:
            return (
                f"IISSync status {self.code} ({self.hex}) is not in KB Q224801's table nor in the related KBs "
                f"this collection knows; look up {self.hex} in Microsoft's error code references."
            )
        return (
            f"IISSync status {self.code} ({self.hex}, {self.status.name}): {self.status.meaning} {self.status.remedy}"
        )

    def as_dict(self) -> dict[str, t.Any]:
        """The decoded code as the ``iissync_status`` filter and module results show it."""
        status = self.status
        return {
            "code": self.code,
            "hex": self.hex,
            "signed": self.signed,
            "known": status is not None,
            "symbol": status.symbol if status else None,
            "meaning": status.meaning if status else None,
            "remedy": status.remedy if status else None,
            "kb": status.kb if status else None,
            "transient": self.transient,
            "description": self.describe(),
        }


def decode(code: int | str) -> DecodedStatus:
    """Decode a status given as an unsigned or signed number, or a decimal or ``0x`` hex string.

    Raises :class:`ValueError` for something that is not a 32-bit number.
    """
    value = to_unsigned(code)
    status = _BY_CODE.get(value)
    if status is None and value >> 16 == _FACILITY_WIN32_HRESULT:
        status = _BY_CODE.get(value & 0xFFFF)
    return DecodedStatus(value, status)
