"""``apphost_digest_tree``: salted digests of an IIS 7-10 node's *logical* configuration, a digest
per section per location path, computed on the node so that encrypted values are compared
without leaving it; the node's summary, where it differs from another node's summary, or the
elements of chosen sections (``docs/instruction-set.md`` defines the digests and the forms).

Logical, never the file's bytes: an encrypted attribute is decrypted (with this machine's keys:
another machine's ciphertext fails with NTE_BAD_DATA, as Microsoft.Web.Administration does) and
its clear text digested; an attribute equal to its schema default counts as unset; a modeled
attribute's value is compared in the spelling IIS writes (``true``, not ``True``). Sections the
lab does not model (:mod:`~iis_lab.windows.apphost_schema`) count too, their attributes as
written: Windows knows every section's schema, the lab only a slice, so the lab names an
unmodeled collection's items by the key attributes IIS_schema.xml gives them (:data:`ITEM_KEYS`)
and otherwise by their first attribute, which is the key of every IIS collection whose items
are ``add`` or ``remove`` elements in the configurations the lab is given.

The configuration is the node's *effective* one: what :func:`.web_config.server` gives (under
Shared Configuration, the share's file).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import re
import typing as t

from ..windows.apphost_schema import SECTIONS, AttributeSchema, ElementSchema, canonical
from ..windows.config_encryption import decrypt
from ..windows.errors import INVALID_PARAMETER, WindowsApiError
from ..windows.xml_document import Element
from .metabase_digest_tree import salted_digest, short_digest
from .spec import Arg, ArgType, OpContext, OpSpec
from .web_config import server
"""The hex characters of a digest the op returns: the first 64 bits of the HMAC."""
WIDE_SECTION = 511
"""A section with more elements than this is also summarised by buckets of its elements."""
BUCKETS = 256
BUCKET_SEPARATOR = "//"
LOCATION_SEPARATOR = "|"

ITEM_KEYS: t.Mapping[str, tuple[tuple[str, str | None], ...]] = {
    # path of an item's element without keys: (key attribute, its schema default)
    "system.applicationHost/listenerAdapters/add": (("name", None),),
    "system.applicationHost/sites/site/logFile/customFields/add": (("logFieldName", None),),
    "system.webServer/defaultDocument/files/add": (("value", None),),
    "system.webServer/globalModules/add": (("name", None),),
    "system.webServer/handlers/add": (("name", None),),
    "system.webServer/httpCompression/scheme": (("name", None),),
    "system.webServer/httpCompression/staticTypes/add": (("mimeType", None),),
    "system.webServer/httpCompression/dynamicTypes/add": (("mimeType", None),),
    "system.webServer/httpErrors/error": (("statusCode", None), ("subStatusCode", "-1")),
    "system.webServer/httpProtocol/customHeaders/add": (("name", None),),
    "system.webServer/modules/add": (("name", None),),
    "system.webServer/security/isapiCgiRestriction/add": (("path", None),),
    "system.webServer/security/requestFiltering/fileExtensions/add": (("fileExtension", None),),
    "system.webServer/security/requestFiltering/hiddenSegments/add": (("segment", None),),
    "system.webServer/security/requestFiltering/verbs/add": (("verb", None),),
    "system.webServer/staticContent/mimeMap": (("fileExtension", None),),
}
"""The key attributes (isUniqueKey / isCombinedKey in IIS_schema.xml) of the items of sections
the lab does not model, by the item's path from the configuration root."""

_PATTERN_STEP = re.compile(r"([^/\[@]+)((?:\[@[^=\]]+='(?:[^']|'')*'\])*)")
_PATTERN_KEY = re.compile(r"\[@([^=\]]+)='((?:[^']|'')*)'\]")

Step = tuple[str, tuple[tuple[str, str], ...]]


@dataclasses.dataclass
class _Written:
    """An attribute as one level writes it: its logical value, what it is compared with there
    when no level above writes it (the schema's default, None when the lab knows none), and
    whether it is encrypted."""

    value: str
    default: str | None
    encrypted: bool


@dataclasses.dataclass
class _Element:
    steps: tuple[Step, ...]
    written: dict[str, _Written] = dataclasses.field(default_factory=dict)
    attributes: dict[str, str] = dataclasses.field(default_factory=dict)
    """Name: full HMAC, of the attributes that count."""
    values: dict[str, str | None] = dataclasses.field(default_factory=dict)
    """Name: the clear text, None for an encrypted attribute."""

    @property
    def path(self) -> str:
        return element_path(self.steps)


