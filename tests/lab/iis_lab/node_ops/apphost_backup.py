r"""IIS 7+ configuration backups: ``apphost_backup_create``, ``apphost_backup_list`` and
``apphost_backup_delete`` (:mod:`iis_lab.windows.apphost_backup`). Writing into
``inetsrv\backup`` needs an administrator of the node; it copies the node's own files, so under
Shared Configuration it neither reads nor writes the share."""

from __future__ import annotations

import datetime
import typing as t

from ..windows.apphost_backup import create_backup, delete_backup
from .spec import Arg, ArgType, OpContext, OpSpec
from ..windows.errors import FILE_NOT_FOUND, WindowsApiError
from ..windows.security import require_administrator
from ..windows.was import IisServer


def _local_server(context: OpContext, *, write: bool = False) -> IisServer:
    host = context.host
    if host.iis is None:
        raise WindowsApiError(FILE_NOT_FOUND, f"{host.name} has no IIS 7+ configuration to back up")
    if write:
        require_administrator(host, context.account)
    return host.iis


def apphost_backup_create(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, str]:
    backup = create_backup(
        _local_server(context, write=True), args["name"], datetime.datetime.now(datetime.timezone.utc)
    )
    return backup.listed


def apphost_backup_list(context: OpContext, args: t.Mapping[str, t.Any]) -> list[dict[str, str]]:
    backups = _local_server(context).backups
    return [backup.listed for backup in sorted(backups, key=lambda backup: backup.name.casefold())]


def apphost_backup_delete(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    delete_backup(_local_server(context, write=True), args["name"])


_NAME = Arg("name", ArgType.STR, required=True)

OPS = (
    OpSpec("apphost_backup_create", write=True, args=(_NAME,), run=apphost_backup_create),
    OpSpec("apphost_backup_list", write=False, args=(), run=apphost_backup_list),
    OpSpec("apphost_backup_delete", write=True, args=(_NAME,), run=apphost_backup_delete),
)
