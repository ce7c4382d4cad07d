r"""IIS 7+ configuration backups: ``apphost_backup_create``, ``apphost_backup_list`` and
``apphost_backup_delete`` (:mod:`iis_lab.windows.apphost_backup`). Writing into
``inetsrv\backup`` needs an administrator, as writing applicationHost.config does."""

from __future__ import annotations

import datetime
import typing as t

from ..windows.apphost_backup import create_backup, delete_backup
from .spec import Arg, ArgType, OpContext, OpSpec
from .web_config import server


def apphost_backup_create(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, str]:
    backup = create_backup(
        server(context, write=True), args["name"], datetime.datetime.now(datetime.timezone.utc)
    )
    return backup.listed


def apphost_backup_list(context: OpContext, args: t.Mapping[str, t.Any]) -> list[dict[str, str]]:
    return [backup.listed for backup in sorted(server(context).backups, key=lambda backup: backup.name.casefold())]


def apphost_backup_delete(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    delete_backup(server(context, write=True), args["name"])


_NAME = Arg("name", ArgType.STR, required=True)

OPS = (
    OpSpec("apphost_backup_create", write=True, args=(_NAME,), run=apphost_backup_create),
    OpSpec("apphost_backup_list", write=False, args=(), run=apphost_backup_list),
    OpSpec("apphost_backup_delete", write=True, args=(_NAME,), run=apphost_backup_delete),
)
