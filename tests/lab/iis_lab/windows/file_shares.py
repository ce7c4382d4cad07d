r"""File shares and the folders behind them, as a UNC path ``\\HOST\share\folder`` reaches them.

A host serves SMB shares: ``Host.shares`` maps each share name to its folder (the one model the
``file_shares`` op and IISSync's COM+ replication read), ``Host.share_access`` holds a share's
permissions, and ``Host.folders`` the folders the lab models, each with its access control list
and the files it holds. Rights are ``read`` < ``change`` < ``full`` (the share permissions
Windows offers, and the folder rights "Read & execute", "Modify", "Full control" they go with).

Reaching ``\\HOST\share\path`` from a node, as a program that logs a user on and lists the path
does (IIS reading a shared configuration, ``unc_read_check``):

* the name must resolve to a host whose file server answers (TCP 445), else ERROR_BAD_NETPATH
  (53, "The network path was not found"); the share must exist, else ERROR_BAD_NET_NAME (67,
  "The network name cannot be found"); a folder below it that does not exist,
  ERROR_PATH_NOT_FOUND (3);
* the user is logged on at the node with a batch logon (LogonUser's errors: 1326 wrong password,
  1330 expired, 1331 disabled, 1909 locked out, 1385 "Log on as a batch job" not held: "the UNC
  user needs Log on as a batch job", Shared Configuration,
  learn.microsoft.com/iis/manage/managing-your-configuration-settings/shared-configuration_264),
  then at the file server with a network logon ("Access this computer from the network");
* what the user may do is the lesser of the share permission and the folder right its token
  holds (the account's SID, its domain groups, Everyone, Authenticated Users, the server's
  aliases): the effective access of a share ("Share and NTFS permissions",
  learn.microsoft.com/iis/web-hosting/configuring-servers-in-the-windows-web-platform/shared-configuration_211
  asks for read on both); too little is ERROR_ACCESS_DENIED (5).

An administrative share (``C$``, ``ADMIN$``) admits the server's Administrators only.
"""

from __future__ import annotations

import dataclasses
import ntpath
import re
import typing as t

from .accounts import Account
from .errors import (
    ERROR_ACCESS_DENIED,
    ERROR_BAD_NET_NAME,
    ERROR_BAD_NETPATH,
    ERROR_BAD_PATHNAME,
    ERROR_NONE_MAPPED,
    ERROR_PATH_NOT_FOUND,
    WindowsApiError,
)
from .security import ADMINISTRATORS_SID, LOGON_BATCH, LOGON_NETWORK, logon, lookup_name, token_groups
from .stored_secret import Secret

if t.TYPE_CHECKING:
    from .host import Host

READ, CHANGE, FULL = "read", "change", "full"
RIGHTS = (READ, CHANGE, FULL)
_UNC = re.compile(r"^\\\\([^\\/]+)\\([^\\/]+)((?:\\[^\\/]+)*)\\?$")


