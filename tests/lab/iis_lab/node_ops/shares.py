r"""File shares: ``share_get`` and ``share_set`` on the host serving them (NetShareGetInfo /
NetShareAdd / NetShareSetInfo and the folder's ACL), and ``unc_read_check`` on a node: whether
an account reads a UNC path from there as IIS reads a shared configuration
(:mod:`~iis_lab.windows.file_shares`)."""

from __future__ import annotations

import ntpath
import re
import typing as t

from ..windows.errors import ERROR_BAD_PATHNAME, ERROR_INVALID_NAME, NERR_DUPLICATE_SHARE, WindowsApiError
from ..windows.file_shares import (
    CHANGE,
    READ,
    connect,
    folder,
    locate,
    rank,
    require,
    set_share,
    share_name,
    share_permissions,
)
from ..windows.security import lookup_sid, require_administrator
from .spec import Arg, ArgType, OpContext, OpSpec

# Characters a share name cannot hold (NetShareAdd: ERROR_INVALID_NAME), and a local folder path.
_SHARE_NAME = re.compile(r'^[^\\/\[\]:|<>+=;,?*"]{1,80}$')
_LOCAL_PATH = re.compile(r"^[A-Za-z]:\\")


def share_get(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    """The share, its folder, and each account of its permissions with the lesser of its share
    permission and its right on the folder (an account the folder does not grant is left out:
    it reaches nothing through the share)."""
    host = context.host
    name = share_name(host, args["name"])
    if name is None:
        return None
    path = host.shares[name]
    held = folder(host, path)
    administrative = name not in host.share_access
    entries = []
    for sid, right in share_permissions(host, name).items():
        on_folder = right if administrative else (None if held is None else held.access.get(sid))
        if on_folder is None:
            continue
        account = lookup_sid(host, sid)
        entries.append(
            {"account": account.qualified_name if account else sid, "right": min(right, on_folder, key=rank)}
        )
    return {"name": name, "path": path, "access": entries}


def share_set(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    """Create the share and its folder, or set its access: the share's permissions and the
    folder's ACL become exactly the accounts of ``read`` and ``change`` (one in both: change)."""
    host = context.host
    require_administrator(host, context.account)
    name, path = args["name"], args["path"]
    if not _SHARE_NAME.match(name):
        raise WindowsApiError(ERROR_INVALID_NAME, name)
    if not _LOCAL_PATH.match(path):
        raise WindowsApiError(ERROR_BAD_PATHNAME, path)
    existing = share_name(host, name)
    if existing is not None and (
        existing not in host.share_access
        or ntpath.normcase(host.shares[existing].rstrip("\\")) != ntpath.normcase(path.rstrip("\\"))
    ):
        # Another folder (or an administrative share) already has the name.
        raise WindowsApiError(NERR_DUPLICATE_SHARE, name)
    grants = {account: READ for account in args.get("read") or []}
    grants.update({account: CHANGE for account in args.get("change") or []})
    set_share(host, existing or name, path.rstrip("\\"), grants)


def unc_read_check(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The path reached, the user logged on (batch, on this node), read access through the
    share: null and the files there, or Windows' error and no files."""
    try:
        opened = locate(context.network.resolve, args["path"])
        account = connect(context.host, opened, args["user"], context.secret(args["secret"]))
        require(opened, account, READ)
    except WindowsApiError as error:
        return {"error": {"code": error.code, "message": error.message}, "files": []}
    return {"error": None, "files": sorted(opened.folder.files)}


OPS = (
    OpSpec("share_get", write=False, args=(Arg("name", ArgType.STR, required=True),), run=share_get),
    OpSpec(
        "share_set",
        write=True,
        args=(
            Arg("name", ArgType.STR, required=True),
            Arg("path", ArgType.STR, required=True),
            Arg("read", ArgType.STR_LIST),
            Arg("change", ArgType.STR_LIST),
        ),
        run=share_set,
    ),
    OpSpec(
        "unc_read_check",
        write=False,
        args=(
            Arg("path", ArgType.STR, required=True),
            Arg("user", ArgType.STR, required=True),
            Arg("secret", ArgType.SECRET, required=True),
        ),
        run=unc_read_check,
        reaches_other_hosts=True,
    ),
)
