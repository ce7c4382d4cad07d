"""The faults of a Shared Configuration (IIS 7-10), taken on and dropped on a running lab with
``iis-lab fault`` (:meth:`iis_lab.lab.Lab.change_fault`), as the conditions arise and are
repaired on Windows. Each names the host it must be applied to, the code it makes the
collection meet, and whether a preflight sees it before anything changes (``unc_read_check``
of the reader on every node, ``shared_config_get``). The reader is the topology's
``shared_config.reader``.

Sources: Microsoft's "Shared Configuration" articles (the reader's read access and batch logon
right, the keys), "Offline Files for Shared Configuration" (Offline Files is off unless
configured), "Shared configuration and password expiration" (blogs.iis.net/wonyoo).
"""

from __future__ import annotations

import dataclasses
import typing as t

from .windows.config_encryption import new_machine_keys
from .windows.file_shares import folder
from .windows.host import Host
from .windows.security import lookup_name
from .windows.shared_config import replace_session_keys

SHARE_HOST, NODE, DOMAIN = "the share host", "a node", "any host (the domain's reader)"
BATCH_LOGON = "SeBatchLogonRight"


@dataclasses.dataclass(frozen=True)
class SharedConfigFault:
    """A fault: the code it causes (None: a warning, no error), the host it must name, whether
    the preflight sees it, what it does (host, reader's name) and how that is undone."""

    name: str
    code: int | None
    host: str
    checkable: bool
    apply: t.Callable[[Host, str], None]
    clear: t.Callable[[Host, str], None]
    description: str


def _reader_sid(host: Host, reader: str) -> str:
    account = lookup_name(host, f"{host.domain.netbios}\\{reader}")
    if account is None:
        raise LookupError(f"the reader {reader!r} is not an account of the domain")
    return account.sid


def _stop_file_server(host: Host, reader: str) -> None:
    host.file_server_reachable = False


def _start_file_server(host: Host, reader: str) -> None:
    host.file_server_reachable = True


def _deny_reader(host: Host, reader: str) -> None:
    """The folders of the host's shares no longer grant the reader (a hand edit of their ACLs)."""
    sid = _reader_sid(host, reader)
    for share, path in host.shares.items():
        if share in host.share_access and (found := folder(host, path)) is not None:
            found.access.pop(sid, None)


def _allow_reader(host: Host, reader: str) -> None:
    """Each folder grants the reader what its share does again."""
    sid = _reader_sid(host, reader)
    for share, path in host.shares.items():
        right = host.share_access.get(share, {}).get(sid)
        if right is not None and (found := folder(host, path)) is not None:
            found.access[sid] = right


def _expire_password(host: Host, reader: str) -> None:
    account = host.domain.accounts.find(reader)
    if account is None:
        raise LookupError(f"the reader {reader!r} is not an account of the domain")
    account.password_expired = True


def _renew_password(host: Host, reader: str) -> None:
    account = host.domain.accounts.find(reader)
    if account is not None:
        account.password_expired = False


def _lose_keys(host: Host, reader: str) -> None:
    """The node's AES session keys are no longer the shared ones (the keys were not imported:
    Enable without copying the remote keys); redirection.config's own RSA key stays."""
    if host.iis is None:
        raise LookupError(f"{host.name} has no IIS 7+")
    iis = host.iis
    if iis.fault_keys is None:
        iis.fault_keys = dict(iis.local.keys)
        replace_session_keys(iis.local.keys, new_machine_keys())


def _restore_keys(host: Host, reader: str) -> None:
    if host.iis is not None and host.iis.fault_keys is not None:
        replace_session_keys(host.iis.local.keys, host.iis.fault_keys)
        host.iis.fault_keys = None


def _offline_files_off(host: Host, reader: str) -> None:
    host.offline_files = False


def _offline_files_on(host: Host, reader: str) -> None:
    host.offline_files = True


def _remove_batch_right(host: Host, reader: str) -> None:
    sid = _reader_sid(host, reader)
    holders = host.rights.setdefault(BATCH_LOGON, [])
    if sid in holders:
        holders.remove(sid)


def _grant_batch_right(host: Host, reader: str) -> None:
    sid = _reader_sid(host, reader)
    holders = host.rights.setdefault(BATCH_LOGON, [])
    if sid not in holders:
        holders.append(sid)


_KINDS = (
    SharedConfigFault(
        "share_unreachable",
        53,
        SHARE_HOST,
        True,
        _stop_file_server,
        _start_file_server,
        "the host's file server (SMB, TCP 445) does not answer: the share's path is not found (53); "
        "nodes already enabled keep running on WAS's cached configuration",
    ),
    SharedConfigFault(
        "reader_access_denied",
        5,
        SHARE_HOST,
        True,
        _deny_reader,
        _allow_reader,
        "the folders of the host's shares no longer grant the reader (their ACLs edited by hand); clearing "
        "grants it what the share does",
    ),
    SharedConfigFault(
        "reader_password_expired",
        1330,
        DOMAIN,
        True,
        _expire_password,
        _renew_password,
        "the reader's password has expired: LogonUser fails with 1330 with the right password",
    ),
    SharedConfigFault(
        "keys_not_imported",
        0x80090005,
        NODE,
        True,
        _lose_keys,
        _restore_keys,
        "the node's configuration keys (AesProvider, IISWASOnlyAesProvider) are no longer the shared ones: "
        "it decrypts no encrypted attribute of the shared configuration (NTE_BAD_DATA)",
    ),
    SharedConfigFault(
        "reader_batch_right_missing",
        1385,
        NODE,
        True,
        _remove_batch_right,
        _grant_batch_right,
        'the reader no longer holds "Log on as a batch job" on the node itself (as a GPO restricting it does); '
        "clearing grants it to the reader",
    ),
    SharedConfigFault(
        "offline_files_absent",
        None,
        NODE,
        True,
        _offline_files_off,
        _offline_files_on,
        "Offline Files does not cache the share on the node: every node starts so (the collection warns); "
        "clearing turns it on",
    ),
)

SHARED_CONFIG_FAULTS: t.Mapping[str, SharedConfigFault] = {kind.name: kind for kind in _KINDS}
"""Every Shared Configuration fault kind by name."""
