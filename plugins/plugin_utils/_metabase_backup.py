# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Metabase backups (IIsComputer.Backup): names IIS can store, and finding one to restore.

This is for internal collection use only; the API may change at any time.

IIS keeps a backup under a location name of up to 100 characters (MD_BACKUP_MAX_LEN), as a file
of ``%SystemRoot%\\system32\\inetsrv\\MetaBack``; each backup of a name gets the next version
number, and IIS records the time it was made. Backups are listed as ``metabase_backup_list``
returns them: ``{"name", "version", "date"}``.
"""

from __future__ import annotations

import typing as t

from ._input import InvalidInput

_MAX_NAME = 100
_NOT_IN_FILE_NAMES = frozenset('\\/:*?"<>|')


def check_backup_name(name: str) -> str:
    """A backup location name IIS can store."""
    if not name or len(name) > _MAX_NAME:
        raise InvalidInput(f"name: a metabase backup name has 1 to {_MAX_NAME} characters, not {len(name)}")
    if _NOT_IN_FILE_NAMES & set(name) or any(ord(char) < 32 for char in name):
        raise InvalidInput(
            f'name: {name!r} cannot name a metabase backup (IIS stores it as a file name: no \\/:*?"<>|)'
        )
    return name


def backups_named(backups: t.Sequence[t.Mapping[str, t.Any]], name: str) -> list[t.Mapping[str, t.Any]]:
    """The backups of ``name`` (case-insensitive, as file names on Windows), oldest version first."""
    return sorted((backup for backup in backups if backup["name"].lower() == name.lower()), key=lambda b: b["version"])


def backup_to_restore(
    backups: t.Sequence[t.Mapping[str, t.Any]], name: str, version: int | None
) -> t.Mapping[str, t.Any]:
    """The backup of ``name`` with ``version`` (default: the newest)."""
    candidates = backups_named(backups, name)
    if version is not None:
        candidates = [backup for backup in candidates if backup["version"] == version]
    if not candidates:
        listed = ", ".join(f"{backup['name']} v{backup['version']}" for backup in backups) or "none"
        wanted = f"{name!r} version {version}" if version is not None else repr(name)
        raise InvalidInput(f"name: the node has no metabase backup {wanted} (its backups: {listed})")
    return candidates[-1]
