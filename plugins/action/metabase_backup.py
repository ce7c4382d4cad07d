# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.metabase_backup: metabase backups by name and version,
made, pruned, deleted and restored."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_backup import (
    backup_to_restore,
    backups_named,
    backups_to_delete,
    backups_to_prune,
    check_backup_name,
    check_keep,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession

_LIST = Instruction("metabase_backup_list")
_VERSIONED = ("restored", "absent")


def _delete(backup: t.Mapping[str, t.Any]) -> Instruction:
    return Instruction("metabase_backup_delete", {"name": backup["name"], "version": backup["version"]})


def _listed(backups: t.Sequence[t.Mapping[str, t.Any]]) -> list[dict[str, t.Any]]:
    return [{"name": backup["name"], "version": backup["version"]} for backup in backups]


class ActionModule(NodeAction):
    argument_spec = {
        "name": {"type": "str", "required": True},
        "version": {"type": "int"},
        "state": {"type": "str", "choices": ["present", "new", "restored", "absent"], "default": "present"},
        "keep": {"type": "int"},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        name = check_backup_name(args["name"])
        state, version, keep = args["state"], args["version"], args["keep"]
        if version is not None and state not in _VERSIONED:
            raise InvalidInput(f"version: only state=restored or absent takes a version; state={state} makes the next free one")
        if keep is not None and state != "new":
            raise InvalidInput(f"keep: only state=new prunes old versions; state={state} keeps every version")
        if keep is not None:
            check_keep(keep)
        (backups,) = session.values([_LIST])

        if state == "restored":
            backup = backup_to_restore(backups, name, version)
            if not self.check_mode:
                restore = Instruction("metabase_backup_restore", {"name": backup["name"], "version": backup["version"]})
                backups = session.values([restore, _LIST])[1]
            return {"changed": True, "backup": dict(backup), "backups": backups}

        if state == "absent":
            doomed = backups_to_delete(backups, name, version)
            if doomed and not self.check_mode:
                backups = session.values([*map(_delete, doomed), _LIST])[-1]
            return {"changed": bool(doomed), "deleted": _listed(doomed), "backups": backups}

        existing = backups_named(backups, name)
        if state == "present" and existing:
            return {"changed": False, "backup": dict(existing[-1]), "deleted": [], "backups": backups}
        # A new version; the retention counts it, so the oldest go only once it exists.
        doomed = backups_to_prune(backups, name, keep, adding=1) if keep is not None else []
        if self.check_mode:
            planned = {"name": name, "version": None, "date": None}
            return {"changed": True, "backup": planned, "deleted": _listed(doomed), "backups": backups}
        created, *_, backups = session.values(
            [Instruction("metabase_backup_create", {"name": name}), *map(_delete, doomed), _LIST]
        )
        return {"changed": True, "backup": created, "deleted": _listed(doomed), "backups": backups}
