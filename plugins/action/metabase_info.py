# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.metabase_info: the properties and child keys of a key."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase import (
    PropertyState,
    check_property_name,
    metabase_path,
    normalize_path,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession


class ActionModule(NodeAction):
    argument_spec = {
        "path": {"type": "str", "required": True},
        "properties": {"type": "list", "elements": "str"},
        "children": {"type": "bool", "default": True},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        path = normalize_path(args["path"])
        query_args: dict[str, t.Any] = {"path": path, "children": args["children"]}
        if args["properties"] is not None:
            query_args["properties"] = [check_property_name(name) for name in args["properties"]]
        (report,) = session.values([Instruction("metabase_get", query_args)])

        result: dict[str, t.Any] = {
            "changed": False,
            "path": path,
            "metabase_path": metabase_path(path),
            "key_type": report["key_type"],
            "properties": {
                name: PropertyState.from_report(name, entry).as_result() for name, entry in report["properties"].items()
            },
        }
        if args["children"]:
            result["children"] = report["children"]
        return result
