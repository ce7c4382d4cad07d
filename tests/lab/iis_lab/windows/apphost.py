"""applicationHost.config of an IIS 7+ host, as Microsoft.Web.Administration's
``ServerManager.GetApplicationHostConfiguration().GetSection(section, location)`` reads and
writes it.

The file is kept as a document (:mod:`.xml_document`): what the lab does not model (other
sections, comments, formatting) is written back exactly as it was read. Sections must be
declared in ``<configSections>`` (else 0x80070032, 500.19's "missing a section declaration")
and be in the lab's schema slice (:mod:`.apphost_schema`).

Levels and inheritance: the server level is the document's root (and ``<location path="">``);
a location path ``Default Web Site/Shop`` also reads the ``<location>`` tags of its ancestors,
deepest last. An attribute's origin is ``set`` at the requested location, ``inherited`` from a
parent level or from its collection's ``*Defaults`` element (applicationPoolDefaults, siteDefaults,
applicationDefaults, virtualDirectoryDefaults, as IIS applies them), else ``default`` (the
schema's default).

Locking. Locks (the declaration's ``overrideModeDefault``, ``overrideMode`` on location tags)
say whether lower-level files (web.config) may set a section there ("How to Use Locking in IIS 7.0
Configuration", learn.microsoft.com/iis/get-started/planning-for-security/how-to-use-locking-in-iis-configuration).
A write through GetApplicationHostConfiguration lands in applicationHost.config itself, whose own
location tags no lock binds (IIS Manager writes a site's anonymousAuthentication, whose
overrideModeDefault is Deny, into ``<location path="site">`` tags this way); it fails with
ERROR_LOCK_VIOLATION only where allowDefinition forbids the location, which is what
``override_allowed`` reports.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from .apphost_schema import SECTIONS, AttributeSchema, ElementSchema, canonical
from .config_encryption import decrypt, encrypt, provider_for
from .errors import (
    CONFIG_SECTION_NOT_DECLARED,
    ERROR_ALREADY_EXISTS,
    ERROR_LOCK_VIOLATION,
    FILE_NOT_FOUND,
    INVALID_PARAMETER,
    WindowsApiError,
)
from .xml_document import Document, Element, indentation_of, parse

_STEP = re.compile(r"([A-Za-z_][\w.-]*)((?:\[@[A-Za-z_][\w.-]*='(?:[^']|'')*'\])*)")
# allowDefinition values that admit no location path of applicationHost.config.
_SERVER_ONLY = ("AppHostOnly", "MachineOnly", "MachineToWebRoot")
_KEY = re.compile(r"\[@([A-Za-z_][\w.-]*)='((?:[^']|'')*)'\]")


@dataclasses.dataclass(frozen=True)
class Step:
    """One step of an element path: an element name, with key values for a collection item."""

    name: str
    keys: tuple[tuple[str, str], ...] = ()

    def matches(self, element: Element) -> bool:
        return element.name == self.name and all(
            (element.get(key) or "").casefold() == value.casefold() for key, value in self.keys
        )


def parse_element_path(path: str | None) -> list[Step]:
    """``add[@name='Shop Pool']/processModel`` as steps; '' or None: the section's own element."""
    steps: list[Step] = []
    text = path or ""
    position = 0
    while position < len(text):
        match = _STEP.match(text, position)
        if match is None:
            raise WindowsApiError(INVALID_PARAMETER, f"element path {path!r}")
        keys = tuple((key, value.replace("''", "'")) for key, value in _KEY.findall(match.group(2)))
        steps.append(Step(match.group(1), keys))
        position = match.end()
        if position < len(text):
            if text[position] != "/":
                raise WindowsApiError(INVALID_PARAMETER, f"element path {path!r}")
            position += 1
    return steps


@dataclasses.dataclass(frozen=True)
class Declaration:
    allow_definition: str
    override_mode_default: str


@dataclasses.dataclass(frozen=True)
class AttributeReading:
    name: str
    value: str | None
    origin: str
    encrypted: bool
    raw: str | None
    """The text the file holds (ciphertext for an encrypted attribute), where it is set."""


