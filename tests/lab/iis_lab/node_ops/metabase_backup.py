"""Metabase backups (``IIsComputer`` Backup, EnumBackups and Restore): ``metabase_backup_create``,
``metabase_backup_list`` and ``metabase_backup_restore``.

IIS keeps each backup under a location name of up to 100 characters, as a file of the
``MetaBack`` folder, with a version number (MD_BACKUP_NEXT_VERSION picks the next free one,
from 0) and the time it was made.
"""

from __future__ import annotations

import datetime
import typing as t

from ..windows.errors import INVALID_PARAMETER, MD_ERROR_INVALID_VERSION, WindowsApiError
from ..windows.host import Host, MetabaseBackup
from .spec import Arg, ArgType, OpContext, OpSpec

# MD_BACKUP_MAX_LEN; the name becomes a file name, which cannot hold these characters.
_MAX_NAME = 100
_NOT_IN_FILE_NAMES = set('\\/:*?"<>|')


def metabase_backup_create(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    host = context.host
    name = args["name"]
    if not name or len(name) > _MAX_NAME or _NOT_IN_FILE_NAMES & set(name):
        raise WindowsApiError(INVALID_PARAMETER, f"backup location name {name!r}")
    snapshot = host.open_metabase().snapshot()
    versions = [backup.version for backup in host.backups if backup.name.lower() == name.lower()]
    date = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    backup = MetabaseBackup(name, max(versions, default=-1) + 1, date, snapshot)
    host.backups.append(backup)
    return _listed(backup)


def metabase_backup_list(context: OpContext, args: t.Mapping[str, t.Any]) -> list[dict[str, t.Any]]:
    context.host.open_metabase()
    return [_listed(backup) for backup in sorted(context.host.backups, key=lambda b: (b.name.lower(), b.version))]


def metabase_backup_restore(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    host = context.host
    backup = _find(host, args["name"], args["version"])
    host.open_metabase().restore(backup.snapshot)


def _find(host: Host, name: str, version: int) -> MetabaseBackup:
    for backup in host.backups:
        if backup.name.lower() == name.lower() and backup.version == version:
            return backup
    raise WindowsApiError(MD_ERROR_INVALID_VERSION, f"no backup {name!r} version {version}")


def _listed(backup: MetabaseBackup) -> dict[str, t.Any]:
    return {"name": backup.name, "version": backup.version, "date": backup.date.isoformat().replace("+00:00", "Z")}


OPS = (
    OpSpec(
        "metabase_backup_create",
        write=True,
        args=(Arg("name", ArgType.STR, required=True),),
        run=metabase_backup_create,
    ),
    OpSpec("metabase_backup_list", write=False, args=(), run=metabase_backup_list),
    OpSpec(
        "metabase_backup_restore",
        write=True,
        args=(Arg("name", ArgType.STR, required=True), Arg("version", ArgType.INT, required=True)),
        run=metabase_backup_restore,
    ),
)
