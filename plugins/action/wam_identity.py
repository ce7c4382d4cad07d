# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.wam_identity: IIS's out-of-process identity is a domain
account, in the metabase and in COM+ (KB Q249603 step 7 and synciwam.vbs)."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._account_names import parse_account_name
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iis_identity import (
    APPLICATION_LOGON_TYPE,
    ComApplication,
    application_problem,
    out_of_process_packages,
    plan_resync,
    proof_problem,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase import (
    SECRET_REF,
    DesiredProperty,
    PropertyState,
    adsutil_command,
    plan_property,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_backup import (
    BACKUP_FIRST_OPTION,
    BACKUP_LIST,
    BackupFirst,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession

_SERVICE = "W3SVC"
_PROPERTIES = ("WAMUserName", "WAMUserPass")


class ActionModule(NodeAction):
    argument_spec = {
        "user": {"type": "str", "required": True},
        "password": {"type": "str", "required": True, "no_log": True},
        "backup": BACKUP_FIRST_OPTION,
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        user = str(parse_account_name(args["user"], "user"))
        backup = BackupFirst.from_option(args["backup"])
        secrets = {SECRET_REF: args["password"]}
        catalog_read = Instruction("complus_catalog")
        identities = Instruction("iis_identities_check")
        answers = session.values(
            [
                Instruction("metabase_get", {"path": _SERVICE, "properties": list(_PROPERTIES)}),
                Instruction("metabase_secret_matches", {"path": _SERVICE, "property": "WAMUserPass", "secret": SECRET_REF}),
                Instruction("metabase_applications_get", {"path": _SERVICE}),
                catalog_read,
                identities,
                Instruction(
                    "account_logon_check", {"name": user, "secret": SECRET_REF, "logon_type": APPLICATION_LOGON_TYPE}
                ),
                *([BACKUP_LIST] if backup else []),
            ],
            secrets,
        )
        backups = answers.pop() if backup else []
        report, password_matches, applications, catalog, function, proof = answers
        # The password is proven with the logon COM+ makes for it before anything stores it: a
        # refusal leaves the metabase and COM+ as they were, still working.
        refused = proof_problem(user, proof, APPLICATION_LOGON_TYPE, "a COM+ server application's logon")
        # In check mode the earlier steps changed nothing either (the account may not exist yet):
        # the refusal is told, not final.
        if refused is not None and not self.check_mode:
            return {
                "changed": False,
                "failed": True,
                "user": user,
                "msg": f"the WAM identity {user} does not log on on {session.host}: {refused}; nothing was changed",
            }
        current = {name: PropertyState.from_report(name, entry) for name, entry in report["properties"].items()}
        metabase_changes = plan_property(
            DesiredProperty(_SERVICE, "WAMUserName", value=user), current["WAMUserName"]
        ) + plan_property(
            DesiredProperty(_SERVICE, "WAMUserPass", secret=True), current["WAMUserPass"], secret_matches=password_matches
        )
        packages = out_of_process_packages(applications)
        before = [ComApplication.from_report(application) for application in catalog["applications"]]
        failing = [app["id"] for app in function["applications"] if app["start_error"] is not None]
        com_changes, missing = plan_resync(bool(metabase_changes), packages, before, user, SECRET_REF, failing)
        # COM+ first, the metabase last: COM+ checks each identity as it saves it, so a refusal
        # stops the batch with the metabase unchanged and the next run plans the same work again;
        # an application set before the refusal runs as the proven identity, which works. The
        # metabase written first would instead be final while COM+ still holds the old one.
        changes = com_changes + metabase_changes

        # A metabase change is backed up first, in the batch that writes: if the backup fails,
        # nothing is written. COM+ changes alone are not in a metabase backup.
        backup_first = backup.instructions(backups) if backup and metabase_changes else []
        made = backup.planned() if backup_first else None
        after = before
        if changes and not self.check_mode:
            written = session.values([*backup_first, *instructions_of(changes), catalog_read, identities], secrets)
            made = written[0] if backup_first else None
            applied, function = written[-2:]
            after = [ComApplication.from_report(application) for application in applied["applications"]]

        updated = {instruction.args["id"].upper() for instruction in instructions_of(com_changes)}
        by_id = {application.id.upper(): application for application in after}
        start_problems = {app["id"].upper(): application_problem(app) for app in function["applications"]}
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
                    "problem": None if self.check_mode and package.upper() in updated else start_problems.get(package.upper()),
                }
                for package in packages
                if package.upper() in by_id
            ],
            "resynced": bool(com_changes),
            "missing_packages": missing,
        }
        if made is not None:
            result["backup"] = made
        if refused is not None:
            result["warnings"] = [f"the WAM identity {user} does not log on on {session.host} now: {refused}"]
        if self.diff_mode:
            result["diff"] = render_diff(changes, f"{session.host}:/LM/{_SERVICE}")
        broken = [entry for entry in result["applications"] if entry["problem"] is not None]
        if broken and not self.check_mode:
            result["failed"] = True
            result["msg"] = f"out-of-process applications on {session.host} do not start: " + "; ".join(
                entry["problem"] for entry in broken
            )
        return result
