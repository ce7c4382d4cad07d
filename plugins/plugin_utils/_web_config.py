# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Decisions about IIS 7-10 configuration (applicationHost.config): where a setting is (section,
location, element), and what to change so that one attribute or one collection item is as asked.

This is for internal collection use only; the API may change at any time.

Everything here is pure: it turns what the operator asked for and what a node reported
(``web_config_get``, ``web_config_secret_matches``; see ``docs/instruction-set.yml``) into a
plan. An element path is a list of steps separated by ``/``, each ``name`` or
``name[@key='value']`` (several ``[@k='v']`` for a composite key, a quote in a value doubled):
``add[@name='Shop Pool']/processModel``.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ._changes import Change, Shown
from ._input import InvalidInput
from ._node_session import Instruction

SECRET_REF = "value"
"""The name under which an attribute's secret value travels in the ``secrets`` argument."""

ORIGIN_SET = "set"
ORIGIN_INHERITED = "inherited"
ORIGIN_DEFAULT = "default"

# XML names as IIS_schema.xml uses them for sections, elements and attributes.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_NAME_RULE = "a name of letters, digits, '_', '.' and '-', starting with a letter or '_'"


@dataclasses.dataclass(frozen=True)
class Step:
    """One step of an element path: an element's name and, for a collection item, its keys."""

    name: str
    keys: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.name + "".join(f"[@{key}='{value.replace(chr(39), chr(39) * 2)}']" for key, value in self.keys)


def parse_element(raw: str | None, field: str = "element") -> tuple[Step, ...]:
    """The steps of an element path; ``''``/None is the section's own element (no steps).

    Raises :class:`InvalidInput` naming ``field`` and the rule the path breaks.
    """
    text = (raw or "").strip()
    steps: list[Step] = []
    position = 0
    while position < len(text):
        name = _NAME.match(text, position)
        if name is None:
            raise InvalidInput(
                f"{field}: {raw!r}: expected an element name at character {position + 1} ({_NAME_RULE}); steps are "
                "separated by '/', an item is name[@key='value'], e.g. add[@name='Shop Pool']/processModel"
            )
        position = name.end()
        keys: list[tuple[str, str]] = []
        while text.startswith("[@", position):
            position, key, value = _parse_key(raw, text, position + 2, field)
            if key in dict(keys):
                raise InvalidInput(f"{field}: {raw!r}: the key @{key} is given twice in one step")
            keys.append((key, value))
        steps.append(Step(name.group(), tuple(keys)))
        if position == len(text):
            break
        if text[position] != "/" or position + 1 == len(text):
            raise InvalidInput(
                f"{field}: {raw!r}: unexpected {text[position:]!r} at character {position + 1}; steps are separated by "
                "'/' and a key is written [@key='value'] (a quote inside the value doubled)"
            )
        position += 1
    return tuple(steps)


def _parse_key(raw: str | None, text: str, position: int, field: str) -> tuple[int, str, str]:
    """One ``@key='value']`` from ``position`` (after ``[@``): the position after it, key, value."""
    key = _NAME.match(text, position)
    if key is None or not text.startswith("='", key.end()):
        raise InvalidInput(
            f"{field}: {raw!r}: a key at character {position - 1} is not [@key='value'] (the key {_NAME_RULE}, "
            "the value in single quotes)"
        )
    position = key.end() + 2
    value: list[str] = []
    while True:
        quote = text.find("'", position)
        if quote < 0:
            raise InvalidInput(f"{field}: {raw!r}: the value of @{key.group()} has no closing quote")
        value.append(text[position:quote])
        if text.startswith("''", quote):
            value.append("'")
            position = quote + 2
            continue
        position = quote + 1
        break
    if not text.startswith("]", position):
        raise InvalidInput(f"{field}: {raw!r}: the key @{key.group()} is not closed by ']' after its value")
    return position + 1, key.group(), "".join(value)


def format_element(steps: t.Sequence[Step]) -> str:
    """The element path of ``steps``, as the node reads it (the inverse of :func:`parse_element`)."""
    return "/".join(str(step) for step in steps)


def check_section(raw: str) -> str:
    """A section's path, e.g. ``system.webServer/security/authentication/anonymousAuthentication``."""
    section = raw.strip()
    if not section or not all(_NAME.fullmatch(part) for part in section.split("/")):
        raise InvalidInput(
            f"section: {raw!r} is not a configuration section path (names separated by '/', each {_NAME_RULE}), "
            "e.g. system.webServer/security/authentication/anonymousAuthentication"
        )
    return section


