# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.shared_config: a node reads its IIS configuration from
the share (enabled) or from a local copy of it (disabled)."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._apphost_backup import ApphostBackupFirst
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_backup import BACKUP_FIRST_OPTION
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._shared_config import (
    CONFIG_QUERY,
    KEY_SECRET,
    READER_SECRET,
    STATES,
    Desired,
    NodeReport,
    check_reader,
    check_unc_path,
    plan_node,
    query_node,
)


class ActionModule(NodeAction):
    argument_spec = {
        "state": {"type": "str", "choices": list(STATES), "default": "enabled"},
        "path": {"type": "str", "required": True},
        "user": {"type": "str", "required": True},
        "password": {"type": "str", "required": True, "no_log": True},
        "key_password": {"type": "str", "no_log": True},
        "export": {"type": "bool", "default": False},
        "backup": BACKUP_FIRST_OPTION,
        "info": {"type": "dict"},
    }
    required_if = [["state", "enabled", ["key_password"]]]

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        unc = check_unc_path(args["path"])
        user = check_reader(args["user"])
        backup = ApphostBackupFirst.from_option(args["backup"])
        secrets = {READER_SECRET: args["password"]}
        if args["key_password"] is not None:
            secrets[KEY_SECRET] = args["key_password"]
        # The node's report from an earlier task of the run (shared_config_info) spares a query.
        if args["info"] is not None:
            if "report" not in args["info"]:
                raise InvalidInput("info: is not this node's shared_config_info result (scope=node)")
            report = NodeReport.from_result(args["info"]["report"], "info.report")
        else:
            report = query_node(session, unc.path, user, secrets)
        plan = plan_node(report, Desired(args["state"], unc.path, user, args["export"], backup), check_mode=self.check_mode)
        result: dict[str, t.Any] = {
            "changed": bool(plan.changes),
            "state": args["state"],
            "switched": plan.switches,
            "exported": plan.exports,
            "right_granted": plan.grants,
            "backup": backup.planned(report.backups) if backup is not None and plan.switches else None,
            "shared_config": dict(report.config),
        }
        if plan.changes and not self.check_mode:
            answers = session.values([*plan.instructions, CONFIG_QUERY], secrets)
            result["shared_config"] = answers[-1]
            made = [answer for instruction, answer in zip(plan.instructions, answers) if instruction.op == "apphost_backup_create"]
            if made:
                result["backup"] = {**result["backup"], **made[0]}
        if self.diff_mode:
            result["diff"] = render_diff(plan.changes, f"{session.host}:shared configuration")
        return result
