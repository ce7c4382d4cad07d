# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.metabase: one property at one metabase key."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase import (
    SECRET_REF,
    DesiredProperty,
    PropertyState,
    adsutil_command,
    check_property_name,
    metabase_path,
    normalize_path,
    parent_path,
    plan_property,
    predicted,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession


class ActionModule(NodeAction):
    argument_spec = {
        "path": {"type": "str", "required": True},
        "name": {"type": "str", "required": True, "aliases": ["property"]},
        "value": {"type": "raw"},
        "secret_value": {"type": "str", "no_log": True},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    }
    mutually_exclusive = [["value", "secret_value"]]
    required_if = [["state", "present", ["value", "secret_value"], True]]

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        path = normalize_path(args["path"])
        name = check_property_name(args["name"])
        secret = args["secret_value"]
        secrets = {SECRET_REF: secret} if secret is not None else {}
        above = parent_path(path)

        query = [_get(path, name)]
        if secret is not None:
            query.append(Instruction("metabase_secret_matches", {"path": path, "property": name, "secret": SECRET_REF}))
        if args["state"] == "absent" and above:
            query.append(_get(above, name))
        reports = session.values(query, secrets)

        current = _property(reports[0])
        parent = _property(reports[-1]) if args["state"] == "absent" and above else None
        desired = DesiredProperty(path, name, args["state"], args["value"], secret is not None)
        changes = plan_property(
            desired, current, secret_matches=reports[1] if secret is not None else None, parent=parent
        )

        after = predicted(changes, current, parent)
        if changes and not self.check_mode:
            applied = session.values([*instructions_of(changes), _get(path, name)], secrets)
            after = _property(applied[-1])

        result: dict[str, t.Any] = {
            "changed": bool(changes),
            "path": path,
            "metabase_path": metabase_path(path),
            "name": current.name,
            "type": current.type,
            "secure": current.secure,
            "before": current.as_result(),
            "after": after.as_result(),
            "adsutil_commands": [
                adsutil_command(instruction, current.type) for instruction in instructions_of(changes)
            ],
        }
        if self.diff_mode:
            result["diff"] = render_diff(changes, f"{session.host}:{metabase_path(path)}")
        return result


def _get(path: str, name: str) -> Instruction:
    return Instruction("metabase_get", {"path": path, "properties": [name]})


def _property(report: t.Mapping[str, t.Any]) -> PropertyState:
    """The single property of a one-property ``metabase_get`` report, named as the metabase spells it."""
    ((name, entry),) = report["properties"].items()
    return PropertyState.from_report(name, entry)