def check_location(raw: str | None) -> str:
    """A location path without leading or trailing slash: '' (server level), 'Default Web Site',
    'Default Web Site/Shop'. IIS Manager's and appcmd's spelling with a leading '/' is accepted."""
    location = (raw or "").strip().strip("/")
    if "\\" in location or any(ord(char) < 32 for char in location) or "//" in location:
        raise InvalidInput(
            f"location: {raw!r} is not a location path: a site's name, then its applications' paths, separated by "
            "single '/' (e.g. 'Default Web Site/Shop'), without backslashes or control characters; '' is the server level"
        )
    return location


def check_attribute(raw: str, field: str = "attribute") -> str:
    if not _NAME.fullmatch(raw):
        raise InvalidInput(f"{field}: {raw!r} is not an attribute name ({_NAME_RULE}), e.g. userName")
    return raw


def parent_location(location: str) -> str | None:
    """The location a location inherits from: '' for a site, None for the server level."""
    if not location:
        return None
    return location.rpartition("/")[0]


def config_value(value: t.Any, field: str = "value") -> str:
    """A value in the configuration file's own spelling: a boolean as true/false, a number in decimal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise InvalidInput(
        f"{field}: an attribute holds one value; give a string, number or boolean (enum names, timespans as 00:20:00)"
    )


def same_value(current: str | None, wanted: str) -> bool:
    """Whether the node's value is ``wanted``; IIS reads booleans in any case and writes them lower case."""
    if current is None:
        return False
    if current == wanted:
        return True
    return current.lower() in ("true", "false") and current.lower() == wanted.lower()


@dataclasses.dataclass(frozen=True)
class Where:
    """An element of a section at a location."""

    section: str
    location: str
    element: tuple[Step, ...]

    def args(self) -> dict[str, t.Any]:
        """The ``section``/``location``/``element`` arguments of an instruction for this element."""
        return {"section": self.section, "location": self.location, "element": format_element(self.element)}

    def __str__(self) -> str:
        at = f"{self.location}:" if self.location else "(server):"
        element = format_element(self.element)
        return f"{at}{self.section}{'/' + element if element else ''}"

    @property
    def item(self) -> Step | None:
        """The last step when it addresses a collection item by its keys."""
        return self.element[-1] if self.element and self.element[-1].keys else None

    @property
    def parent(self) -> Where:
        return dataclasses.replace(self, element=self.element[:-1])

    def at(self, location: str) -> Where:
        return dataclasses.replace(self, location=location)

    def get(self, attributes: t.Sequence[str]) -> Instruction:
        return Instruction("web_config_get", {**self.args(), "attributes": list(attributes)})


@dataclasses.dataclass(frozen=True)
class AttributeState:
    """One attribute as ``web_config_get`` reported it."""

    name: str
    value: str | None
    origin: str
    encrypted: bool

    @classmethod
    def from_report(cls, report: t.Mapping[str, t.Any]) -> AttributeState:
        return cls(str(report["name"]), report.get("value"), str(report["origin"]), bool(report["encrypted"]))

    def shown(self) -> Shown:
        if self.encrypted:
            return Shown.secret(self.origin != ORIGIN_DEFAULT)
        if self.value is None:
            return Shown.absent()
        return Shown.value(self.value)

    def as_result(self) -> dict[str, t.Any]:
        """The attribute as modules return it: an encrypted value is never included."""
        result: dict[str, t.Any] = {"origin": self.origin, "encrypted": self.encrypted}
        if not self.encrypted:
            result["value"] = self.value
        return result


@dataclasses.dataclass(frozen=True)
class ElementState:
    """An element as ``web_config_get`` reported it (None from the node: it does not exist).

    ``override_allowed``: whether applicationHost.config may hold the section at the location,
    which its allowDefinition decides (locks bind web.config files only, not the ``<location>``
    tags these writes go to). A change where it is false is refused before the write, so that
    check mode predicts the refusal too.
    """

    override_allowed: bool
    attributes: tuple[AttributeState, ...]

    @classmethod
    def from_report(cls, report: t.Mapping[str, t.Any] | None) -> ElementState | None:
        if report is None:
            return None
        return cls(bool(report["override_allowed"]), tuple(AttributeState.from_report(a) for a in report["attributes"]))

    def attribute(self, name: str) -> AttributeState:
        """The attribute ``name`` (the node's spelling; the node reports each one asked for)."""
        for attribute in self.attributes:
            if attribute.name.lower() == name.lower():
                return attribute
        raise KeyError(name)