class AppHostConfig:
    """One host's applicationHost.config and the keys its encrypted attributes use."""

    def __init__(self, text: str, keys: dict[str, bytes]) -> None:
        self.document = parse(text)
        self.keys = keys

    @classmethod
    def over(cls, document: Document, keys: dict[str, bytes]) -> AppHostConfig:
        """The configuration of a document already parsed (a shared one), with ``keys``."""
        config = cls.__new__(cls)
        config.document = document
        config.keys = keys
        return config

    @property
    def text(self) -> str:
        return self.document.render()

    # Reading ---------------------------------------------------------------------------------
    def get(
        self, section: str, location: str, element: str | None, names: t.Sequence[str] | None = None
    ) -> list[AttributeReading] | None:
        """The attributes of ``element`` at ``location`` (all the schema knows, or ``names``);
        None when a collection item on the path does not exist."""
        schema, steps = self._resolve(section, element)
        location = _normalize(location)
        levels = self._levels(location)
        found = [(level, self._find(container, section, steps)) for level, container in levels]
        last_item = max((index for index, step in enumerate(steps) if step.keys), default=-1)
        if last_item >= 0 and all(
            self._find(container, section, steps[: last_item + 1]) is None for _, container in levels
        ):
            return None
        wanted = list(schema.attributes) if not names else list(names)
        defaults = self._defaults(section, location, steps)
        return [self._reading(schema.attribute(name), location, found, defaults) for name in wanted]

    def clear_text(self, section: str, location: str, element: str | None, name: str) -> str | None:
        """The clear text of an encrypted attribute in effect (NTE_BAD_DATA when this machine
        cannot decrypt it); None when it has no value."""
        readings = self.get(section, location, element, [name])
        if readings is None:
            raise WindowsApiError(FILE_NOT_FOUND, f"{element} at {location!r}")
        raw = readings[0].raw
        if raw is None or raw == "":
            return None
        return decrypt(self.keys, raw) if readings[0].encrypted else raw

    def override_allowed(self, section: str, location: str) -> bool:
        """Whether applicationHost.config may hold the section at ``location``: what its
        allowDefinition decides (``_writable``), locks aside (docs/instruction-set.yml)."""
        try:
            self._writable(section, location)
        except WindowsApiError:
            return False
        return True

    def declaration(self, section: str) -> Declaration:
        """The section's ``<section>`` declaration in ``<configSections>``."""
        sections = self.document.root.child("configSections")
        node: Element | None = sections
        parts = section.split("/")
        for index, part in enumerate(parts):
            if node is None:
                break
            kind = "section" if index == len(parts) - 1 else "sectionGroup"
            node = next((child for child in node.children if child.name == kind and child.get("name") == part), None)
        if node is None:
            raise WindowsApiError(CONFIG_SECTION_NOT_DECLARED, section)
        return Declaration(node.get("allowDefinition") or "Everywhere", node.get("overrideModeDefault") or "Allow")

    # Writing ---------------------------------------------------------------------------------
    def set(self, section: str, location: str, element: str | None, name: str, value: str) -> None:
        schema, steps = self._resolve(section, element)
        attribute = schema.attribute(name)
        location = self._writable(section, location)
        text = canonical(attribute, value)
        node, _ = self._container(section, location, steps, create=True)
        assert node is not None
        node.set(name, encrypt(self.keys, provider_for(section), text) if attribute.encrypted else text)

    def set_raw(self, section: str, location: str, element: str | None, name: str, raw: str) -> None:
        """Put back an attribute's text as it was (ciphertext included)."""
        self._resolve(section, element)[0].attribute(name)
        node, _ = self._container(section, self._writable(section, location), parse_element_path(element), create=True)
        assert node is not None
        node.set(name, raw)

    def clear(self, section: str, location: str, element: str | None, name: str) -> None:
        schema, steps = self._resolve(section, element)
        schema.attribute(name)
        location = self._writable(section, location)
        node, chain = self._container(section, location, steps, create=False)
        if node is None or not node.remove_attribute(name):
            return
        # IIS leaves no empty element behind (items stay: only element_remove removes them).
        for parent, child in reversed(chain):
            if child.children or any(step.keys and step.matches(child) for step in steps):
                break
            empty_location = child.name == "location" and [name for name, _ in child.attributes] == ["path"]
            if child.attributes and not empty_location:
                break
            parent.remove(child)

    def add_item(
        self, section: str, location: str, element: str | None, item: str, attributes: t.Mapping[str, t.Any]
    ) -> None:
        owner_schema, steps = self._resolve(section, element)
        collection = owner_schema.collection
        if collection is None or collection.item != item:
            raise WindowsApiError(INVALID_PARAMETER, f"{item!r} is not an item of {owner_schema.name}")
        if not isinstance(attributes, dict) or not all(isinstance(value, str) for value in attributes.values()):
            raise WindowsApiError(INVALID_PARAMETER, "attributes must map names to strings")
        values = {name: canonical(collection.item_schema.attribute(name), value) for name, value in attributes.items()}
        keys = collection.item_schema.keys
        if any(not values.get(key) for key in keys):
            raise WindowsApiError(INVALID_PARAMETER, f"{item} needs {', '.join(keys)}")
        location = self._writable(section, location)
        new_step = Step(item, tuple((key, values[key]) for key in keys))
        if (
            self.get(section, location, "/".join(filter(None, [element or "", _step_text(new_step)])), list(keys))
            is not None
        ):
            raise WindowsApiError(ERROR_ALREADY_EXISTS, f"{item} {new_step.keys}")
        owner, chain = self._container(section, location, steps, create=True)
        assert owner is not None
        indent = self._indent(chain)
        new = Element(item)
        for name, value in values.items():
            attribute = collection.item_schema.attribute(name)
            new.set(name, encrypt(self.keys, provider_for(section), value) if attribute.encrypted else value)
        items = [child for child in owner.children if child.name == item]
        if items:
            owner.append(new, indent, after=items[-1])
        else:
            owner.insert_first(new, indent)

    def remove_item(self, section: str, location: str, element: str) -> None:
        _, steps = self._resolve(section, element)
        location = self._writable(section, location)
        node, chain = self._container(section, location, steps, create=False)
        if node is None or not chain:
            raise WindowsApiError(FILE_NOT_FOUND, f"{element} at {location!r}")
        parent, child = chain[-1]
        parent.remove(child)

    # Internals -------------------------------------------------------------------------------
    def _resolve(self, section: str, element: str | None) -> tuple[ElementSchema, list[Step]]:
        self.declaration(section)
        schema = SECTIONS.get(section)
        if schema is None:
            raise WindowsApiError(CONFIG_SECTION_NOT_DECLARED, f"{section} is outside the lab's schema")
        steps = parse_element_path(element)
        for step in steps:
            if schema.collection is not None and step.name == schema.collection.item:
                item_schema = schema.collection.item_schema
                if {key for key, _ in step.keys} != set(item_schema.keys):
                    raise WindowsApiError(
                        INVALID_PARAMETER, f"{step.name} is addressed by {', '.join(item_schema.keys)}"
                    )
                schema = item_schema
            elif step.name in schema.children and not step.keys:
                schema = schema.children[step.name]
            else:
                raise WindowsApiError(INVALID_PARAMETER, f"{schema.name} has no element {step.name!r}")
        return schema, steps

    def _location_tags(self) -> list[tuple[str, Element]]:
        return [
            (_normalize(tag.get("path") or ""), tag) for tag in self.document.root.children if tag.name == "location"
        ]

    def _levels(self, location: str) -> list[tuple[str, Element]]:
        """The containers whose sections apply at ``location``, from the server level down."""
        levels = [("", self.document.root)]
        tags = [(path, tag) for path, tag in self._location_tags() if _is_ancestor_or_self(path, location)]
        levels += sorted(tags, key=lambda entry: 0 if not entry[0] else entry[0].count("/") + 1)
        return levels

    def _section_element(self, container: Element, section: str) -> Element | None:
        node: Element | None = container
        for part in section.split("/"):
            node = None if node is None else node.child(part)
        return node

    def _find(self, container: Element, section: str, steps: t.Sequence[Step]) -> Element | None:
        node = self._section_element(container, section)
        for step in steps:
            if node is None:
                return None
            node = next((child for child in node.children if step.matches(child)), None)
        return node

    def _defaults(self, section: str, location: str, steps: list[Step]) -> list[Element]:
        """The ``*Defaults`` elements an item on the path inherits from, nearest first: for the
        last item step, its collection's defaults element beside it and at each owner above it,
        with the steps after the item appended (applicationPoolDefaults/processModel)."""
        schema = SECTIONS[section]
        item_index, defaults_name = -1, None
        for index, step in enumerate(steps):
            if schema.collection is not None and step.name == schema.collection.item:
                item_index, defaults_name = index, schema.collection.defaults
                schema = schema.collection.item_schema
            else:
                schema = schema.children[step.name]
        if defaults_name is None:
            return []
        tail = steps[item_index + 1 :]
        found: list[Element] = []
        for depth in range(item_index, -1, -1):
            owner_steps = [*steps[:depth], Step(defaults_name), *tail]
            for _, container in reversed(self._levels(location)):
                node = self._find(container, section, owner_steps)
                if node is not None:
                    found.append(node)
        return found

    def _reading(
        self,
        attribute: AttributeSchema,
        location: str,
        found: list[tuple[str, Element | None]],
        defaults: list[Element],
    ) -> AttributeReading:
        shown = (lambda raw: None) if attribute.encrypted else (lambda raw: raw)
        for level, node in reversed(found):
            if node is not None and (raw := node.get(attribute.name)) is not None:
                return AttributeReading(
                    attribute.name, shown(raw), "set" if level == location else "inherited", attribute.encrypted, raw
                )
        for node in defaults:
            if (raw := node.get(attribute.name)) is not None:
                return AttributeReading(attribute.name, shown(raw), "inherited", attribute.encrypted, raw)
        return AttributeReading(attribute.name, shown(attribute.default), "default", attribute.encrypted, None)

    def _writable(self, section: str, location: str) -> str:
        """``location`` normalized, once applicationHost.config may hold the section there. Locks
        (overrideModeDefault, overrideMode) bind the lower levels only, the web.config files: a
        ``<location>`` tag of applicationHost.config itself is never locked (the IIS team's "More
        config locking", blogs.msdn.com/b/andrewbi/archive/2008/02/15/more-config-locking.aspx).
        What forbids it is allowDefinition: no location path for a section of the server level
        only, none below an application for MachineToApplication."""
        declaration = self.declaration(section)
        location = _normalize(location)
        if location and declaration.allow_definition in _SERVER_ONLY:
            raise WindowsApiError(ERROR_LOCK_VIOLATION, f"{section} is {declaration.allow_definition}")
        if location and declaration.allow_definition == "MachineToApplication":
            site, _, below = location.partition("/")
            steps = [Step("site", (("name", site),)), Step("application", (("path", "/" + below),))]
            if below and self._find(self.document.root, "system.applicationHost/sites", steps) is None:
                raise WindowsApiError(ERROR_LOCK_VIOLATION, f"{section} is MachineToApplication")
        return location

    def _container(
        self, section: str, location: str, steps: t.Sequence[Step], *, create: bool
    ) -> tuple[Element | None, list[tuple[Element, Element]]]:
        """The element of ``steps`` in ``location``'s own tag (created when ``create``, items
        excepted: a missing item is ERROR_FILE_NOT_FOUND), and the (parent, child) chain to it."""
        root = self.document.root
        chain: list[tuple[Element, Element]] = []
        if location:
            tags = [tag for path, tag in self._location_tags() if path.casefold() == location.casefold()]
            tag = next((tag for tag in tags if tag.get("overrideMode") is None), tags[0] if tags else None)
            if tag is None:
                if not create:
                    return None, chain
                tag = Element("location", [("path", location)])
                root.append(tag, "")
            chain.append((root, tag))
            node = tag
        else:
            node = root
        names = [Step(part) for part in section.split("/")] + list(steps)
        for step in names:
            child = next((candidate for candidate in node.children if step.matches(candidate)), None)
            if child is None:
                if not create:
                    return None, chain
                if step.keys:
                    raise WindowsApiError(FILE_NOT_FOUND, f"{step.name} {dict(step.keys)} at {location!r}")
                child = Element(step.name)
                node.append(child, self._indent(chain))
            chain.append((node, child))
            node = child
        return node, chain

    def _indent(self, chain: list[tuple[Element, Element]]) -> str:
        """The indentation of the last element of ``chain``."""
        indent = ""
        for parent, child in chain:
            indent = indentation_of(parent, child, indent) if child in parent.content else indent + "    "
        return indent


def _step_text(step: Step) -> str:
    return step.name + "".join(f"[@{key}='{value.replace(chr(39), chr(39) * 2)}']" for key, value in step.keys)


def _normalize(location: str | None) -> str:
    text = (location or "").strip("/")
    return "" if text == "." else text


def _is_ancestor_or_self(path: str, location: str) -> bool:
    if not path:
        return True
    return location.casefold() == path.casefold() or location.casefold().startswith(path.casefold() + "/")
