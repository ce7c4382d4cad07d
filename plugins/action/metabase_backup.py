# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.metabase_backup: named, dated metabase backups, and restoring one."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_backup import (
    backup_to_restore,
    backups_named,
    check_backup_name,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession

_LIST = Instruction("metabase_backup_list")


class ActionModule(NodeAction):
    argument_spec = {
        "name": {"type": "str", "required": True},
        "version": {"type": "int"},
        "state": {"type": "str", "choices": ["present", "restored"], "default": "present"},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        name = check_backup_name(args["name"])
        if args["state"] == "present" and args["version"] is not None:
            raise InvalidInput("version: only state=restored takes a version; a new backup gets the next free one")
        (backups,) = session.values([_LIST])

        if args["state"] == "restored":
            backup = backup_to_restore(backups, name, args["version"])
            if not self.check_mode:
                restore = Instruction("metabase_backup_restore", {"name": backup["name"], "version": backup["version"]})
                backups = session.values([restore, _LIST])[1]
            return {"changed": True, "backup": dict(backup), "backups": backups}

        existing = backups_named(backups, name)
        if existing:
            return {"changed": False, "backup": dict(existing[-1]), "backups": backups}
        if self.check_mode:
            return {"changed": True, "backup": {"name": name, "version": None, "date": None}, "backups": backups}
        created, backups = session.values([Instruction("metabase_backup_create", {"name": name}), _LIST])
        return {"changed": True, "backup": created, "backups": backups}
