# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.web_config: one attribute, or one collection item, of an
IIS 7-10 configuration section at one location."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._web_config import (
    SECRET_REF,
    DesiredAttribute,
    ElementState,
    Where,
    check_attribute,
    check_attribute_request,
    check_item_request,
    check_location,
    check_section,
    config_value,
    item_attributes,
    item_result,
    parent_location,
    parse_element,
    plan_attribute,
    plan_item,
    predicted_attribute,
    predicted_item,
)


class ActionModule(NodeAction):
    argument_spec = {
        "section": {"type": "str", "required": True},
        "location": {"type": "str", "default": ""},
        "element": {"type": "str", "default": ""},
        "attribute": {"type": "str"},
        "value": {"type": "raw"},
        "secret_value": {"type": "str", "no_log": True},
        "attributes": {"type": "dict"},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    }
    mutually_exclusive = [["value", "secret_value"], ["attribute", "attributes"]]

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        where = Where(check_section(args["section"]), check_location(args["location"]), parse_element(args["element"]))
        if args["attribute"] is None:
            result = self._item(where, args, session)
        else:
            result = self._attribute(where, args, session)
        return {"section": where.section, "location": where.location, "element": where.args()["element"], **result}

    def _attribute(self, where: Where, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        name = check_attribute(args["attribute"])
        secret = args["secret_value"]
        state = args["state"]
        check_attribute_request(state, args["value"] is not None, secret is not None)
        value = config_value(args["value"]) if args["value"] is not None else None
        secrets = {SECRET_REF: secret} if secret is not None else {}
        above = parent_location(where.location) if state == "absent" else None

        query = [where.get([name])]
        if above is not None:
            query.append(where.at(above).get([name]))
        if secret is not None:
            query.append(Instruction("web_config_secret_matches", {**where.args(), "attribute": name, "secret": SECRET_REF}))
        # A missing item fails the secret comparison: the element's own answer decides first.
        outcomes = session.run(query, secrets, stop_on_error=False)
        element = ElementState.from_report(session.checked(outcomes[:1])[0])
        parent = ElementState.from_report(session.checked(outcomes[1:2])[0]) if above is not None else None
        matches = None
        if secret is not None and element is not None:
            matches = bool(session.checked(outcomes[-1:])[0])

        desired = DesiredAttribute(where, name, state, value, secret is not None)
        changes = plan_attribute(desired, element, secret_matches=matches, parent=parent)
        if element is None:
            return {"changed": False, "attribute": name, "exists": False, "before": None, "after": None}
        current = element.attribute(name)
        after = predicted_attribute(changes, current, parent)
        if changes and not self.check_mode:
            applied = session.values([*instructions_of(changes), where.get([name])], secrets)
            after = t.cast(ElementState, ElementState.from_report(applied[-1])).attribute(name)
        result: dict[str, t.Any] = {
            "changed": bool(changes),
            "attribute": current.name,
            "exists": True,
            "override_allowed": element.override_allowed,
            "before": current.as_result(),
            "after": after.as_result(),
        }
        if self.diff_mode:
            result["diff"] = render_diff(changes, f"{session.host}:{where}")
        return result

    def _item(self, where: Where, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        state = args["state"]
        check_item_request(state, args["value"] is not None or args["secret_value"] is not None, bool(args["attributes"]))
        wanted = item_attributes(where, args["attributes"])
        item, collection = (
            ElementState.from_report(report)
            for report in session.values([where.get(list(wanted)), where.parent.get([])])
        )
        changes = plan_item(where, state, wanted, item, collection)
        after = predicted_item(state, wanted, item) if changes else item_result(item)
        if changes and not self.check_mode:
            applied = session.values([*instructions_of(changes), where.get(list(wanted))])
            after = item_result(ElementState.from_report(applied[-1]))
        result: dict[str, t.Any] = {"changed": bool(changes), "before": item_result(item), "after": after}
        if self.diff_mode:
            result["diff"] = render_diff(changes, f"{session.host}:{where}")
        return result
