# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.node_info: who a node is, for roles to decide on."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._host_facts import HOST_FACTS, HostFacts
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession


class ActionModule(NodeAction):
    argument_spec: t.ClassVar[dict[str, t.Any]] = {}

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        (report,) = session.values([HOST_FACTS])
        return {"changed": False, **HostFacts.from_report(report).as_result(), "ip_addresses": report["ip_addresses"]}
