# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.anonymous_identity: a site's anonymous user is a domain
account with its password (KB Q249603 step 6)."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._account_names import parse_account_name
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._anonymous_identity_run import Identity, SiteRequest, converge_sites
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iis_identity import OVERRIDES_INHERIT, OVERRIDES_REPORT, SERVICES
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_backup import BACKUP_FIRST_OPTION, BackupFirst
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession


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
        identity = Identity(
            user=str(parse_account_name(args["user"], "user")),
            password=args["password"],
            overrides=args["overrides"],
            verify=args["verify"],
            backup=BackupFirst.from_option(args["backup"]),
        )
        site = SiteRequest(str(args["site"]).strip(), args["service"], args["path"] or None, args["skip_missing_service"])
        (result,) = converge_sites(session, [site], identity, check_mode=self.check_mode, diff_mode=self.diff_mode)
        return result