@dataclasses.dataclass
class _Section:
    id: str
    elements: list[_Element]

    def digests(self, salt: bytes) -> dict[str, str]:
        """Each element's full HMAC, by path."""
        return {element.path: element_digest(salt, element.attributes) for element in self.elements}

    def digest(self, salt: bytes) -> str:
        return section_digest(salt, self.digests(salt))

    def buckets(self, salt: bytes) -> list[str]:
        """The full HMAC of each of the 256 buckets, by number."""
        members: list[dict[str, str]] = [{} for _ in range(BUCKETS)]
        for path, digest in self.digests(salt).items():
            members[int(bucket_of(path), 16)][path] = digest
        return [section_digest(salt, elements) for elements in members]


def element_path(steps: t.Sequence[Step]) -> str:
    """``site[@name='Shop']/application[@path='/']``: names, and keys in brackets ('' doubled)."""
    return "/".join(
        name + "".join(f"[@{key}='{value.replace(chr(39), chr(39) * 2)}']" for key, value in keys)
        for name, keys in steps
    )


def bucket_of(path: str) -> str:
    """An element's bucket: the first two hex characters of the SHA-256 of its lower-case path's
    UTF-8 bytes (no salt: paths are not secret, the bucket's digest is salted)."""
    return hashlib.sha256(path.lower().encode("utf-8")).hexdigest()[:2]


def attribute_text(name: str, value: str) -> str:
    """What an attribute's digest is made of: its name and its value on two lines."""
    return f"{name}\n{value}"


def element_digest(salt: bytes, attributes: t.Mapping[str, str]) -> str:
    """Of the ``name:HMAC`` lines of its attributes, sorted by lower-case name."""
    lines = sorted((name.lower(), f"{name}:{digest}") for name, digest in attributes.items())
    return salted_digest(salt, "\n".join(line for _, line in lines))


def section_digest(salt: bytes, elements: t.Mapping[str, str]) -> str:
    """Of the ``path:HMAC`` lines of its elements, the path in lower case, sorted."""
    return salted_digest(salt, "\n".join(sorted(f"{path.lower()}:{digest}" for path, digest in elements.items())))


def root_digest(salt: bytes, sections: t.Mapping[str, str]) -> str:
    """Of the ``id:HMAC`` lines of the sections, the id in lower case, sorted."""
    return salted_digest(salt, "\n".join(sorted(f"{ident.lower()}:{digest}" for ident, digest in sections.items())))


