# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.node_access: KB Q249603 steps 4-5 on one node, the
local group and the user rights (given, or derived from the logons IIS 7-10 makes), in one query
and (when something changes) one apply."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._account_names import parse_account_name
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._host_facts import HOST_FACTS, HostFacts
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._logon_rights import (
    ANONYMOUS_LOGON_RIGHTS,
    IIS_IUSRS,
    POOL_LOGON_RIGHTS,
    LogonNeed,
    anonymous_logon_need,
    pool_identity_need,
    rights_needed,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
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
            "default": [],
            "options": {
                "right": {"type": "str", "required": True},
                "accounts": {"type": "list", "elements": "str", "required": True},
                "mode": {"type": "str", "choices": list(MODES), "default": MODE_EFFECTIVE},
            },
        },
        "logons": {
            "type": "list",
            "elements": "dict",
            "default": [],
            "options": {
                "account": {"type": "str", "required": True},
                "logon": {"type": "str", "required": True, "choices": ["anonymous", "pool"]},
                "logon_method": {"type": "str", "choices": list(ANONYMOUS_LOGON_RIGHTS), "default": "ClearText"},
                "logon_type": {"type": "str", "choices": list(POOL_LOGON_RIGHTS), "default": "LogonBatch"},
                "manual_group_membership": {"type": "bool", "default": False},
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
        # Each logon's right, made effective where missing: IIS 7-10's step 5.
        derived = rights_needed(_logon_need(entry) for entry in args["logons"])
        needs = list(derived.values())
        asked += [(right, [need.account for need in right_needs], MODE_EFFECTIVE) for right, right_needs in derived.items()]
        # A pool's worker logs on with IIS_IUSRS in its token (WAS adds it), so its rights count.
        logon_groups = [[] for _entry in args["rights"]] + [
            [(IIS_IUSRS,) if need.pool_identity else () for need in right_needs] for right_needs in needs
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
            plan_rights(right, names, session.checked(values), mode, check_mode=self.check_mode, joining=joining, logon_groups=groups)
            for (right, names, mode), values, groups in zip(asked, rights_values, logon_groups)
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
        for entry, right_needs in zip(result["rights"][len(args["rights"]) :], needs):
            for account, need in zip(entry["accounts"], right_needs):
                account["needed_by"] = need.needed_by
        if self.diff_mode:
            diffs = [render_diff(membership.changes, f"{session.host}:{membership.current.principal.name}")] if membership else []
            result["diff"] = [*diffs, *(render_diff(plan.changes, f"{session.host}:{plan.right}") for plan in rights)]
        return result


def _logon_need(entry: t.Mapping[str, t.Any]) -> LogonNeed:
    """The right one of ``logons`` needs: the anonymous user's by its logonMethod, a pool
    identity's by its logonType (IIS_IUSRS counted unless manualGroupMembership)."""
    account = str(parse_account_name(entry["account"], "logons.account"))
    if entry["logon"] == "pool":
        return pool_identity_need(account, entry["logon_type"], entry["manual_group_membership"], "application pools")
    need = anonymous_logon_need("the sites", account, entry["logon_method"])
    if need is None:
        raise InvalidInput(
            f"logons.account: {entry['account']!r} is the built-in IUSR, which IIS logs on without a password and "
            "which needs no right granted; name the domain account the anonymous user logs on as"
        )
    return need
