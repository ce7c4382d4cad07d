# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.domain_account: a domain user for IIS, on a domain
controller (KB Q249603 steps 1-3)."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._account_names import (
    USER_NAME_MAX_LENGTH,
    check_same_domain,
    parse_account_name,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._domain_account import (
    DOMAIN_USERS,
    PASSWORD_REF,
    UPDATE_PASSWORD_MODES,
    UPDATE_WHEN_CHANGED,
    AccountState,
    DesiredAccount,
    password_rejected,
    plan_account,
    predicted_account,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._host_facts import (
    HOST_FACTS,
    HostFacts,
    require_domain_controller,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import (
    Instruction,
    NodeOpError,
    NodeSession,
)

_NERR_PASSWORD_TOO_SHORT = 2245


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
        password = args["password"]
        desired = DesiredAccount(
            name=name.account,
            state=args["state"],
            password_given=password is not None,
            update_password=args["update_password"],
            description=args["description"],
            enabled=args["enabled"],
            password_never_expires=args["password_never_expires"],
            user_cannot_change_password=args["user_cannot_change_password"],
            groups=groups,
            adopt=args["adopt"],
        )
        secrets = {PASSWORD_REF: password} if password is not None else {}
        read_back = Instruction("domain_user_get", {"name": name.account})
        query = [HOST_FACTS, read_back]
        wants_password = password is not None and desired.state == "present"
        asks_match = wants_password and desired.update_password == UPDATE_WHEN_CHANGED
        if asks_match:
            query.append(Instruction("domain_user_password_matches", {"name": name.account, "secret": PASSWORD_REF}))
        if wants_password:
            query.append(Instruction("domain_password_policy_get"))

        outcomes = session.run(query, secrets)
        facts = HostFacts.from_report(session.checked(outcomes[:1])[0])
        require_domain_controller(facts, session.host, self._task.action)
        values = session.checked(outcomes)
        check_same_domain(name, "name", facts.domain, facts.dns_domain)
        current = AccountState.from_report(values[1]) if values[1] is not None else None
        changes = plan_account(desired, current, values[2] if asks_match else None)

        after = predicted_account(desired, current)
        if changes and not self.check_mode:
            try:
                applied = session.values([*instructions_of(changes), read_back], secrets)
            except NodeOpError as error:
                if error.code == _NERR_PASSWORD_TOO_SHORT:
                    raise password_rejected("password", name.account, str(facts.domain), values[-1]) from None
                raise
            after = AccountState.from_report(applied[-1]) if applied[-1] is not None else None

        result: dict[str, t.Any] = {
            "changed": bool(changes),
            "name": name.account,
            "qualified_name": name.qualified(str(facts.domain)),
            "domain_controller": facts.name,
            "before": current.as_result() if current else None,
            "after": after.as_result() if after else None,
            "password_changed": any(change.secret for change in changes),
        }
        if self.diff_mode:
            result["diff"] = render_diff(changes, f"{session.host}:{facts.domain}")
        return result
