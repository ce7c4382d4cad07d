# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.anonymous_identities: KB Q249603 step 6 for several sites
of a node (the web site and the FTP site), in one query and (when something changes) one apply."""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleActionFail

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._account_names import parse_account_name
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._anonymous_identity_run import Identity, SiteRequest, converge_sites
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iis_identity import OVERRIDES_INHERIT, OVERRIDES_REPORT, SERVICES
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_backup import BACKUP_FIRST_OPTION, BackupFirst
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession


class ActionModule(NodeAction):
    argument_spec = {
        "sites": {
            "type": "list",
            "elements": "dict",
            "required": True,
            "options": {
                "site": {"type": "str", "required": True},
                "service": {"type": "str", "choices": list(SERVICES), "default": "W3SVC"},
                "path": {"type": "str"},
                "skip_missing_service": {"type": "bool", "default": False},
            },
        },
        "user": {"type": "str", "required": True},
        "password": {"type": "str", "required": True, "no_log": True},
        "overrides": {"type": "str", "choices": [OVERRIDES_REPORT, OVERRIDES_INHERIT], "default": OVERRIDES_REPORT},
        "verify": {"type": "bool", "default": True},
        "backup": BACKUP_FIRST_OPTION,
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        if not args["sites"]:
            raise AnsibleActionFail(f"{self._task.action}: sites: give at least one site")
        identity = Identity(
            user=str(parse_account_name(args["user"], "user")),
            password=args["password"],
            overrides=args["overrides"],
            verify=args["verify"],
            backup=BackupFirst.from_option(args["backup"]),
        )
        requests = [
            SiteRequest(str(entry["site"]).strip(), entry["service"], entry["path"] or None, entry["skip_missing_service"])
            for entry in args["sites"]
        ]
        sites = converge_sites(session, requests, identity, check_mode=self.check_mode, diff_mode=self.diff_mode)
        result: dict[str, t.Any] = {"changed": any(site["changed"] for site in sites), "sites": sites}
        made = next((site["backup"] for site in sites if "backup" in site), None)
        if made is not None:
            result["backup"] = made
        warnings = [warning for site in sites for warning in site.get("warnings", [])]
        if warnings:
            result["warnings"] = warnings
        if self.diff_mode:
            result["diff"] = [site["diff"] for site in sites if "diff" in site]
        failed = next((site for site in sites if site.get("failed")), None)
        if failed is not None:
            result.update(failed=True, msg=failed["msg"])
        return result
