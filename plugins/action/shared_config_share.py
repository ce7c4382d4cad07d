# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.shared_config_share: the share that serves Shared
Configuration, on the host that serves it."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._shared_config import (
    check_folder,
    check_reader,
    check_unc_path,
    plan_share,
    share_query,
)


class ActionModule(NodeAction):
    argument_spec = {
        "path": {"type": "str", "required": True},
        "folder": {"type": "str", "required": True},
        "read": {"type": "list", "elements": "str", "default": []},
        "change": {"type": "list", "elements": "str", "default": []},
        "info": {"type": "dict"},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        unc = check_unc_path(args["path"])
        folder = check_folder(args["folder"])
        read = [check_reader(account, "read") for account in args["read"]]
        # The share's administrators: local groups (BUILTIN\Administrators) are fine here.
        change = list(args["change"])
        if args["info"] is not None:
            if "share" not in args["info"]:
                raise InvalidInput("info: is not the share host's shared_config_info result (scope=share)")
            current = args["info"]["share"]
        else:
            (current,) = session.values([share_query(unc.share)])
        plan = plan_share(current, unc.share, folder, read, change)
        result = plan.as_result()
        if plan.change is not None and not self.check_mode:
            result["current"] = session.values([*plan.change.instructions, share_query(unc.share)])[-1]
        if self.diff_mode:
            result["diff"] = render_diff([plan.change] if plan.change else [], f"{session.host}:{unc.share}")
        return result
