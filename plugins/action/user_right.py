# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.user_right: accounts effectively hold a user right on a
node (KB Q249603 step 5)."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._account_names import parse_account_name
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._user_rights import (
    MODE_EFFECTIVE,
    MODES,
    Holder,
    Token,
    check_right_name,
    effective_grant,
    plan_right,
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
        read_back = Instruction("user_rights_get", {"right": right})
        report, *tokens = session.values(
            [read_back, *(Instruction("account_token_get", {"name": name}) for name in names)]
        )
        holders = [Holder.from_report(holder) for holder in report["holders"]]
        decisions = [
            plan_right(right, name, Token.from_report(token) if token else None, holders, args["mode"], check_mode=self.check_mode)
            for name, token in zip(names, tokens)
        ]
        changes = [decision.change for decision in decisions if decision.change is not None]

        afters = [decision.predicted() for decision in decisions]
        if instructions_of(changes) and not self.check_mode:
            applied = session.values([*instructions_of(changes), read_back])[-1]
            holders = [Holder.from_report(holder) for holder in applied["holders"]]
            afters = [effective_grant(decision.token, holders) if decision.token else None for decision in decisions]

        result: dict[str, t.Any] = {
            "changed": bool(changes),
            "right": right,
            "mode": args["mode"],
            "accounts": [decision.as_result(after) for decision, after in zip(decisions, afters)],
        }
        if self.diff_mode:
            result["diff"] = render_diff(changes, f"{session.host}:{right}")
        return result