def check_allowed(where: Where, element: ElementState | None) -> None:
    """Refuse a change where applicationHost.config may not hold the section (the node would
    answer ERROR_LOCK_VIOLATION)."""
    if element is not None and not element.override_allowed:
        raise InvalidInput(
            f"location: applicationHost.config may not hold {where.section} at {where.location!r} (its allowDefinition; "
            "IIS: \"This configuration section cannot be used at this path\"): a section allowed at the server level only "
            "(AppHostOnly, such as applicationPools and sites) is set with location ''; one allowed down to applications "
            "(MachineToApplication) at a site or an application, not below"
        )


def missing_element(where: Where) -> InvalidInput:
    return InvalidInput(
        f"element: {where} does not exist; add the collection item first (webfarm.iis_cluster.web_config with its "
        "element, no attribute, and the item's attributes), or correct the key"
    )


def check_attribute_request(state: str, has_value: bool, has_secret: bool) -> None:
    """The options that go with one attribute: a value to set it, none to clear it."""
    if state == "present" and not (has_value or has_secret):
        raise InvalidInput("value: with attribute and state=present, give value (or secret_value for an encrypted attribute)")
    if state == "absent" and (has_value or has_secret):
        raise InvalidInput(
            "state: absent clears the attribute at the location so that it inherits again; give neither value nor secret_value"
        )


def check_item_request(state: str, has_value: bool, has_attributes: bool) -> None:
    """The options that go with one collection item: its attributes, and no single value."""
    if has_value:
        raise InvalidInput("attribute: value and secret_value set one attribute; name it in attribute")
    if state == "absent" and has_attributes:
        raise InvalidInput("attributes: state=absent removes the whole item; give no attributes with it")


@dataclasses.dataclass(frozen=True)
class DesiredAttribute:
    """What the operator asked for one attribute: ``value`` (config spelling) or, with
    ``secret`` True, the value in the ``secrets`` argument under :data:`SECRET_REF`."""

    where: Where
    name: str
    state: str = "present"
    value: str | None = None
    secret: bool = False


def plan_attribute(
    desired: DesiredAttribute,
    element: ElementState | None,
    *,
    secret_matches: bool | None = None,
    parent: ElementState | None = None,
) -> list[Change]:
    """What to change so that the attribute is as asked at the location.

    ``present`` means *set at this location*: an equal value inherited from a parent location is
    not enough, because the location would then follow a later change of its parent. ``absent``
    means *not set at this location*: it is cleared so that it inherits again (``parent``, the
    element at the parent location, says what from). ``secret_matches`` is the node's answer to
    "does the attribute hold the secret?", consulted for a secret value only.
    """
    where = desired.where
    if element is None:
        if desired.state == "absent":
            return []
        raise missing_element(where)
    current = element.attribute(desired.name)
    subject = f"{where}/@{current.name}"
    args = {**where.args(), "attribute": current.name}
    if desired.state == "absent":
        if current.origin != ORIGIN_SET:
            return []
        check_allowed(where, element)
        after = inherited_from(current, parent)
        return [Change(subject, current.shown(), after.shown(), (Instruction("web_config_clear", args),), current.encrypted)]
    if desired.secret:
        if not current.encrypted:
            raise InvalidInput(
                f"secret_value: {current.name} is not an encrypted attribute, so IIS stores it in clear text and reads "
                "it back; give it in value (secret_value is for attributes the schema encrypts, such as password)"
            )
        if current.origin == ORIGIN_SET and secret_matches:
            return []
        check_allowed(where, element)
        instruction = Instruction("web_config_set", {**args, "secret": SECRET_REF})
        return [Change(subject, current.shown(), Shown.secret(), (instruction,), secret=True)]
    if current.encrypted:
        raise InvalidInput(
            f"value: {current.name} is encrypted in the configuration; give it in secret_value, which is never logged"
        )
    wanted = t.cast(str, desired.value)
    if current.origin == ORIGIN_SET and same_value(current.value, wanted):
        return []
    check_allowed(where, element)
    instruction = Instruction("web_config_set", {**args, "value": wanted})
    return [Change(subject, current.shown(), Shown.value(wanted), (instruction,))]


