# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.shared_config_info: what a node or the share host says
about Shared Configuration, in one read-only execution."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._shared_config import (
    READER_SECRET,
    check_reader,
    check_unc_path,
    query_node,
    reader_logon_query,
    share_query,
    verify_node,
)


class ActionModule(NodeAction):
    argument_spec = {
        "path": {"type": "str", "required": True},
        "scope": {"type": "str", "choices": ["node", "share"], "default": "node"},
        "user": {"type": "str", "required": True},
        "password": {"type": "str", "required": True, "no_log": True},
        "verify": {"type": "bool", "default": False},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        unc = check_unc_path(args["path"])
        user = check_reader(args["user"])
        secrets = {READER_SECRET: args["password"]}
        if args["scope"] == "share":
            if args["verify"]:
                raise InvalidInput("verify: only scope=node verifies a node's reading of the share")
            share, logon = session.values([share_query(unc.share), reader_logon_query(user)], secrets)
            return {"changed": False, "share": share, "reader_logon": logon}
        report = query_node(session, unc.path, user, secrets)
        config = report.config
        result: dict[str, t.Any] = {
            "changed": False,
            "report": report.as_result(),
            "enabled": config["enabled"],
            "reads_share": report.points_at(unc.path, user) and report.read_error is None,
        }
        if args["verify"]:
            problems = verify_node(report, unc.path, user)
            result["problems"] = problems
            if problems:
                result.update(failed=True, msg=f"{session.host} does not read the shared configuration at {unc.path}: " + "; ".join(problems))
        return result
