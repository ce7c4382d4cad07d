# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.node_info: who a node is, for roles to decide on."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._host_facts import BACKEND_APPHOST, HOST_FACTS, HostFacts
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iis_identity import apphost_sites
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession


class ActionModule(NodeAction):
    argument_spec: t.ClassVar[dict[str, t.Any]] = {
        "sites": {"type": "str", "choices": ["W3SVC", "MSFTPSVC"]},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        # The sites come in the same execution, both backends' listings asked: the node's IIS
        # version, known only from its answer, says which one it gave (an IIS 7-10 node's
        # metabase answers only with the IIS 6 compatibility feature; an IIS 5/6 node has no
        # Microsoft.Web.Administration), and the other's failure is no error.
        service = args["sites"]
        listings = [Instruction("metabase_sites_get", {"service": service}), Instruction("iis_sites_get")] if service else []
        facts, *sites = session.run([HOST_FACTS, *listings], stop_on_error=False)
        (report,) = session.checked([facts])
        node = HostFacts.from_report(report)
        result = {"changed": False, **node.as_result(), "ip_addresses": report["ip_addresses"]}
        # A node without IIS has no sites to list: it is the answer, not an error.
        if not service or not node.iis_version:
            return result
        metabase, apphost = sites
        if node.backend == BACKEND_APPHOST:
            (listed,) = session.checked([apphost])
            result["sites"] = apphost_sites(service, listed)
        else:
            (listed,) = session.checked([metabase])
            result["sites"] = [{"path": site["path"], "server_comment": site["server_comment"]} for site in listed]
        return result