def inherited_from(current: AttributeState, parent: ElementState | None) -> AttributeState:
    """The attribute once cleared at its location: the parent location's value, else the
    schema's default (which the node does not report before it is in effect)."""
    if parent is not None:
        above = parent.attribute(current.name)
        origin = ORIGIN_DEFAULT if above.origin == ORIGIN_DEFAULT else ORIGIN_INHERITED
        return dataclasses.replace(current, value=above.value, origin=origin)
    return dataclasses.replace(current, value=None, origin=ORIGIN_DEFAULT)


def predicted_attribute(changes: t.Sequence[Change], current: AttributeState, parent: ElementState | None) -> AttributeState:
    """The attribute as it will be once ``changes`` (a plan for it) are applied."""
    if not changes:
        return current
    instruction = changes[-1].instructions[-1]
    if instruction.op == "web_config_clear":
        return inherited_from(current, parent)
    return dataclasses.replace(current, origin=ORIGIN_SET, value=instruction.args.get("value"))


def item_attributes(where: Where, attributes: t.Mapping[str, t.Any] | None) -> dict[str, str]:
    """The attributes of the collection item ``where`` names: its keys, then ``attributes``
    (which must agree with the keys)."""
    item = where.item
    if item is None:
        raise InvalidInput(
            f"element: {format_element(where.element) or repr('')} does not end in a collection item; without "
            "attribute, give the item by its keys, e.g. add[@name='Shop Pool'] in system.applicationHost/applicationPools"
        )
    wanted = dict(item.keys)
    for name, value in (attributes or {}).items():
        check_attribute(str(name), "attributes")
        text = config_value(value, f"attributes.{name}")
        key = next((key for key in wanted if key.lower() == str(name).lower()), None)
        if key is not None and wanted[key] != text:
            raise InvalidInput(f"attributes.{name}: {text!r} contradicts the item's key [@{key}='{wanted[key]}'] in element")
        wanted[key or str(name)] = text
    return wanted


def plan_item(
    where: Where,
    state: str,
    wanted: t.Mapping[str, str],
    item: ElementState | None,
    collection: ElementState | None,
) -> list[Change]:
    """What to change so that the collection item ``where`` exists with ``wanted`` attributes
    (``present``) or does not exist (``absent``). ``item`` is the item's ``web_config_get``
    (None: missing), ``collection`` its parent element's (None: the parent is missing too)."""
    subject = str(where)
    if state == "absent":
        if item is None:
            return []
        check_allowed(where, item)
        remove = Instruction("web_config_element_remove", where.args())
        return [Change(subject, Shown("(present)"), Shown.absent(), (remove,))]
    if item is None:
        if collection is None:
            raise missing_element(where.parent)
        check_allowed(where, collection)
        add = Instruction(
            "web_config_element_add",
            {**where.parent.args(), "item": t.cast(Step, where.item).name, "attributes": dict(wanted)},
        )
        return [Change(subject, Shown.absent(), Shown(_attributes_text(wanted)), (add,))]
    changes = []
    for name, value in wanted.items():
        current = item.attribute(name)
        if current.encrypted:
            raise InvalidInput(
                f"attributes.{name}: {current.name} is encrypted in the configuration; set it with attribute and "
                "secret_value, which is never logged"
            )
        if current.origin == ORIGIN_SET and same_value(current.value, value):
            continue
        check_allowed(where, item)
        instruction = Instruction("web_config_set", {**where.args(), "attribute": current.name, "value": value})
        changes.append(Change(f"{subject}/@{current.name}", current.shown(), Shown.value(value), (instruction,)))
    return changes


def item_result(item: ElementState | None) -> dict[str, t.Any]:
    """A collection item as modules return it: whether it exists, and its attributes' values."""
    if item is None:
        return {"exists": False, "attributes": {}}
    return {
        "exists": True,
        "attributes": {attribute.name: attribute.as_result() for attribute in item.attributes},
    }


def predicted_item(state: str, wanted: t.Mapping[str, str], item: ElementState | None) -> dict[str, t.Any]:
    """The item as it will be once the plan for it is applied (for check mode)."""
    if state == "absent":
        return item_result(None)
    before = item_result(item)["attributes"]
    for name, value in wanted.items():
        known = next((key for key in before if key.lower() == name.lower()), name)
        before[known] = {"origin": ORIGIN_SET, "encrypted": False, "value": value}
    return {"exists": True, "attributes": before}


def _attributes_text(attributes: t.Mapping[str, str]) -> str:
    return "(present: " + ", ".join(f"{name}={Shown.value(value).text}" for name, value in attributes.items()) + ")"
