# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Metabase backups (IIsComputer.Backup): names IIS can store, and choosing the versions to
restore, delete or prune.

This is for internal collection use only; the API may change at any time.

IIS keeps a backup under a location name of up to 100 characters (MD_BACKUP_MAX_LEN), as the
files ``<name>.MD<version>`` and ``<name>.SC<version>`` of ``%SystemRoot%\\system32\\inetsrv\\MetaBack``;
each backup of a name gets the next version number (MD_BACKUP_NEXT_VERSION), and IIS records the
time it was made. Backups are listed as ``metabase_backup_list`` returns them:
``{"name", "version", "date"}``.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ._input import InvalidInput
from ._node_session import Instruction

_MAX_NAME = 100
MAX_KEEP = 20
"""The most versions of one name a retention keeps."""

# [MS-IMSA] 3.1.4.15: the metabase refuses a backup name holding any of these (E_INVALIDARG).
_METABASE_REFUSES = frozenset("/\\*.?\"&!@#$%^()=+|`~")
# What a Windows file name cannot hold besides: the name becomes one.
_NOT_IN_FILE_NAMES = frozenset(':<>')
# Win32 maps these names to devices whatever extension follows, so ``CON.MD0`` is not a file.
_DEVICE_NAME = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\..*)?$", re.IGNORECASE)


def check_backup_name(name: str, field: str = "name") -> str:
    """A backup location name IIS can store; else :class:`InvalidInput` naming ``field`` and the rule."""
    if not name or len(name) > _MAX_NAME:
        raise InvalidInput(f"{field}: a metabase backup name has 1 to {_MAX_NAME} characters, not {len(name)}")
    if name in (".", "..") or name.rstrip(". ") != name:
        raise InvalidInput(f"{field}: {name!r} cannot name a metabase backup (a file name cannot be . or .. or end in a dot or space)")
    if _DEVICE_NAME.match(name.rstrip()):
        raise InvalidInput(
            f"{field}: {name!r} cannot name a metabase backup (it is a reserved Windows device name: "
            "CON, PRN, AUX, NUL, COM1-COM9, LPT1-LPT9, with or without an extension)"
        )
    if (_METABASE_REFUSES | _NOT_IN_FILE_NAMES) & set(name) or any(ord(char) < 32 for char in name):
        raise InvalidInput(
            f"{field}: {name!r} cannot name a metabase backup (IIS refuses any of "
            f"{''.join(sorted(_METABASE_REFUSES | _NOT_IN_FILE_NAMES))} and control characters in it)"
        )
    return name


def check_keep(keep: int, field: str = "keep") -> int:
    """A retention: how many versions of a name to keep, 1 to :data:`MAX_KEEP`."""
    if not 1 <= keep <= MAX_KEEP:
        raise InvalidInput(f"{field}: must be from 1 to {MAX_KEEP}; got {keep}")
    return keep


def check_keep_option(state: str, keep: int | None) -> None:
    """A backup module's ``keep``: only ``state=new`` prunes, to a retention :func:`check_keep`
    allows; else :class:`InvalidInput`."""
    if keep is None:
        return
    if state != "new":
        raise InvalidInput(f"keep: only state=new prunes old versions; state={state} keeps every version")
    check_keep(keep)


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


def backups_to_delete(
    backups: t.Sequence[t.Mapping[str, t.Any]], name: str, version: int | None
) -> list[t.Mapping[str, t.Any]]:
    """What ``state=absent`` deletes: that version of ``name``, or every version; none when it
    is already gone (absent is idempotent)."""
    return [backup for backup in backups_named(backups, name) if version is None or backup["version"] == version]


def backups_to_prune(
    backups: t.Sequence[t.Mapping[str, t.Any]], name: str, keep: int, adding: int = 0
) -> list[t.Mapping[str, t.Any]]:
    """The oldest versions of ``name`` beyond the newest ``keep``, once ``adding`` more are made."""
    existing = backups_named(backups, name)
    excess = len(existing) + adding - keep
    return existing[: max(excess, 0)]


BACKUP_FIRST_OPTION: dict[str, t.Any] = {
    "type": "dict",
    "options": {
        "name": {"type": "str", "required": True},
        "keep": {"type": "int", "default": 5},
    },
}
"""The ``backup`` option of a module that changes the metabase: a new version of the backup
``name``, made in the same batch just before the change, the newest ``keep`` versions kept."""


@dataclasses.dataclass(frozen=True)
class BackupFirst:
    """A new backup version made right before a change, pruned to a retention (``keep``; None
    keeps every version)."""

    name: str
    keep: int | None

    @classmethod
    def from_option(cls, option: t.Mapping[str, t.Any] | None, field: str = "backup") -> BackupFirst | None:
        """The ``backup`` option checked, or None when the task asks for no backup."""
        if option is None:
            return None
        return cls(check_backup_name(option["name"], f"{field}.name"), check_keep(option["keep"], f"{field}.keep"))

    def pruned(self, backups: t.Sequence[t.Mapping[str, t.Any]]) -> list[t.Mapping[str, t.Any]]:
        """The versions the new one makes one too many, oldest first."""
        return [] if self.keep is None else backups_to_prune(backups, self.name, self.keep, adding=1)

    def instructions(self, backups: t.Sequence[t.Mapping[str, t.Any]]) -> list[Instruction]:
        """The backup, then the deletion of the versions it makes one too many; the batch stops
        at the first failure, so a backup that fails leaves the change after it unmade."""
        create = Instruction("metabase_backup_create", {"name": self.name})
        return [create, *(backup_delete(backup) for backup in self.pruned(backups))]

    def planned(self) -> dict[str, t.Any]:
        """What check mode reports: the version is IIS's choice, known once it is made."""
        return {"name": self.name, "version": None, "date": None}


BACKUP_LIST = Instruction("metabase_backup_list")


def check_listing(backups: t.Any, field: str = "backups") -> list[dict[str, t.Any]]:
    """A node's backups as ``metabase_backup_list`` listed them earlier in the run (each with a
    ``name`` and an integer ``version``); else :class:`InvalidInput` naming ``field``."""
    listed = []
    for index, backup in enumerate(backups):
        if (
            not isinstance(backup, t.Mapping)
            or not isinstance(backup.get("name"), str)
            or not isinstance(backup.get("version"), int)
            or isinstance(backup.get("version"), bool)
        ):
            raise InvalidInput(
                f"{field}[{index}]: is not a metabase backup as the node lists it (a name and an integer version); "
                "give the backups of the same node's sync_node_info, run with backups: true"
            )
        listed.append(dict(backup))
    return listed


def backup_delete(backup: t.Mapping[str, t.Any]) -> Instruction:
    """The instruction deleting one backup version."""
    return Instruction("metabase_backup_delete", {"name": backup["name"], "version": backup["version"]})
