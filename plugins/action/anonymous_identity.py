# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.anonymous_identity: a site's anonymous user is a domain
account with its password (KB Q249603 step 6)."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._account_names import parse_account_name
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iis_identity import (
    ANONYMOUS_PROPERTIES,
    OVERRIDES_INHERIT,
    OVERRIDES_REPORT,
    SERVICES,
    logon_problem,
    overrides_below,
    plan_overrides,
    site_path,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase import (
    SECRET_REF,
    DesiredProperty,
    PropertyState,
    metabase_path,
    normalize_path,
    plan_property,
    predicted,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession


class ActionModule(NodeAction):
    argument_spec = {
        "site": {"type": "str", "required": True},
        "service": {"type": "str", "choices": list(SERVICES), "default": "W3SVC"},
        "path": {"type": "str"},
        "user": {"type": "str", "required": True},
        "password": {"type": "str", "required": True, "no_log": True},
        "overrides": {"type": "str", "choices": [OVERRIDES_REPORT, OVERRIDES_INHERIT], "default": OVERRIDES_REPORT},
        "verify": {"type": "bool", "default": True},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        user = str(parse_account_name(args["user"], "user"))
        site = str(args["site"]).strip()
        below = normalize_path(args["path"]) if args["path"] else None
        sites = None
        if not site.isdigit():
            (sites,) = session.values([Instruction("metabase_sites_get", {"service": args["service"]})])
        path = site_path(args["service"], site, sites)
        if below:
            path = f"{path}/{below}"
        secrets = {SECRET_REF: args["password"]}

        check = Instruction("anonymous_logon_check", {"path": path})
        query = [
            Instruction("metabase_get", {"path": path, "properties": list(ANONYMOUS_PROPERTIES)}),
            Instruction("metabase_secret_matches", {"path": path, "property": "AnonymousUserPass", "secret": SECRET_REF}),
            *(Instruction("metabase_data_paths", {"path": path, "property": name}) for name in ANONYMOUS_PROPERTIES),
            check,
        ]
        report, password_matches, *data_paths, logon = session.values(query, secrets)
        current = {name: PropertyState.from_report(name, entry) for name, entry in report["properties"].items()}
        wanted = {
            "AnonymousUserName": DesiredProperty(path, "AnonymousUserName", value=user),
            "AnonymousUserPass": DesiredProperty(path, "AnonymousUserPass", secret=True),
            # IIS can sync the password of the node's own accounts only (legacy-iis.md).
            "AnonymousPasswordSync": DesiredProperty(path, "AnonymousPasswordSync", value=False),
        }
        property_changes = {
            name: plan_property(wanted[name], current[name], secret_matches=password_matches) for name in ANONYMOUS_PROPERTIES
        }
        overrides = overrides_below(path, dict(zip(ANONYMOUS_PROPERTIES, data_paths)))
        changes = [change for name in ANONYMOUS_PROPERTIES for change in property_changes[name]]
        changes += plan_overrides(overrides, args["overrides"])

        after = {name: predicted(property_changes[name], current[name], None) for name in ANONYMOUS_PROPERTIES}
        if changes and not self.check_mode:
            logon = session.values([*instructions_of(changes), check], secrets)[-1]

        problem = logon_problem(logon)
        result: dict[str, t.Any] = {
            "changed": bool(changes),
            "path": path,
            "metabase_path": metabase_path(path),
            "user": user,
            "before": {name: state.as_result() for name, state in current.items()},
            "after": {name: state.as_result() for name, state in after.items()},
            "overrides": [{"path": key, "properties": names} for key, names in overrides.items()],
            "overrides_removed": bool(overrides) and args["overrides"] == OVERRIDES_INHERIT,
            "anonymous_logon": {
                "account": logon.get("account"),
                "logon_method": logon["logon_method"],
                "works": problem is None,
                "problem": problem,
            },
        }
        if self.diff_mode:
            result["diff"] = render_diff(changes, f"{session.host}:{metabase_path(path)}")
        if args["verify"] and not self.check_mode and problem is not None:
            result["failed"] = True
            result["msg"] = f"anonymous requests to {metabase_path(path)} on {session.host} would not log on: {problem}"
        return result
