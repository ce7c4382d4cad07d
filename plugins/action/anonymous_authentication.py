# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.anonymous_authentication: KB Q249603 step 6 on an IIS
7-10 node, the site's anonymous user at its location, in one query and one apply."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._anonymous_authentication import (
    LOGON_METHODS,
    anonymous_user,
    locations_below,
    overrides,
    plan_overrides,
    plan_site,
    proof_problem,
    queries,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._apphost_backup import BACKUP_LIST, ApphostBackupFirst
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iis_identity import OVERRIDES_INHERIT, OVERRIDES_REPORT
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_backup import BACKUP_FIRST_OPTION
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._web_config import SECRET_REF, ElementState


class ActionModule(NodeAction):
    argument_spec = {
        "site": {"type": "str", "required": True},
        "applications": {"type": "list", "elements": "str", "default": []},
        "user": {"type": "str", "default": ""},
        "password": {"type": "str", "no_log": True},
        "logon_method": {"type": "str", "choices": list(LOGON_METHODS), "default": "ClearText"},
        "overrides": {"type": "str", "choices": [OVERRIDES_REPORT, OVERRIDES_INHERIT], "default": OVERRIDES_REPORT},
        "probe": {"type": "bool", "default": False},
        "backup": BACKUP_FIRST_OPTION,
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        password = args["password"]
        asked = anonymous_user(args["site"], args["user"], password is not None, args["logon_method"])
        below = locations_below(asked.site, args["applications"])
        secrets = {SECRET_REF: password} if password is not None else {}
        backup = None if args["probe"] else ApphostBackupFirst.from_option(args["backup"])
        answers = list(session.values([*queries(asked, below), *([BACKUP_LIST] if backup else [])], secrets))
        backups = answers.pop() if backup else []
        site = ElementState.from_report(answers.pop(0))
        matches = bool(answers.pop(0)) if asked.password else None
        elements = {location: ElementState.from_report(answers.pop(0)) for location in below}
        result: dict[str, t.Any] = {"site": asked.site, "user": asked.shown_user, "logon_method": asked.logon_method}
        if asked.password:
            refused = proof_problem(asked, answers.pop(0))
            if refused is not None:
                message = f"the anonymous user {asked.user} does not log on on {session.host}: {refused}; nothing was changed"
                # In check mode steps 1-5 changed nothing either (the account may not exist yet): told, not final.
                if not self.check_mode:
                    raise InvalidInput(message)
                result["warnings"] = [message]
        if args["probe"]:
            return {**result, "changed": False}
        found = overrides(elements)
        changes = plan_site(asked, site, matches) + plan_overrides(asked, found, elements, args["overrides"])
        # The backup first, in the batch that writes: if it fails, nothing is written.
        backup_first = backup.instructions(backups) if backup and changes else []
        if backup_first:
            result["backup"] = backup.planned(backups)
        if changes and not self.check_mode:
            written = session.values([*backup_first, *instructions_of(changes)], secrets)
            if backup_first:
                result["backup"] = backup.made(backups, written[0])
        result.update(
            changed=bool(changes),
            overrides=found,
            inherited=[entry["location"] for entry in found] if args["overrides"] == OVERRIDES_INHERIT else [],
        )
        if self.diff_mode:
            result["diff"] = render_diff(changes, f"{session.host}:{asked.where}")
        return result
