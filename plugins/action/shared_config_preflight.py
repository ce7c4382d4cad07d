# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.shared_config_preflight: the cluster's verdict on
Shared Configuration from every node's and the share host's reports, before any change."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import ValidatedAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._shared_config import (
    STATES,
    Desired,
    NodeReport,
    check_folder,
    check_reader,
    check_unc_path,
    plan_share,
    preflight,
)


class ActionModule(ValidatedAction):
    argument_spec = {
        "nodes": {"type": "dict", "required": True},
        "share": {"type": "dict", "required": True},
        "share_host": {"type": "str"},
        "source": {"type": "str", "required": True},
        "path": {"type": "str", "required": True},
        "folder": {"type": "str", "required": True},
        "user": {"type": "str", "required": True},
        "writers": {"type": "list", "elements": "str", "default": []},
        "state": {"type": "str", "choices": list(STATES), "default": "enabled"},
    }

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars)
        args = self._validated_args()
        try:
            result.update(self._verdict(args))
        except InvalidInput as error:
            result.update(failed=True, msg=f"{self._task.action}: {error}")
        return result

    def _verdict(self, args: dict[str, t.Any]) -> dict[str, t.Any]:
        unc = check_unc_path(args["path"])
        user = check_reader(args["user"])
        if args["source"] not in args["nodes"]:
            raise InvalidInput(f"source: {args['source']!r} is not one of the nodes reported ({', '.join(sorted(args['nodes']))})")
        if "share" not in args["share"]:
            raise InvalidInput("share: is not the share host's shared_config_info result (scope=share)")
        share = plan_share(args["share"]["share"], unc.share, check_folder(args["folder"]), [user], args["writers"])
        reports = {host: NodeReport.from_result(info.get("report") or {}, f"nodes.{host}") for host, info in args["nodes"].items()}
        desired = {host: Desired(args["state"], unc.path, user, export=host == args["source"]) for host in reports}
        verdict = preflight(
            reports,
            share,
            desired,
            check_mode=bool(self._task.check_mode),
            reader_logon=args["share"].get("reader_logon"),
            share_host=args["share_host"] or "the share host",
        )
        result: dict[str, t.Any] = {
            "changed": False,
            "switching": list(verdict.switching),
            "export": verdict.exports,
            "share_changes": share.change is not None,
            "warnings": list(verdict.warnings),
        }
        if verdict.problems:
            result.update(
                failed=True,
                problems=list(verdict.problems),
                msg="Shared configuration cannot be set up; nothing was changed: " + " | ".join(verdict.problems),
            )
        return result
