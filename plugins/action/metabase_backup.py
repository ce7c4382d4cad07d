# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.metabase_backup: metabase backups by name and version,
made, pruned, deleted and restored."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_backup import (
    BACKUP_LIST,
    BackupFirst,
    backup_delete,
    backup_to_restore,
    backups_named,
    backups_to_delete,
    check_backup_name,
    check_keep_option,
    check_listing,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession

_VERSIONED = ("restored", "absent")


def _listed(backups: t.Sequence[t.Mapping[str, t.Any]]) -> list[dict[str, t.Any]]:
    return [{"name": backup["name"], "version": backup["version"]} for backup in backups]


class ActionModule(NodeAction):
    argument_spec = {
        "name": {"type": "str", "required": True},
        "version": {"type": "int"},
        "state": {"type": "str", "choices": ["present", "new", "restored", "absent"], "default": "present"},
        "keep": {"type": "int"},
        "backups": {"type": "list", "elements": "raw"},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        name = check_backup_name(args["name"])
        state, version, keep = args["state"], args["version"], args["keep"]
        if version is not None and state not in _VERSIONED:
            raise InvalidInput(f"version: only state=restored or absent takes a version; state={state} makes the next free one")
        check_keep_option(state, keep)
        # The node's listing from an earlier task of the run spares an execution of its own.
        if args["backups"] is not None:
            backups = check_listing(args["backups"])
        else:
            (backups,) = session.values([BACKUP_LIST])

        if state == "restored":
            backup = backup_to_restore(backups, name, version)
            if not self.check_mode:
                restore = Instruction("metabase_backup_restore", {"name": backup["name"], "version": backup["version"]})
                backups = session.values([restore, BACKUP_LIST])[1]
            return {"changed": True, "backup": dict(backup), "backups": backups}

        if state == "absent":
            doomed = backups_to_delete(backups, name, version)
            if doomed and not self.check_mode:
                backups = session.values([*map(backup_delete, doomed), BACKUP_LIST])[-1]
            return {"changed": bool(doomed), "deleted": _listed(doomed), "backups": backups}

        existing = backups_named(backups, name)
        if state == "present" and existing:
            return {"changed": False, "backup": dict(existing[-1]), "deleted": [], "backups": backups}
        # A new version; the retention counts it, so the oldest go only once it exists.
        new = BackupFirst(name, keep)
        doomed = new.pruned(backups)
        if self.check_mode:
            return {"changed": True, "backup": new.planned(), "deleted": _listed(doomed), "backups": backups}
        answers = session.values([*new.instructions(backups), BACKUP_LIST])
        return {"changed": True, "backup": answers[0], "deleted": _listed(doomed), "backups": answers[-1]}
