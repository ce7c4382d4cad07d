# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.node_info: who a node is, for roles to decide on."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._host_facts import HOST_FACTS, HostFacts
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession


class ActionModule(NodeAction):
    argument_spec: t.ClassVar[dict[str, t.Any]] = {
        "sites": {"type": "str", "choices": ["W3SVC", "MSFTPSVC"]},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        # The sites come in the same execution, for a pre-flight that checks a site exists.
        queries = [HOST_FACTS] + ([Instruction("metabase_sites_get", {"service": args["sites"]})] if args["sites"] else [])
        facts, *sites = session.run(queries, stop_on_error=False)
        (report,) = session.checked([facts])
        result = {"changed": False, **HostFacts.from_report(report).as_result(), "ip_addresses": report["ip_addresses"]}
        # A node without IIS has no metabase to list sites from: it is the answer, not an error.
        if sites and report.get("iis_version"):
            (listed,) = session.checked(sites)
            result["sites"] = [{"path": site["path"], "server_comment": site["server_comment"]} for site in listed]
        return result