def apphost_digest_tree(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    config = server(context).config
    salt = context.secret(args["salt"]).encode("utf-8")
    excluded = [parse_pattern(pattern) for pattern in args.get("exclude") or []]
    sections = _sections(config.document.root, config.keys, salt, excluded)
    digests = {section.id: section.digest(salt) for section in sections}
    result: dict[str, t.Any] = {"root": short_digest(root_digest(salt, digests))}
    wanted: list[str] = list(args.get("sections") or [])
    if args.get("against") is not None:
        differing = _differing(salt, sections, digests, _summary_of(args["against"]), result["root"])
        result["differing_sections"] = differing
        wanted = list(dict.fromkeys([*differing, *wanted]))
    elif args.get("sections") is None:
        result["sections"] = {ident: short_digest(digest) for ident, digest in digests.items()}
        buckets = {
            section.id: [short_digest(digest) for digest in section.buckets(salt)]
            for section in sections
            if len(section.elements) > WIDE_SECTION
        }
        if buckets:
            result["buckets"] = buckets
        return result
    result["details"] = _details(salt, sections, wanted, bool(args.get("values")))
    return result


def _summary_of(against: t.Any) -> dict[str, t.Any]:
    if (
        not isinstance(against, t.Mapping)
        or not isinstance(against.get("root"), str)
        or not isinstance(against.get("sections"), t.Mapping)
    ):
        raise WindowsApiError(INVALID_PARAMETER, "against: not the summary of an apphost_digest_tree (root, sections)")
    return {"root": against["root"], "sections": against["sections"], "buckets": against.get("buckets") or {}}


def _differing(
    salt: bytes, sections: t.Sequence[_Section], digests: t.Mapping[str, str], theirs: t.Mapping[str, t.Any], root: str
) -> list[str]:
    """The section ids (and bucket ids of the sections the summary lists by buckets) whose
    digests differ from the summary's, this node's in document order, then the summary's
    others."""
    if theirs["root"] == root:
        return []
    their_sections = {ident.lower(): digest for ident, digest in theirs["sections"].items()}
    their_buckets = {ident.lower(): digests for ident, digests in theirs["buckets"].items()}
    empty = short_digest(section_digest(salt, {}))
    differing: list[str] = []
    for section in sections:
        lowered = section.id.lower()
        if their_sections.get(lowered) == short_digest(digests[section.id]):
            continue
        if lowered in their_buckets:
            differing += [
                f"{section.id}{BUCKET_SEPARATOR}{index:02x}"
                for index, (digest, mine) in enumerate(zip(their_buckets[lowered], section.buckets(salt)))
                if short_digest(mine) != digest
            ]
        else:
            differing.append(section.id)
    mine = {section.id.lower() for section in sections}
    for ident in theirs["sections"]:
        if ident.lower() in mine:
            continue
        if ident.lower() in their_buckets:
            differing += [
                f"{ident}{BUCKET_SEPARATOR}{index:02x}"
                for index, digest in enumerate(their_buckets[ident.lower()])
                if digest != empty
            ]
        else:
            differing.append(ident)
    return differing


def _details(salt: bytes, sections: t.Sequence[_Section], wanted: t.Sequence[str], values: bool) -> dict[str, t.Any]:
    """Each wanted section (``<location>|<section>``, or a bucket of one, ``...//<bucket>``) with
    this node's elements in it (none when it has no such section)."""
    by_id = {section.id.lower(): section for section in sections}
    details: dict[str, t.Any] = {}
    for ident in wanted:
        base, separator, bucket = ident.partition(BUCKET_SEPARATOR)
        section = by_id.get(base.lower())
        elements = [] if section is None else section.elements
        if separator:
            elements = [element for element in elements if bucket_of(element.path) == bucket.lower()]
        listing: dict[str, t.Any] = {}
        for element in elements:
            entry: dict[str, t.Any] = {
                "digest": short_digest(element_digest(salt, element.attributes)),
                "attributes": {name: short_digest(digest) for name, digest in element.attributes.items()},
            }
            if values:
                entry["values"] = dict(element.values)
            listing[element.path] = entry
        details[ident] = listing
    return details


# Reading the document ------------------------------------------------------------------------
def _sections(
    root: Element, keys: dict[str, bytes], salt: bytes, excluded: t.Sequence[tuple[list[Step], str]]
) -> list[_Section]:
    """Every declared section holding an attribute that counts, per location path (the server
    level first, then the location tags' paths in document order; tags of one path merge), in
    document order. At the server level an attribute counts when it differs from its schema
    default; at a location path, when it differs from what the levels above give there (the
    nearest one writing it, else the schema default)."""
    declared = _declared_sections(root)
    containers: dict[str, tuple[str, list[Element]]] = {"": ("", [root])}
    for tag in root.children:
        if tag.name == "location":
            path = (tag.get("path") or "").strip("/")
            path = "" if path == "." else path
            containers.setdefault(path.casefold(), (path, []))[1].append(tag)
    levels: dict[str, tuple[str, dict[str, dict[str, _Element]]]] = {}
    for folded, (location, tags) in containers.items():
        found: dict[str, dict[str, _Element]] = {}
        for tag in tags:
            for name, element in _section_elements(tag, declared):
                _walk(element, name, SECTIONS.get(name), (), found.setdefault(name, {}), keys)
        levels[folded] = (location, found)
    sections: list[_Section] = []
    for folded, (location, found) in levels.items():
        above = [levels[path][1] for path in _ancestors(folded) if path in levels]
        for name, elements in found.items():
            counted = []
            for path, element in elements.items():
                for attribute, written in element.written.items():
                    inherited = next(
                        (
                            level[name][path].written[attribute].value
                            for level in above
                            if path in level.get(name, {}) and attribute in level[name][path].written
                        ),
                        written.default,
                    )
                    if written.value == inherited or _is_excluded(name, element.steps, attribute, excluded):
                        continue
                    element.attributes[attribute] = salted_digest(salt, attribute_text(attribute, written.value))
                    element.values[attribute] = None if written.encrypted else written.value
                if element.attributes:
                    counted.append(element)
            if counted:
                sections.append(_Section(f"{location}{LOCATION_SEPARATOR}{name}", counted))
    return sections


def _ancestors(location: str) -> list[str]:
    """The location paths above ``location`` (case-folded), nearest first, the server level last."""
    if not location:
        return []
    parts = location.split("/")
    return ["/".join(parts[:count]) for count in range(len(parts) - 1, 0, -1)] + [""]


def _declared_sections(root: Element) -> set[str]:
    declared: set[str] = set()

    def visit(node: Element, prefix: str) -> None:
        for child in node.children:
            name = child.get("name") or ""
            if child.name == "sectionGroup":
                visit(child, f"{prefix}{name}/")
            elif child.name == "section":
                declared.add(f"{prefix}{name}")

    sections = root.child("configSections")
    if sections is not None:
        visit(sections, "")
    return declared


def _section_elements(container: Element, declared: t.AbstractSet[str]) -> list[tuple[str, Element]]:
    found: list[tuple[str, Element]] = []

    def visit(node: Element, prefix: str) -> None:
        for child in node.children:
            path = f"{prefix}{child.name}"
            if path in declared:
                found.append((path, child))
            elif any(name.startswith(path + "/") for name in declared):
                visit(child, path + "/")

    visit(container, "")
    return found


def _walk(
    node: Element,
    section: str,
    schema: ElementSchema | None,
    steps: tuple[Step, ...],
    elements: dict[str, _Element],
    keys: dict[str, bytes],
) -> None:
    """Record what ``node`` and the elements below it write, by lower-case element path."""
    if node.attributes:
        entry = elements.setdefault(element_path(steps).lower(), _Element(steps))
        for name, raw in node.attributes:
            attribute = schema.attributes.get(name) if schema is not None else None
            entry.written[name] = _logical(attribute, raw, keys)
    names = [child.name for child in node.children]
    for child in node.children:
        step, child_schema = _step(section, schema, steps, child, names.count(child.name) > 1)
        _walk(child, section, child_schema, (*steps, step), elements, keys)


def _logical(attribute: AttributeSchema | None, raw: str, keys: dict[str, bytes]) -> _Written:
    """An attribute's value as compared: decrypted, in the spelling IIS writes for its type."""
    if attribute is None:
        return _Written(raw, None, False)
    value = decrypt(keys, raw) if attribute.encrypted else raw
    try:
        value = canonical(attribute, value)
        default = None if attribute.default is None else canonical(attribute, attribute.default)
    except WindowsApiError:
        # A value IIS would refuse to read is compared as written.
        default = attribute.default
    return _Written(value, default, attribute.encrypted)


def _step(
    section: str, schema: ElementSchema | None, steps: t.Sequence[Step], child: Element, repeated: bool
) -> tuple[Step, ElementSchema | None]:
    """A child's step in its element path, and its schema when the lab models it."""
    if schema is not None and schema.collection is not None and child.name == schema.collection.item:
        item = schema.collection.item_schema
        return (child.name, tuple((key, child.get(key) or "") for key in item.keys)), item
    if schema is not None and child.name in schema.children:
        return (child.name, ()), schema.children[child.name]
    unkeyed = "/".join([section, *(name for name, _ in steps), child.name])
    keys = ITEM_KEYS.get(unkeyed)
    if keys is not None:
        return (child.name, tuple((key, child.get(key) or default or "") for key, default in keys)), None
    if child.attributes and (repeated or child.name in ("add", "remove")):
        key, value = child.attributes[0]
        return (child.name, ((key, value),)), None
    return (child.name, ()), None


# Exclusions ----------------------------------------------------------------------------------
def parse_pattern(pattern: str) -> tuple[list[Step], str]:
    """``system.applicationHost/sites/site/logFile@directory`` as the steps from the
    configuration's root and the attribute; E_INVALIDARG for one that is not such a path."""
    path, at, attribute = pattern.rpartition("@")
    steps: list[Step] = []
    position = 0
    while at and attribute and position < len(path):
        match = _PATTERN_STEP.match(path, position)
        if match is None:
            break
        keys = tuple((key, value.replace("''", "'")) for key, value in _PATTERN_KEY.findall(match.group(2)))
        steps.append((match.group(1), keys))
        position = match.end()
        if position < len(path):
            if path[position] != "/":
                break
            position += 1
    if not at or not attribute or not steps or position != len(path):
        raise WindowsApiError(INVALID_PARAMETER, f"exclude {pattern!r}: not a path 'section/element@attribute'")
    return steps, attribute


def _is_excluded(
    section: str, steps: t.Sequence[Step], attribute: str, excluded: t.Sequence[tuple[list[Step], str]]
) -> bool:
    full: list[Step] = [(part, ()) for part in section.split("/")] + list(steps)
    for pattern, name in excluded:
        if len(pattern) != len(full) or not fnmatch.fnmatchcase(attribute.lower(), name.lower()):
            continue
        if all(_step_matches(wanted, step) for wanted, step in zip(pattern, full)):
            return True
    return False


def _step_matches(wanted: Step, step: Step) -> bool:
    name, keys = wanted
    if not fnmatch.fnmatchcase(step[0].lower(), name.lower()):
        return False
    have = {key.lower(): value.casefold() for key, value in step[1]}
    return all(have.get(key.lower()) == value.casefold() for key, value in keys)


OPS = (
    OpSpec(
        "apphost_digest_tree",
        write=False,
        args=(
            Arg("salt", ArgType.SECRET, required=True),
            Arg("exclude", ArgType.STR_LIST),
            Arg("against", ArgType.ANY),
            Arg("sections", ArgType.STR_LIST),
            Arg("values", ArgType.BOOL),
        ),
        run=apphost_digest_tree,
    ),
)
