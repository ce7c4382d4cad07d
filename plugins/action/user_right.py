# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.user_right: accounts effectively hold a user right on a
node (KB Q249603 step 5)."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._account_names import parse_account_name
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._user_rights import (
    MODE_EFFECTIVE,
    MODES,
    check_right_name,
    plan_rights,
    right_queries,
)


class ActionModule(NodeAction):
    argument_spec = {
        "accounts": {"type": "list", "elements": "str", "required": True},
        "right": {"type": "str", "default": "SeInteractiveLogonRight"},
        "mode": {"type": "str", "choices": list(MODES), "default": MODE_EFFECTIVE},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        right = check_right_name(args["right"])
        names = [str(parse_account_name(account, "accounts")) for account in args["accounts"]]
        plan = plan_rights(right, names, session.values(right_queries(right, names)), args["mode"], check_mode=self.check_mode)
        applied = None
        if instructions_of(plan.changes) and not self.check_mode:
            applied = session.values([*instructions_of(plan.changes), plan.read_back])[-1]
        result = plan.as_result(applied)
        if self.diff_mode:
            result["diff"] = render_diff(plan.changes, f"{session.host}:{right}")
        return result
