"""One host's IIS metabase: a tree of keys holding typed properties, read through inheritance.

Paths are ADSI paths below ``IIS://localhost/`` (``W3SVC/1/ROOT``); the empty path is the
machine key ``/LM`` itself. Key names and property names are case-insensitive; what the
metabase returns is spelled the way the key or the schema spells it.

The operations behave like the IIS ADSI provider's: a missing key fails with
HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND), and a property name the key's class does not list
(unknown names included) with E_ADS_PROPERTY_NOT_SUPPORTED (0x80005006). A property with no
value at the key nor (when inheritable) above it fails with MD_ERROR_DATA_NOT_FOUND, as
GetPropertyAttribObj does; ADSI's own ``Get`` would return the schema's default there, and the
lab keeps no defaults: ``docs/instruction-set.md`` reports such a property as ``unset``.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import typing as t

from .errors import (
    E_ADS_BAD_PATHNAME,
    E_ADS_PROPERTY_NOT_SUPPORTED,
    MD_ERROR_DATA_NOT_FOUND,
    PATH_NOT_FOUND,
    WindowsApiError,
)
from .metabase_schema import IIS_OBJECT, PropertySchema, find_property
from .metabase_types import StoredValue, from_json

ROOT_PATH = "/LM"
"""The metabase path of the machine key, the parent of every ADSI path."""


class Source(enum.Enum):
    """Where a key's effective value of a property comes from."""

    HERE = "here"
    INHERITED = "inherited"


@dataclasses.dataclass(frozen=True)
class Reading:
    """A property's effective value at a key."""

    schema: PropertySchema
    source: Source
    value: StoredValue


@dataclasses.dataclass(eq=False)
class MetabaseKey:
    """One key: its name as created, the values set at it, and its sub-keys in creation order."""

    name: str
    parent: MetabaseKey | None = None
    values: dict[str, StoredValue] = dataclasses.field(default_factory=dict)
    children: dict[str, MetabaseKey] = dataclasses.field(default_factory=dict)

    @property
    def key_type(self) -> str:
        """The ADSI class of the key: its KeyType, or IIsObject when it has none."""
        return t.cast(str, self.values.get("KeyType", IIS_OBJECT))

    @property
    def metabase_path(self) -> str:
        """The key's full metabase path, e.g. ``/LM/W3SVC/1``."""
        return ROOT_PATH if self.parent is None else f"{self.parent.metabase_path}/{self.name}"

    @property
    def adsi_path(self) -> str:
        """The key's path below ``IIS://localhost/``, e.g. ``W3SVC/1`` (empty for ``/LM``)."""
        return self.metabase_path[len(ROOT_PATH) + 1 :]

    def lineage(self) -> t.Iterator[MetabaseKey]:
        """This key, then each key above it up to ``/LM``."""
        key: MetabaseKey | None = self
        while key is not None:
            yield key
            key = key.parent


@dataclasses.dataclass(frozen=True)
class MetabaseSnapshot:
    """A copy of a whole metabase, as a backup holds it."""

    root: MetabaseKey = dataclasses.field(repr=False)


