# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Comparing a target node's metabase and COM+ applications with the source's.

This is for internal collection use only; the API may change at any time.

Both sides are salted digests (``metabase_digest_tree``): equal digests mean equal values, secure
ones included, and nothing else can be read from them. A target compares its digest tree with the
source's summary top-down and lists only the keys where it differs; the source lists the same
keys, and these two listings are compared here, a key by its digest first, then its properties.
"""

from __future__ import annotations

import dataclasses
import hashlib
import typing as t

from ._changes import Shown

MACHINE_SPECIFIC_PROPERTIES: tuple[str, ...] = ("ServerState", "Win32Error", "AdminACL")
"""Properties that differ between healthy cluster nodes, left out of the comparison by default:
``ServerState`` is a site's run state (on a cluster the site runs on the node that owns its
group, stopped elsewhere), ``Win32Error`` the last error a site hit on that node, ``AdminACL``
a security descriptor holding the node's own local SIDs."""

CHANGED, MISSING, EXTRA = "differs", "missing on the target", "only on the target"

BUCKET_SEPARATOR = "//"
"""Between a wide key's path and the name of a bucket of its children in a digest tree's
summary and differences (``/LM/W3SVC/1/ROOT//3f``): no key name is empty, so no key's path holds
it. ``metabase_digest_tree`` opens a key with more children than a summary can list by buckets."""


@dataclasses.dataclass(frozen=True)
class PropertyDifference:
    name: str
    kind: str  # CHANGED, MISSING or EXTRA


@dataclasses.dataclass(frozen=True)
class KeyDifference:
    """A key whose digest differs: the whole key missing or extra on the target, or the
    properties that differ."""

    path: str
    kind: str
    properties: tuple[PropertyDifference, ...] = ()


def tree_differences(
    source: t.Mapping[str, t.Any], target: t.Mapping[str, t.Any], exclude: t.Collection[str] = ()
) -> list[KeyDifference]:
    """How a target differs from the source: ``target`` is its ``metabase_digest_tree`` value
    made against the source's summary, ``source`` the source's listing (``keys``) of at least
    the keys and subtrees the target names; the part of it the target does not name is left
    out of the comparison."""
    single = {path.lower() for path in target["differing_keys"]}
    tops = tuple(path.lower() for path in target["differing_subtrees"])
    scoped = {
        path: entry
        for path, entry in source.items()
        if path.lower() in single or any(in_subtree(path, top) for top in tops)
    }
    return differing_keys(scoped, target.get("keys") or {}, exclude)


def bucket_of(name: str) -> str:
    """The bucket of a wide key's child named ``name`` (``metabase_digest_tree``): the first two
    hex characters of the SHA-256 of its lower-case name's UTF-8 bytes."""
    return hashlib.sha256(name.lower().encode("utf-8")).hexdigest()[:2]


def in_subtree(path: str, top: str) -> bool:
    """Whether the key at ``path`` is in the subtree ``top`` of a ``metabase_digest_tree``
    difference: at or below the key ``top``, or, for a bucket (``key//bucket``), at or below a
    child of that key in that bucket. Paths compare case-insensitively."""
    lowered, top = path.lower(), top.lower()
    parent, separator, bucket = top.partition(BUCKET_SEPARATOR)
    if not separator:
        return lowered == top or lowered.startswith(top + "/")
    if not lowered.startswith(parent + "/"):
        return False
    child = path[len(parent) + 1 :].split("/", 1)[0]
    return bucket_of(child) == bucket


def differing_keys(
    source: t.Mapping[str, t.Any], target: t.Mapping[str, t.Any], exclude: t.Collection[str] = ()
) -> list[KeyDifference]:
    """How ``target``'s key digests differ from ``source``'s (both ``metabase_digest_tree``
    listings, ``keys``), in the source's key order, then the target's extra keys. Key paths
    compare case-insensitively; properties named in ``exclude`` are ignored."""
    excluded = {name.lower() for name in exclude}
    source_keys = {path.lower(): (path, digest) for path, digest in source.items()}
    target_keys = {path.lower(): (path, digest) for path, digest in target.items()}
    differences = []
    for lowered, (path, digest) in source_keys.items():
        if lowered not in target_keys:
            differences.append(KeyDifference(path, MISSING, _all(digest, MISSING, excluded)))
            continue
        other = target_keys[lowered][1]
        if digest["digest"] == other["digest"]:
            continue
        properties = _property_differences(digest["properties"], other["properties"], excluded)
        if properties:
            differences.append(KeyDifference(path, CHANGED, properties))
    for lowered, (path, digest) in target_keys.items():
        if lowered not in source_keys:
            differences.append(KeyDifference(path, EXTRA, _all(digest, EXTRA, excluded)))
    return differences


def without_settled(differences: t.Sequence[KeyDifference], settled: t.Collection[str]) -> list[KeyDifference]:
    """``differences`` but those of the properties in ``settled`` (metabase paths of properties,
    ``/LM/W3SVC/WAMUserPass``), which a step before the sync will set alike on both nodes: a key
    left with no differing property differs no more."""
    gone = {path.lower() for path in settled}
    kept = []
    for key in differences:
        properties = tuple(prop for prop in key.properties if f"{key.path}/{prop.name}".lower() not in gone)
        if properties or key.kind != CHANGED:
            kept.append(dataclasses.replace(key, properties=properties))
    return kept


