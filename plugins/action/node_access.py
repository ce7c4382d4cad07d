# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.node_access: KB Q249603 steps 4-5 on one node, the
local group and the user rights, in one query and (when something changes) one apply."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._account_names import parse_account_name
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._host_facts import HOST_FACTS, HostFacts
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._principals import (
    LocalGroup,
    check_local_group_name,
    membership_queries,
    plan_group,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._user_rights import (
    MODE_EFFECTIVE,
    MODES,
    check_right_name,
    plan_rights,
    right_queries,
)

SKIPPED_ON_DOMAIN_CONTROLLER = "domain controller: no local groups, KB step 4 does not apply"


class ActionModule(NodeAction):
    argument_spec = {
        "group": {"type": "str", "default": "Users"},
        "members": {"type": "list", "elements": "str", "required": True},
        "rights": {
            "type": "list",
            "elements": "dict",
            "required": True,
            "options": {
                "right": {"type": "str", "required": True},
                "accounts": {"type": "list", "elements": "str", "required": True},
                "mode": {"type": "str", "choices": list(MODES), "default": MODE_EFFECTIVE},
            },
        },
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        group = check_local_group_name(args["group"])
        members = [str(parse_account_name(member, "members")) for member in args["members"]]
        asked = [
            (check_right_name(entry["right"]), [str(parse_account_name(name, "rights.accounts")) for name in entry["accounts"]], entry["mode"])
            for entry in args["rights"]
        ]

        # One execution: who the node is, the group and every right. On a domain controller the
        # group's answer is not used (its local groups are the domain's, and the KB skips step 4).
        queries = [[HOST_FACTS], membership_queries(group, members), *(right_queries(right, names) for right, names, _mode in asked)]
        facts, membership_values, *rights_values = session.query(queries)
        node = HostFacts.from_report(session.checked(facts)[0])
        membership = None
        if not node.is_domain_controller:
            membership = plan_group(group, members, session.checked(membership_values), "present", check_mode=self.check_mode)
        # Step 5 is planned on the group as step 4 leaves it: an account about to join Users gets
        # "Log on locally" through it, as the KB intends, not by a direct grant.
        joining = (membership.current.principal, membership.joining()) if membership else None
        rights = [
            plan_rights(right, names, session.checked(values), mode, check_mode=self.check_mode, joining=joining)
            for (right, names, mode), values in zip(asked, rights_values)
        ]

        changes = [*(membership.changes if membership else []), *(change for plan in rights for change in plan.changes)]
        after_group = membership.current if membership else None
        applied: list[t.Any] = [None] * len(rights)
        if instructions_of(changes) and not self.check_mode:
            read_backs = [*([membership.read_back] if membership else []), *(plan.read_back for plan in rights)]
            reports = session.values([*instructions_of(changes), *read_backs])[-len(read_backs):]
            if membership:
                after_group, *applied = LocalGroup.from_report(reports[0]), *reports[1:]
            else:
                applied = reports

        result: dict[str, t.Any] = {
            "changed": bool(changes),
            "is_domain_controller": node.is_domain_controller,
            "membership": (
                membership.as_result(after_group)
                if membership and after_group
                else {"changed": False, "skipped": True, "msg": SKIPPED_ON_DOMAIN_CONTROLLER}
            ),
            "rights": [plan.as_result(report) for plan, report in zip(rights, applied)],
        }
        if self.diff_mode:
            diffs = [render_diff(membership.changes, f"{session.host}:{membership.current.principal.name}")] if membership else []
            result["diff"] = [*diffs, *(render_diff(plan.changes, f"{session.host}:{plan.right}") for plan in rights)]
        return result
