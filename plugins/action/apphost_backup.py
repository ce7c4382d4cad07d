# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.apphost_backup: IIS 7-10 configuration backups by name
and version, made, pruned and deleted."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._apphost_backup import (
    BACKUP_LIST,
    ApphostBackupFirst,
    backup_delete,
    backups_to_delete,
    check_backup_name,
    check_listing,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_backup import check_keep_option
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession


def _listed(backups: t.Sequence[t.Mapping[str, t.Any]]) -> list[dict[str, t.Any]]:
    return [{"name": backup["name"], "version": backup["version"], "folder": backup["folder"]} for backup in backups]


class ActionModule(NodeAction):
    argument_spec = {
        "name": {"type": "str", "required": True},
        "version": {"type": "int"},
        "state": {"type": "str", "choices": ["new", "absent"], "default": "new"},
        "keep": {"type": "int"},
        "backups": {"type": "list", "elements": "raw"},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        name = check_backup_name(args["name"])
        state, version, keep = args["state"], args["version"], args["keep"]
        if version is not None and state != "absent":
            raise InvalidInput(f"version: only state=absent takes a version; state={state} makes the next one")
        check_keep_option(state, keep)
        # The node's listing from an earlier task of the run spares an execution of its own.
        if args["backups"] is not None:
            backups = check_listing(args["backups"])
        else:
            (backups,) = session.values([BACKUP_LIST])

        if state == "absent":
            doomed = backups_to_delete(backups, name, version)
            if doomed and not self.check_mode:
                backups = session.values([*(backup_delete(backup["folder"]) for backup in doomed), BACKUP_LIST])[-1]
            return {"changed": bool(doomed), "deleted": _listed(doomed), "backups": backups}

        # A new version; the retention counts it, so the oldest go only once it exists.
        new = ApphostBackupFirst(name, keep)
        planned = new.planned(backups)
        doomed = new.pruned(backups)
        if self.check_mode:
            return {"changed": True, "backup": planned, "deleted": _listed(doomed), "backups": backups}
        answers = session.values([*new.instructions(backups), BACKUP_LIST])
        made = new.made(backups, answers[0])
        return {"changed": True, "backup": made, "deleted": _listed(doomed), "backups": answers[-1]}
