# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.local_group_member: accounts in a node's local group
(KB Q249603 step 4)."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._account_names import parse_account_name
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._principals import (
    LocalGroup,
    Principal,
    check_local_group_name,
    plan_membership,
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
        read_back = Instruction("local_group_members_get", {"group": group})
        report, *principals = session.values(
            [read_back, *(Instruction("account_lookup", {"name": name}) for name in names)]
        )
        current = LocalGroup.from_report(report)
        wanted = [(name, Principal.from_report(found) if found else None) for name, found in zip(names, principals)]
        planned = plan_membership(group, current, wanted, args["state"], check_mode=self.check_mode)
        changes = list(planned.values())

        after = current
        if instructions_of(changes) and not self.check_mode:
            after = LocalGroup.from_report(session.values([*instructions_of(changes), read_back])[-1])

        result: dict[str, t.Any] = {
            "changed": bool(changes),
            "group": current.principal.as_result(),
            "members": [member.as_result() for member in after.members],
            "added": list(planned) if args["state"] == "present" else [],
            "removed": list(planned) if args["state"] == "absent" else [],
        }
        if self.diff_mode:
            result["diff"] = render_diff(changes, f"{session.host}:{current.principal.name}")
        return result
