# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""IIS 7-10 configuration backups (``apphost_backup_*``): the folder names of a backup's
versions and the versions a retention prunes.

This is for internal collection use only; the API may change at any time.

IIS 7-10 keeps a backup as a folder of ``%windir%\\system32\\inetsrv\\backup`` (where
``Backup-WebConfiguration`` and ``appcmd add backup`` keep theirs) and gives it no version: the
controller chooses the folder names. A backup ``name`` made again and again is kept as the folders
``<name>-<version>``, the version the next after the highest listed, so that the versions and
their retention are decided exactly as for metabase backups (:mod:`._metabase_backup`), on the
listing ``apphost_backup_list`` returns (``{"name", "date"}``, ``name`` the folder).
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ._input import InvalidInput
from ._metabase_backup import backups_named, backups_to_prune
from ._node_session import Instruction

_MAX_NAME = 80
# Letters, digits, '_' and '-': a folder name on every Windows, and one that appcmd and
# Restore-WebConfiguration take as it is.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_FOLDER = re.compile(r"^(?P<name>.+)-(?P<version>[0-9]{1,9})$")

BACKUP_LIST = Instruction("apphost_backup_list")


def check_backup_name(name: str, field: str = "name") -> str:
    """A backup name whose versions make folder names; else :class:`InvalidInput` naming ``field``."""
    if not 1 <= len(name) <= _MAX_NAME or not _NAME.match(name):
        raise InvalidInput(
            f"{field}: {name!r} cannot name an IIS configuration backup: 1 to {_MAX_NAME} letters, digits, "
            "'_' and '-', beginning with a letter or digit"
        )
    return name


def versions(backups: t.Sequence[t.Mapping[str, t.Any]]) -> list[dict[str, t.Any]]:
    """The listed folders that are versions of a name (``<name>-<version>``), each as
    ``{"name", "version", "folder", "date"}``; other folders (made by hand or by another tool)
    are no one's versions, and never pruned."""
    found = []
    for backup in backups:
        match = _FOLDER.match(backup["name"])
        if match:
            found.append(
                {"name": match["name"], "version": int(match["version"]), "folder": backup["name"], "date": backup.get("date")}
            )
    return found


def folder(name: str, version: int) -> str:
    """The folder of a version."""
    return f"{name}-{version}"


def next_version(backups: t.Sequence[t.Mapping[str, t.Any]], name: str) -> int:
    """The version a new backup of ``name`` gets: one after the highest listed, from 0."""
    existing = backups_named(versions(backups), name)
    return existing[-1]["version"] + 1 if existing else 0


def backup_delete(folder_name: str) -> Instruction:
    """The instruction deleting one backup folder."""
    return Instruction("apphost_backup_delete", {"name": folder_name})


@dataclasses.dataclass(frozen=True)
class ApphostBackupFirst:
    """A new backup version made before a change, pruned to a retention (``keep``; None keeps
    every version)."""

    name: str
    keep: int | None

    def version(self, backups: t.Sequence[t.Mapping[str, t.Any]]) -> int:
        return next_version(backups, self.name)

    def pruned(self, backups: t.Sequence[t.Mapping[str, t.Any]]) -> list[dict[str, t.Any]]:
        """The versions the new one makes one too many, oldest first."""
        if self.keep is None:
            return []
        return [dict(backup) for backup in backups_to_prune(versions(backups), self.name, self.keep, adding=1)]

    def instructions(self, backups: t.Sequence[t.Mapping[str, t.Any]]) -> list[Instruction]:
        """The backup, then the deletion of the versions it makes one too many; the batch stops
        at the first failure, so nothing is pruned unless the new backup was made."""
        create = Instruction("apphost_backup_create", {"name": folder(self.name, self.version(backups))})
        return [create, *(backup_delete(backup["folder"]) for backup in self.pruned(backups))]

    def planned(self, backups: t.Sequence[t.Mapping[str, t.Any]]) -> dict[str, t.Any]:
        """What check mode reports: the folder it would make; its date is known once made."""
        version = self.version(backups)
        return {"name": self.name, "version": version, "folder": folder(self.name, version), "date": None}


def backups_to_delete(backups: t.Sequence[t.Mapping[str, t.Any]], name: str, version: int | None) -> list[dict[str, t.Any]]:
    """What ``state=absent`` deletes: that version of ``name``, or every version; none when it
    is already gone (absent is idempotent)."""
    return [dict(backup) for backup in backups_named(versions(backups), name) if version is None or backup["version"] == version]


def check_listing(backups: t.Any, field: str = "backups") -> list[dict[str, t.Any]]:
    """A node's backups as ``apphost_backup_list`` listed them earlier in the run (each with a
    string ``name``); else :class:`InvalidInput` naming ``field``."""
    listed = []
    for index, backup in enumerate(backups):
        if not isinstance(backup, t.Mapping) or not isinstance(backup.get("name"), str):
            raise InvalidInput(
                f"{field}[{index}]: is not an IIS configuration backup as the node lists it (a folder name and a date); "
                "give the backups apphost_backup_list returned on the same node"
            )
        listed.append(dict(backup))
    return listed
