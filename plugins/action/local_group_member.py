# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.local_group_member: accounts in a node's local group
(KB Q249603 step 4)."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._account_names import parse_account_name
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._principals import (
    LocalGroup,
    check_local_group_name,
    membership_queries,
    plan_group,
)


class ActionModule(NodeAction):
    argument_spec = {
        "group": {"type": "str", "default": "Users"},
        "members": {"type": "list", "elements": "str", "required": True},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        group = check_local_group_name(args["group"])
        names = [str(parse_account_name(member, "members")) for member in args["members"]]
        plan = plan_group(group, names, session.values(membership_queries(group, names)), args["state"], check_mode=self.check_mode)
        after = plan.current
        if instructions_of(plan.changes) and not self.check_mode:
            after = LocalGroup.from_report(session.values([*instructions_of(plan.changes), plan.read_back])[-1])
        result = plan.as_result(after)
        if self.diff_mode:
            result["diff"] = render_diff(plan.changes, f"{session.host}:{plan.current.principal.name}")
        return result
