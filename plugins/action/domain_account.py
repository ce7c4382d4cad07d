# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.domain_account: a domain user for IIS, on a domain
controller (KB Q249603 steps 1-3)."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._account_names import USER_NAME_MAX_LENGTH, parse_account_name
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._domain_account import (
    DOMAIN_USERS,
    UPDATE_PASSWORD_MODES,
    UPDATE_WHEN_CHANGED,
    DesiredAccount,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._domain_account_run import AccountRequest, converge_accounts
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession


class ActionModule(NodeAction):
    argument_spec = {
        "name": {"type": "str", "required": True},
        "password": {"type": "str", "no_log": True},
        "update_password": {"type": "str", "choices": list(UPDATE_PASSWORD_MODES), "default": UPDATE_WHEN_CHANGED},
        "description": {"type": "str"},
        "enabled": {"type": "bool", "default": True},
        "password_never_expires": {"type": "bool", "default": True},
        "user_cannot_change_password": {"type": "bool", "default": True},
        "groups": {"type": "list", "elements": "str", "default": [DOMAIN_USERS]},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        "adopt": {"type": "bool", "default": False},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        name = parse_account_name(args["name"], "name", USER_NAME_MAX_LENGTH)
        groups = tuple(parse_account_name(group, "groups").account for group in args["groups"])
        desired = DesiredAccount(
            name=name.account,
            state=args["state"],
            password_given=args["password"] is not None,
            update_password=args["update_password"],
            description=args["description"],
            enabled=args["enabled"],
            password_never_expires=args["password_never_expires"],
            user_cannot_change_password=args["user_cannot_change_password"],
            groups=groups,
            adopt=args["adopt"],
        )
        request = AccountRequest(name, desired, args["password"])
        (result,), diffs, _no_gmsa = converge_accounts(
            session, [request], module=self._task.action, check_mode=self.check_mode, diff_mode=self.diff_mode
        )
        if diffs:
            result["diff"] = diffs[0]
        return result
