"""Metabase backups (``IIsComputer`` Backup, EnumBackups, Restore and DeleteBackup):
``metabase_backup_create``, ``metabase_backup_list``, ``metabase_backup_restore`` and
``metabase_backup_delete``.

IIS keeps each backup under a location name of up to 100 characters, as the files
``<name>.MD<version>`` and ``<name>.SC<version>`` of the ``MetaBack`` folder, with a version number
(MD_BACKUP_NEXT_VERSION picks the next free one, from 0) and the time it was made.

Names: [MS-IMSA] 3.1.4.15 lists the characters the metabase refuses in a backup name
(E_INVALIDARG); ``:<>`` cannot be in a file name either. A reserved device name (CON, NUL, COM1,
...) with any extension opens a device, not a file, so IIS cannot write the backup's files: the
lab answers ERROR_INVALID_NAME, the code the IIS 6 SDK gives for an invalid backup name *(the
exact code Windows returns there is inferred)*.
"""

from __future__ import annotations

import datetime
import re
import typing as t

from ..windows.errors import FILE_NOT_FOUND, INVALID_NAME, INVALID_PARAMETER, MD_ERROR_INVALID_VERSION, WindowsApiError
from ..windows.host import Host, MetabaseBackup
from .spec import Arg, ArgType, OpContext, OpSpec

# MD_BACKUP_MAX_LEN.
_MAX_NAME = 100
_REFUSED = set("/\\*.?\"&!@#$%^()=+|`~") | set(":<>")
_DEVICE = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])$", re.IGNORECASE)


def _check_name(name: str) -> None:
    if not name or len(name) > _MAX_NAME or _REFUSED & set(name) or any(ord(char) < 32 for char in name):
        raise WindowsApiError(INVALID_PARAMETER, f"backup location name {name!r}")
    # The files are <name>.MD<n>: Win32 maps a device name followed by any extension (trailing
    # spaces ignored) to the device. A name with a dot of its own was refused above.
    if _DEVICE.match(name.rstrip(" ")):
        raise WindowsApiError(INVALID_NAME, f"backup location name {name!r} is a device")


def metabase_backup_create(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    host = context.host
    name = args["name"]
    _check_name(name)
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
    if backup is None:
        raise WindowsApiError(MD_ERROR_INVALID_VERSION, f"no backup {args['name']!r} version {args['version']}")
    host.open_metabase().restore(backup.snapshot)


def metabase_backup_delete(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    host = context.host
    host.open_metabase()
    _check_name(args["name"])
    backup = _find(host, args["name"], args["version"])
    if backup is None:
        raise WindowsApiError(FILE_NOT_FOUND, f"no backup {args['name']!r} version {args['version']}")
    host.backups.remove(backup)


def _find(host: Host, name: str, version: int) -> MetabaseBackup | None:
    for backup in host.backups:
        if backup.name.lower() == name.lower() and backup.version == version:
            return backup
    return None


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
    OpSpec(
        "metabase_backup_delete",
        write=True,
        args=(Arg("name", ArgType.STR, required=True), Arg("version", ArgType.INT, required=True)),
        run=metabase_backup_delete,
    ),
)