class Metabase:
    """The metabase of one host."""

    def __init__(self) -> None:
        self._root = MetabaseKey("LM")
        self._root.values["KeyType"] = "IIsComputer"

    @classmethod
    def from_snapshot(cls, snapshot: MetabaseSnapshot) -> Metabase:
        """A metabase holding a copy of ``snapshot``: a backup opened to be read."""
        metabase = cls()
        metabase.restore(snapshot)
        return metabase

    def snapshot(self) -> MetabaseSnapshot:
        """A copy of every key and value (IIsComputer.Backup)."""
        return MetabaseSnapshot(copy.deepcopy(self._root))

    def restore(self, snapshot: MetabaseSnapshot) -> None:
        """Replace every key and value with ``snapshot``'s (IIsComputer.Restore)."""
        self._root = copy.deepcopy(snapshot.root)

    def replicate_from(self, source: Metabase) -> None:
        """Make this metabase a copy of ``source``, as IISSync does, secure data included.

        Volatile properties (METADATA_VOLATILE, such as ServerState) are never persisted nor
        replicated: a key keeps its own, and a key new here has none.
        """
        volatile = {key.metabase_path.lower(): _volatile_values(key) for key in self.keys()}
        self._root = copy.deepcopy(source._root)
        for key in self.keys():
            for name in [name for name in key.values if _is_volatile(name)]:
                del key.values[name]
            key.values.update(volatile.get(key.metabase_path.lower(), {}))

    def key(self, path: str) -> MetabaseKey:
        """The key at ADSI ``path``; fails with 0x80070003 when it does not exist."""
        key = self._root
        for name in _split(path):
            child = key.children.get(name.lower())
            if child is None:
                raise WindowsApiError(PATH_NOT_FOUND, f"{key.metabase_path}/{name}")
            key = child
        return key

    def create_key(self, path: str, key_type: str) -> MetabaseKey:
        """Create the key at ``path`` (its parent must exist) with KeyType ``key_type``."""
        *parent_names, name = _split(path)
        parent = self.key("/".join(parent_names))
        if name.lower() in parent.children:
            raise ValueError(f"{parent.metabase_path}/{name} already exists")
        key = MetabaseKey(name, parent)
        key.values["KeyType"] = key_type
        parent.children[name.lower()] = key
        return key

    def keys(self, path: str = "") -> t.Iterator[MetabaseKey]:
        """The key at ``path`` (by default ``/LM``) and every key below it, parents before
        children, siblings in creation order."""
        pending = [self.key(path)]
        while pending:
            key = pending.pop()
            yield key
            pending.extend(reversed(list(key.children.values())))

    def read(self, path: str, name: str) -> Reading:
        """The effective value of property ``name`` at ``path``: set here, or inherited from the
        nearest key above when the property is inheritable."""
        key, schema = self._resolve(path, name)
        if schema.bit is not None:
            flags = self.read(path, schema.bit.flags)
            return Reading(schema, flags.source, bool(t.cast(int, flags.value) & schema.bit.mask))
        for holder in key.lineage():
            if schema.name in holder.values:
                source = Source.HERE if holder is key else Source.INHERITED
                return Reading(schema, source, holder.values[schema.name])
            if not schema.inherit:
                break
        raise WindowsApiError(MD_ERROR_DATA_NOT_FOUND, f"{schema.name} is not set at {key.metabase_path}")

    def write(self, path: str, name: str, value: t.Any) -> None:
        """Set property ``name`` at ``path`` to the JSON ``value`` (ADSI ``Put`` + ``SetInfo``)."""
        key, schema = self._resolve(path, name)
        stored = from_json(schema.type, value, schema.name)
        if schema.bit is None:
            key.values[schema.name] = stored
            return
        # As ADSI does, a bit is written by reading the effective flags (inherited included) and
        # storing them, with the bit changed, at this key.
        flags = self._effective_flags(path, schema.bit.flags)
        key.values[schema.bit.flags] = flags | schema.bit.mask if stored else flags & ~schema.bit.mask

    def clear(self, path: str, name: str) -> None:
        """Remove the value of ``name`` set at ``path`` so that it inherits again (``PutEx``
        ADS_PROPERTY_CLEAR + ``SetInfo``). Clearing a bit clears its whole flags property, and
        clearing what is not set here is not an error: both as in ADSI."""
        key, schema = self._resolve(path, name)
        key.values.pop(schema.bit.flags if schema.bit else schema.name, None)

    def _resolve(self, path: str, name: str) -> tuple[MetabaseKey, PropertySchema]:
        key = self.key(path)
        schema = find_property(name)
        if schema is None:
            raise WindowsApiError(E_ADS_PROPERTY_NOT_SUPPORTED, f"no property {name!r} in the schema")
        if not schema.allowed_in(key.key_type):
            raise WindowsApiError(E_ADS_PROPERTY_NOT_SUPPORTED, f"{key.key_type} does not list {schema.name}")
        return key, schema

    def _effective_flags(self, path: str, flags_name: str) -> int:
        try:
            return t.cast(int, self.read(path, flags_name).value)
        except WindowsApiError as error:
            if error.error is not MD_ERROR_DATA_NOT_FOUND:
                raise
            # Nothing set anywhere: start from no bits (the lab keeps no schema defaults).
            return 0


def _is_volatile(name: str) -> bool:
    schema = find_property(name)
    return schema is not None and schema.volatile


def _volatile_values(key: MetabaseKey) -> dict[str, StoredValue]:
    return {name: value for name, value in key.values.items() if _is_volatile(name)}


def _split(path: str) -> list[str]:
    """The key names of an ADSI path; an empty name (leading, trailing or doubled ``/``) makes
    the path invalid, as it does for ADSI."""
    if path == "":
        return []
    names = path.split("/")
    if any(name == "" for name in names):
        raise WindowsApiError(E_ADS_BAD_PATHNAME, repr(path))
    return names