@dataclasses.dataclass
class Folder:
    """A folder: its ACL (SID → right) and its files by name. A file is an object the file's
    owner program reads (a configuration document, a key file): the lab keeps it as that."""

    access: dict[str, str] = dataclasses.field(default_factory=dict)
    files: dict[str, t.Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class UncPath:
    r"""``\\server\share\rest``, split."""

    server: str
    share: str
    rest: tuple[str, ...]

    def __str__(self) -> str:
        return "\\\\" + "\\".join([self.server, self.share, *self.rest])


@dataclasses.dataclass(frozen=True)
class Opened:
    """A UNC folder reached: the file server, the share's name and the folder."""

    host: Host
    share: str
    path: str
    folder: Folder


def parse_unc(path: str) -> UncPath:
    r"""``\\server\share[\folder...]``; anything else is ERROR_BAD_PATHNAME."""
    match = _UNC.match(path)
    if match is None:
        raise WindowsApiError(ERROR_BAD_PATHNAME, path)
    server, share, rest = match.groups()
    return UncPath(server, share, tuple(part for part in rest.split("\\") if part))


def rank(right: str | None) -> int:
    """0 for no right, then read, change, full."""
    return 0 if right is None else RIGHTS.index(right) + 1


def share_name(host: Host, name: str) -> str | None:
    """The share of ``host`` that ``name`` names (share names are case-insensitive)."""
    return next((share for share in host.shares if share.lower() == name.lower()), None)


def folder(host: Host, path: str) -> Folder | None:
    """The folder at ``path`` on ``host``, if the lab holds one (paths are case-insensitive)."""
    return host.folders.get(ntpath.normcase(path.rstrip("\\")))


def create_folder(host: Host, path: str) -> Folder:
    key = ntpath.normcase(path.rstrip("\\"))
    return host.folders.setdefault(key, Folder())


def locate(resolve: t.Callable[[str], Host | None], path: str) -> Opened:
    """The folder a UNC path names: ERROR_BAD_NETPATH when no reachable host answers to its
    server, ERROR_BAD_NET_NAME for a missing share, ERROR_PATH_NOT_FOUND below it."""
    unc = parse_unc(path)
    host = resolve(unc.server)
    if host is None or not host.file_server_reachable:
        raise WindowsApiError(ERROR_BAD_NETPATH, str(unc))
    share = share_name(host, unc.share)
    if share is None:
        raise WindowsApiError(ERROR_BAD_NET_NAME, str(unc))
    local = ntpath.join(host.shares[share], *unc.rest)
    found = folder(host, local)
    if found is None and not unc.rest and share not in host.share_access:
        # An administrative share's drive or system root, whose files the lab does not model.
        found = Folder({ADMINISTRATORS_SID: FULL})
    if found is None:
        raise WindowsApiError(ERROR_PATH_NOT_FOUND, str(unc))
    return Opened(host, share, local, found)


def connect(node: Host, opened: Opened, user: str, password: Secret | None) -> Account:
    """Log ``user`` on at ``node`` (a batch logon, as IIS logs its UNC user on) and at the file
    server (a network logon): the account, or LogonUser's error."""
    for where, logon_type in ((node, LOGON_BATCH), (opened.host, LOGON_NETWORK)):
        error = logon(where, user, password, logon_type)
        if error is not None:
            raise WindowsApiError(error, f"{user} at {where.name}")
    account = lookup_name(opened.host, user)
    assert account is not None  # it logged on
    return account


def access(opened: Opened, account: Account) -> str | None:
    """The right ``account`` has through the share: the lesser of the share's and the folder's."""
    host = opened.host
    sids = {account.sid, *(group.sid for group in token_groups(host, account))}
    granted = share_permissions(host, opened.share)
    share_right = max((rank(right) for sid, right in granted.items() if sid in sids), default=0)
    folder_right = max((rank(right) for sid, right in opened.folder.access.items() if sid in sids), default=0)
    lesser = min(share_right, folder_right)
    return RIGHTS[lesser - 1] if lesser else None


def require(opened: Opened, account: Account, right: str) -> None:
    """ERROR_ACCESS_DENIED unless ``account`` has at least ``right`` through the share."""
    if rank(access(opened, account)) < rank(right):
        raise WindowsApiError(ERROR_ACCESS_DENIED, f"{account.qualified_name} on {opened.host.name}\\{opened.share}")


def share_permissions(host: Host, share: str) -> dict[str, str]:
    """A share's permissions (SID → right); an administrative share's are the Administrators'."""
    return host.share_access.get(share, {ADMINISTRATORS_SID: FULL})


def set_share(host: Host, name: str, path: str, grants: t.Mapping[str, str]) -> None:
    """Create the share (and its folder) or set its access: the share's permissions and the
    folder's ACL both become exactly ``grants`` (account name → right); an unknown account is
    ERROR_NONE_MAPPED, before anything changes."""
    sids: dict[str, str] = {}
    for account_name, right in grants.items():
        account = lookup_name(host, account_name)
        if account is None:
            raise WindowsApiError(ERROR_NONE_MAPPED, account_name)
        sids[account.sid] = max(right, sids.get(account.sid, right), key=rank)
    host.shares[name] = path
    host.share_access[name] = dict(sids)
    create_folder(host, path).access = dict(sids)