def _all(digest: t.Mapping[str, t.Any], kind: str, excluded: t.AbstractSet[str]) -> tuple[PropertyDifference, ...]:
    return tuple(PropertyDifference(name, kind) for name in digest["properties"] if name.lower() not in excluded)


def _property_differences(
    source: t.Mapping[str, str], target: t.Mapping[str, str], excluded: t.AbstractSet[str]
) -> tuple[PropertyDifference, ...]:
    source_by_name = {name.lower(): (name, digest) for name, digest in source.items() if name.lower() not in excluded}
    target_by_name = {name.lower(): (name, digest) for name, digest in target.items() if name.lower() not in excluded}
    differences = []
    for lowered, (name, digest) in source_by_name.items():
        if lowered not in target_by_name:
            differences.append(PropertyDifference(name, MISSING))
        elif target_by_name[lowered][1] != digest:
            differences.append(PropertyDifference(name, CHANGED))
    differences += [
        PropertyDifference(entry[0], EXTRA)
        for lowered, entry in target_by_name.items()
        if lowered not in source_by_name
    ]
    return tuple(differences)


@dataclasses.dataclass(frozen=True)
class ApplicationDifference:
    """COM+ applications the sync replicates that one side has and the other lacks, by name."""

    missing: tuple[str, ...]
    extra: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra)


def differing_applications(source: t.Mapping[str, t.Any], target: t.Mapping[str, t.Any]) -> ApplicationDifference:
    """Non-system COM+ applications (``complus_catalog`` values) of the source missing on the
    target, and the target's own that replication would remove; compared by application ID."""
    source_apps = _replicated(source)
    target_apps = _replicated(target)
    return ApplicationDifference(
        missing=tuple(name for app_id, name in source_apps.items() if app_id not in target_apps),
        extra=tuple(name for app_id, name in target_apps.items() if app_id not in source_apps),
    )


def _replicated(catalog: t.Mapping[str, t.Any]) -> dict[str, str]:
    return {app["id"].upper(): app["name"] for app in catalog["applications"] if not app["system"]}


def listed_details(listing: t.Mapping[str, t.Any]) -> dict[str, dict[str, dict[str, t.Any]]]:
    """The source's properties of a ``metabase_digest_tree`` listing made with ``values``, by
    key path and name, as :func:`describe_differences` shows them: a listed property without a
    value is a secure one."""
    return {
        path: {
            name: {"value": entry["values"][name]} if name in entry.get("values", {}) else {"secure": True}
            for name in entry["properties"]
        }
        for path, entry in listing.items()
    }


def describe_differences(
    source_name: str,
    target_name: str,
    keys: t.Sequence[KeyDifference],
    applications: ApplicationDifference,
    source_details: t.Mapping[str, t.Mapping[str, t.Any]],
) -> list[str]:
    """One readable line per difference. ``source_details`` holds, for the keys that differ,
    the source's ``metabase_get`` properties (by metabase path) to show what the source has;
    a secure value is never shown."""
    lines = []
    for key in keys:
        if key.kind != CHANGED:
            names = ", ".join(prop.name for prop in key.properties) or "no properties"
            lines.append(f"{key.path}: the key is {key.kind} ({names})")
            continue
        details = source_details.get(key.path, {})
        for prop in key.properties:
            lines.append(
                f"{key.path}: {prop.name} {_property_line(prop, details.get(prop.name), source_name, target_name)}"
            )
    if applications.missing:
        lines.append(f"COM+ applications missing on {target_name}: {', '.join(applications.missing)}")
    if applications.extra:
        lines.append(f"COM+ applications only on {target_name}: {', '.join(applications.extra)}")
    return lines


def _property_line(prop: PropertyDifference, detail: t.Mapping[str, t.Any] | None, source: str, target: str) -> str:
    if prop.kind == EXTRA:
        return f"is set on {target} but not on {source}"
    shown = _shown(detail)
    if prop.kind == MISSING:
        return f"is not set on {target}; {source} has {shown}"
    return f"differs: {source} has {shown}, {target} has another value"


def _shown(detail: t.Mapping[str, t.Any] | None) -> str:
    if detail is None:
        return "a value"
    if detail.get("secure"):
        return "a secret value (not shown)"
    if "value" not in detail:
        return f"a {detail.get('type', '')} value".replace("  ", " ")
    return Shown.value(detail["value"]).text


def verification_failure(
    source: str, differing: t.Sequence[t.Mapping[str, t.Any]], broken: t.Mapping[str, t.Sequence[str]]
) -> str:
    """The message of a failed verification, either backend's: each target that differs from the
    ``source`` with its differences, then each node that does not work with its problems."""
    return "Verification failed: " + " ".join(
        [
            *(f"{entry['host']} differs from {source}: " + "; ".join(entry["differences"]) + "." for entry in differing),
            *(f"{host} does not work: " + "; ".join(problems) + "." for host, problems in broken.items()),
        ]
    )
