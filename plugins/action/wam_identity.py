# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.wam_identity: IIS's out-of-process identity is a domain
account, in the metabase and in COM+ (KB Q249603 step 7 and synciwam.vbs)."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._account_names import parse_account_name
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iis_identity import (
    ComApplication,
    out_of_process_packages,
    plan_resync,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase import (
    SECRET_REF,
    DesiredProperty,
    PropertyState,
    adsutil_command,
    plan_property,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession

_SERVICE = "W3SVC"
_PROPERTIES = ("WAMUserName", "WAMUserPass")


class ActionModule(NodeAction):
    argument_spec = {
        "user": {"type": "str", "required": True},
        "password": {"type": "str", "required": True, "no_log": True},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        user = str(parse_account_name(args["user"], "user"))
        secrets = {SECRET_REF: args["password"]}
        catalog_read = Instruction("complus_catalog")
        report, password_matches, applications, catalog = session.values(
            [
                Instruction("metabase_get", {"path": _SERVICE, "properties": list(_PROPERTIES)}),
                Instruction("metabase_secret_matches", {"path": _SERVICE, "property": "WAMUserPass", "secret": SECRET_REF}),
                Instruction("metabase_applications_get", {"path": _SERVICE}),
                catalog_read,
            ],
            secrets,
        )
        current = {name: PropertyState.from_report(name, entry) for name, entry in report["properties"].items()}
        metabase_changes = plan_property(
            DesiredProperty(_SERVICE, "WAMUserName", value=user), current["WAMUserName"]
        ) + plan_property(
            DesiredProperty(_SERVICE, "WAMUserPass", secret=True), current["WAMUserPass"], secret_matches=password_matches
        )
        packages = out_of_process_packages(applications)
        before = [ComApplication.from_report(application) for application in catalog["applications"]]
        com_changes, missing = plan_resync(bool(metabase_changes), packages, before, user, SECRET_REF)
        changes = metabase_changes + com_changes

        after = before
        if changes and not self.check_mode:
            applied = session.values([*instructions_of(changes), catalog_read], secrets)[-1]
            after = [ComApplication.from_report(application) for application in applied["applications"]]

        updated = {instruction.args["id"].upper() for instruction in instructions_of(com_changes)}
        by_id = {application.id.upper(): application for application in after}
        result: dict[str, t.Any] = {
            "changed": bool(changes),
            "user": user,
            "adsutil_commands": [
                adsutil_command(instruction, current[instruction.args["property"]].type)
                for instruction in instructions_of(metabase_changes)
            ],
            "applications": [
                {
                    "id": by_id[package.upper()].id,
                    "name": by_id[package.upper()].name,
                    "identity": user if self.check_mode and package.upper() in updated else by_id[package.upper()].identity,
                    "resynced": package.upper() in updated,
                }
                for package in packages
                if package.upper() in by_id
            ],
            "resynced": bool(com_changes),
            "missing_packages": missing,
        }
        if self.diff_mode:
            result["diff"] = render_diff(changes, f"{session.host}:/LM/{_SERVICE}")
        return result
