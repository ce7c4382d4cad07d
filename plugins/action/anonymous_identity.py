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
    stale_overrides,
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
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_backup import (
    BACKUP_FIRST_OPTION,
    BACKUP_LIST,
    BackupFirst,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import (
    Instruction,
    NodeSession,
    Outcome,
)


# HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND): the service's metabase key does not exist.
_PATH_NOT_FOUND = 0x80070003


class ActionModule(NodeAction):
    argument_spec = {
        "site": {"type": "str", "required": True},
        "service": {"type": "str", "choices": list(SERVICES), "default": "W3SVC"},
        "path": {"type": "str"},
        "user": {"type": "str", "required": True},
        "password": {"type": "str", "required": True, "no_log": True},
        "overrides": {"type": "str", "choices": [OVERRIDES_REPORT, OVERRIDES_INHERIT], "default": OVERRIDES_REPORT},
        "verify": {"type": "bool", "default": True},
        "skip_missing_service": {"type": "bool", "default": False},
        "backup": BACKUP_FIRST_OPTION,
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        user = str(parse_account_name(args["user"], "user"))
        backup = BackupFirst.from_option(args["backup"])
        site = str(args["site"]).strip()
        below = normalize_path(args["path"]) if args["path"] else None
        listing = Instruction("metabase_sites_get", {"service": args["service"]})
        missing = {"changed": False, "skipped": True, "msg": f"{args['service']} is not installed on {session.host}"}
        # A site given by number needs no listing first: whether the service is installed is then
        # asked at the head of the query, which stops there when it is not.
        numbered = site.isascii() and site.isdigit()
        sites = None
        if not numbered:
            (listed,) = session.run([listing], stop_on_error=False)
            if args["skip_missing_service"] and _not_installed(listed):
                return missing
            (sites,) = session.checked([listed])
        path = site_path(args["service"], site, sites)
        if below:
            path = f"{path}/{below}"
        secrets = {SECRET_REF: args["password"]}

        check = Instruction("anonymous_logon_check", {"path": path})
        # The proof: the logon IIS will make with the new user and password at this key, made
        # before anything is written, so that a refusal leaves the site logging on as before.
        proof = Instruction("anonymous_logon_check", {"path": path, "user": user, "secret": SECRET_REF})
        query = [
            Instruction("metabase_get", {"path": path, "properties": list(ANONYMOUS_PROPERTIES)}),
            Instruction("metabase_secret_matches", {"path": path, "property": "AnonymousUserPass", "secret": SECRET_REF}),
            *(Instruction("metabase_data_paths", {"path": path, "property": name}) for name in ANONYMOUS_PROPERTIES),
            check,
            proof,
            *([BACKUP_LIST] if backup else []),
        ]
        lead = [listing] if args["skip_missing_service"] and numbered else []
        outcomes = session.run([*lead, *query], secrets)
        if lead and _not_installed(outcomes[0]):
            return missing
        answers = session.checked(outcomes)[len(lead) :]
        backups = answers.pop() if backup else []
        report, password_matches, *data_paths, logon, proven = answers
        refused = logon_problem(proven, password="the password given")
        # In check mode the earlier steps changed nothing either (the account may not exist yet):
        # the refusal is told in the result, not final.
        if refused is not None and args["verify"] and not self.check_mode:
            return {
                "changed": False,
                "failed": True,
                "path": path,
                "metabase_path": metabase_path(path),
                "user": user,
                "anonymous_logon": _logon_result(proven, refused),
                "msg": f"anonymous requests to {metabase_path(path)} on {session.host} would not log on: {refused}; "
                "nothing was changed",
            }
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
        # Overrides left in place (report mode) keep their own anonymous logon: read how it fares.
        kept = [] if args["overrides"] == OVERRIDES_INHERIT else list(overrides)
        override_checks = [Instruction("anonymous_logon_check", {"path": key}) for key in kept]

        after = {name: predicted(property_changes[name], current[name], None) for name in ANONYMOUS_PROPERTIES}
        override_logons: list[t.Any] = []
        # The backup goes first in the batch that writes: if it fails, nothing is written.
        backup_first = backup.instructions(backups) if backup and changes else []
        made = backup.planned() if backup_first else None
        if changes and not self.check_mode:
            applied = session.values([*backup_first, *instructions_of(changes), check, *override_checks], secrets)
            made = applied[0] if backup_first else None
            logon, *override_logons = applied[-1 - len(override_checks) :]
        else:
            if changes:
                logon = proven
            if override_checks:
                override_logons = session.values(override_checks)

        problem = logon_problem(logon)
        stale = stale_overrides(override_logons)
        result: dict[str, t.Any] = {
            "changed": bool(changes),
            "path": path,
            "metabase_path": metabase_path(path),
            "user": user,
            "before": {name: state.as_result() for name, state in current.items()},
            "after": {name: state.as_result() for name, state in after.items()},
            "overrides": [{"path": key, "properties": names} for key, names in overrides.items()],
            "overrides_removed": bool(overrides) and args["overrides"] == OVERRIDES_INHERIT,
            "stale_overrides": stale,
            "anonymous_logon": _logon_result(logon, problem),
        }
        if made is not None:
            result["backup"] = made
        if stale:
            result["warnings"] = [
                f"anonymous requests to /LM/{entry['path']} on {session.host} do not log on: {entry['problem']}; "
                "that key overrides the site's anonymous identity: set overrides=inherit to clear it"
                for entry in stale
            ]
        if self.diff_mode:
            result["diff"] = render_diff(changes, f"{session.host}:{metabase_path(path)}")
        if args["verify"] and not self.check_mode and problem is not None:
            result["failed"] = True
            result["msg"] = f"anonymous requests to {metabase_path(path)} on {session.host} would not log on: {problem}"
        return result


def _not_installed(listed: Outcome) -> bool:
    """Whether ``metabase_sites_get`` found no key for the service: it is not installed."""
    return listed.status != "ok" and listed.error_code == _PATH_NOT_FOUND


def _logon_result(logon: t.Mapping[str, t.Any], problem: str | None) -> dict[str, t.Any]:
    return {
        "account": logon.get("account"),
        "logon_method": logon["logon_method"],
        "works": problem is None,
        "problem": problem,
    }
