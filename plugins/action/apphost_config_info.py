# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.apphost_config_info: an IIS 7-10 node's configuration
digests (a summary, or where it differs from the source's) and its application pools, in one
execution."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._apphost_compare import (
    OPTIONS,
    ApphostReport,
    check_comparable,
    node_report,
    report_instructions,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._sync_report import SALT_REF, check_salt


class ActionModule(NodeAction):
    argument_spec = {**OPTIONS, "against": {"type": "raw"}}

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        salt = check_salt(args["salt"])
        against = None
        if args["against"] is not None:
            source = ApphostReport.from_result(args["against"], "against")
            check_comparable([source], salt, args["exclude"], "against")
            # A source whose configuration could not be read has no summary: this node then only
            # reports its own, and whoever compares meets the source's error.
            against = None if "tree" in source.errors else source.summary("against")
        outcomes = session.run(report_instructions(args["exclude"], against), {SALT_REF: salt}, stop_on_error=False)
        report = node_report(session.host, outcomes, salt, args["exclude"], against)
        return {"changed": False, "node": report.to_result()}
