# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Comparing IIS 7-10 nodes' logical configurations by salted digests (``apphost_digest_tree``).

This is for internal collection use only; the API may change at any time.

A node's report (``apphost_config_info``) holds its digest tree and its application pools, read
in one execution. The source's tree is a summary (a digest per section per location path); a
target's, made against that summary on the target, names only the sections where it differs
and its elements there. The source then details exactly those sections (one more execution,
only when something differs), and the two listings are compared element by element, attribute
by attribute, with the metabase path's comparison (:func:`._metabase_compare.differing_keys`:
an element plays a key's part, an attribute a property's). An encrypted value never leaves a
node: only its salted digest does, and a difference in it reads "differs (encrypted)".
"""

from __future__ import annotations

import dataclasses
import typing as t

from ._changes import Shown
from ._input import InvalidInput
from ._metabase_compare import CHANGED, EXTRA, MISSING, KeyDifference, differing_keys
from ._node_session import Instruction, Outcome
from ._sync_report import SALT_REF, NodeError, salt_id

TREE_OP = "apphost_digest_tree"
POOLS_OP = "app_pools_get"
PARTS: t.Mapping[str, str] = {"tree": TREE_OP, "pools": POOLS_OP}
"""The parts of a report, in the order of its instructions, and the op that reads each."""
BUCKET_SEPARATOR = "//"
LOCATION_SEPARATOR = "|"
REPORTER = "webfarm.iis_cluster.apphost_config_info"
OPTIONS: t.Mapping[str, t.Mapping[str, t.Any]] = {
    "salt": {"type": "str", "required": True, "no_log": True},
    "exclude": {"type": "list", "elements": "str", "default": []},
}
"""The options of the modules of one comparison (doc fragment webfarm.iis_cluster.apphost_digests)."""


@dataclasses.dataclass(frozen=True)
class ApphostReport:
    """One node's report: ``parts`` read (``tree``, ``pools``), ``errors`` of those that failed,
    and how the tree was digested (``salt_id``, ``exclude``)."""

    host: str
    parts: t.Mapping[str, t.Any]
    errors: t.Mapping[str, NodeError]
    salt_id: str
    exclude: tuple[str, ...]

    @property
    def tree(self) -> t.Mapping[str, t.Any] | None:
        return self.parts.get("tree")

    def summary(self, field: str) -> dict[str, t.Any]:
        """The summary of this (source) node's tree, to compare a target against."""
        tree = self.tree
        if tree is None or "sections" not in tree:
            raise InvalidInput(
                f"{field}: the report of {self.host} holds no summary of its configuration digests; give the "
                f"registered result of {REPORTER} on the source node, run without against, whose configuration "
                "could be read"
            )
        return {"root": tree["root"], "sections": tree["sections"], "buckets": tree.get("buckets") or {}}

    def to_result(self) -> dict[str, t.Any]:
        return {
            "host": self.host,
            "salt_id": self.salt_id,
            "exclude": list(self.exclude),
            **{name: self.parts.get(name) for name in PARTS},
            "errors": {name: dataclasses.asdict(error) for name, error in self.errors.items()},
        }

    @classmethod
    def from_result(cls, result: t.Any, field: str) -> ApphostReport:
        """A report given back to a module (a registered result, or its ``node``)."""
        node = result.get("node", result) if isinstance(result, t.Mapping) else None
        required = {"host", "salt_id", "exclude", "errors", *PARTS}
        if not isinstance(node, t.Mapping) or not required <= node.keys():
            raise InvalidInput(
                f"{field}: is not a node report; give the registered results of {REPORTER} (a skipped or failed "
                "task has none)"
            )
        errors = {name: NodeError(int(error["code"]), str(error["message"])) for name, error in node["errors"].items()}
        parts = {name: node[name] for name in PARTS if node[name] is not None}
        return cls(str(node["host"]), parts, errors, str(node["salt_id"]), tuple(node["exclude"]))


def report_instructions(exclude: t.Sequence[str], against: t.Mapping[str, t.Any] | None = None) -> list[Instruction]:
    """A node's report: its digest tree (the salt is the secret :data:`SALT_REF`; against a
    source's summary, with the values of what differs that are not encrypted) and its pools."""
    tree: dict[str, t.Any] = {"salt": SALT_REF, "exclude": list(exclude)}
    if against is not None:
        tree.update(against=dict(against), values=True)
    return [Instruction(TREE_OP, tree), Instruction(POOLS_OP, {})]


def node_report(
    host: str,
    outcomes: t.Sequence[Outcome],
    salt: str,
    exclude: t.Sequence[str],
    against: t.Mapping[str, t.Any] | None = None,
) -> ApphostReport:
    """The report from the outcomes of :func:`report_instructions` (run without stopping)."""
    parts: dict[str, t.Any] = {}
    errors: dict[str, NodeError] = {}
    for name, outcome in zip(PARTS, outcomes):
        if outcome.status != "ok":
            errors[name] = NodeError(outcome.error_code or 0, outcome.error_message)
        elif name == "tree" and against is not None:
            # Which source state the differences are from: compared later with the source's.
            parts[name] = {**outcome.value, "against": against["root"]}
        else:
            parts[name] = outcome.value
    return ApphostReport(host, parts, errors, salt_id(salt), tuple(exclude))


def check_comparable(reports: t.Sequence[ApphostReport], salt: str, exclude: t.Sequence[str], field: str) -> None:
    """Reports are comparable only when digested with this run's salt and exclusions."""
    wanted = (salt_id(salt), sorted(pattern.lower() for pattern in exclude))
    for index, report in enumerate(reports):
        if (report.salt_id, sorted(pattern.lower() for pattern in report.exclude)) != wanted:
            raise InvalidInput(
                f"{field}[{index}]: the report of {report.host} was digested with another salt or exclusion list; "
                f"give {REPORTER} the same salt and exclude as this task"
            )


def check_against(root: str, targets: t.Sequence[ApphostReport], field: str) -> None:
    """Every target compared itself with the source's current summary (root ``root``)."""
    for index, target in enumerate(targets):
        if target.tree is not None and target.tree.get("against") != root:
            raise InvalidInput(
                f"{field}[{index}]: the report of {target.host} was not made against the source's current "
                f"configuration digests; run {REPORTER} on the targets with against: the source's registered "
                "result, after the last change to the source's configuration"
            )


def detail_instruction(targets: t.Sequence[ApphostReport], exclude: t.Sequence[str]) -> Instruction | None:
    """The source's listing, with values, of every section where some target differs; None
    when none does."""
    sections: dict[str, str] = {}
    for target in targets:
        if target.tree is not None:
            sections.update((ident.lower(), ident) for ident in target.tree.get("differing_sections") or [])
    if not sections:
        return None
    args = {"salt": SALT_REF, "exclude": list(exclude), "sections": list(sections.values()), "values": True}
    return Instruction(TREE_OP, args)


@dataclasses.dataclass(frozen=True)
class SectionDifference:
    """The elements of one section (at one location path) where a target differs."""

    section: str
    location: str
    elements: tuple[KeyDifference, ...]


def section_differences(source_details: t.Mapping[str, t.Any], target: ApphostReport) -> list[SectionDifference]:
    """How ``target`` differs from the source, section by section: its tree names the sections
    (or buckets) that differ and holds its elements there; ``source_details`` holds the
    source's (``details`` of :func:`detail_instruction`'s listing)."""
    tree = target.tree or {}
    source_by_id = {ident.lower(): listing for ident, listing in source_details.items()}
    theirs = tree.get("details") or {}
    merged: dict[tuple[str, str], list[KeyDifference]] = {}
    for ident in tree.get("differing_sections") or []:
        ours = _as_keys(source_by_id.get(ident.lower()) or {})
        elements = differing_keys(ours, _as_keys(theirs.get(ident) or {}))
        location, _separator, section = ident.partition(BUCKET_SEPARATOR)[0].partition(LOCATION_SEPARATOR)
        merged.setdefault((location, section), []).extend(elements)
    return [
        SectionDifference(section, location, tuple(elements)) for (location, section), elements in merged.items() if elements
    ]


def _as_keys(listing: t.Mapping[str, t.Any]) -> dict[str, dict[str, t.Any]]:
    """A section's elements as the metabase comparison takes keys: digest and properties."""
    return {path: {"digest": entry["digest"], "properties": entry["attributes"]} for path, entry in listing.items()}


def describe_differences(
    source_name: str,
    target_name: str,
    differences: t.Sequence[SectionDifference],
    source_details: t.Mapping[str, t.Any],
    target: ApphostReport,
) -> list[str]:
    """One readable line per differing attribute (or element missing on one side): section,
    location, element, attribute, and the values where neither is encrypted."""
    ours = _values(source_details)
    theirs = _values((target.tree or {}).get("details") or {})
    lines = []
    for section in differences:
        where = f"{section.section} at {_location(section.location)}"
        for element in section.elements:
            place = f"{where}, {_element(element.path)}"
            key = (section.location.lower(), section.section.lower(), element.path.lower())
            if element.kind != CHANGED:
                names = ", ".join(attribute.name for attribute in element.properties)
                lines.append(f"{place}: the element is {element.kind} ({names})")
                continue
            for attribute in element.properties:
                source_value = ours.get(key, {}).get(attribute.name, _UNKNOWN)
                target_value = theirs.get(key, {}).get(attribute.name, _UNKNOWN)
                lines.append(
                    f"{place}: {attribute.name} "
                    + _attribute_line(attribute.kind, source_value, target_value, source_name, target_name)
                )
    return lines


_UNKNOWN = object()


def _values(details: t.Mapping[str, t.Any]) -> dict[tuple[str, str, str], dict[str, t.Any]]:
    """The values of listed elements, by (location, section, element path), lower case."""
    values: dict[tuple[str, str, str], dict[str, t.Any]] = {}
    for ident, listing in details.items():
        location, _separator, section = ident.partition(BUCKET_SEPARATOR)[0].partition(LOCATION_SEPARATOR)
        for path, entry in listing.items():
            values[(location.lower(), section.lower(), path.lower())] = dict(entry.get("values") or {})
    return values


def _attribute_line(kind: str, source: t.Any, target: t.Any, source_name: str, target_name: str) -> str:
    """An attribute set at the element on one node only is in effect there; on the other the
    level above's value or the schema default is (an attribute equal to it counts as unset)."""
    encrypted = source is None or target is None
    if kind in (EXTRA, MISSING):
        node, value = (target_name, target) if kind == EXTRA else (source_name, source)
        other = source_name if kind == EXTRA else target_name
        shown = "set (encrypted)" if value is None else "set" if value is _UNKNOWN else Shown.value(value).text
        return f"is {shown} on {node}, inherited or the default on {other}"
    if encrypted:
        return "differs (encrypted)"
    if source is _UNKNOWN or target is _UNKNOWN:
        return f"differs between {source_name} and {target_name}"
    return f"differs: {source_name} has {Shown.value(source).text}, {target_name} has {Shown.value(target).text}"


def _location(location: str) -> str:
    return "the server level" if not location else f"location {location!r}"


def _element(path: str) -> str:
    return "the section's element" if not path else path


def pool_problems(pools: t.Sequence[t.Mapping[str, t.Any]]) -> list[str]:
    """The application pools with a custom identity (SpecificUser, a gMSA included) that are not
    started: equal configuration is not enough when an identity cannot log on on this node."""
    return [
        f"application pool {pool['name']!r} (identity {pool.get('user_name') or '?'}) is {pool['state']}: its worker "
        "could not log its identity on, or it was stopped; check the account (password, lockout, 'Log on as a batch "
        "job' on this node) and start the pool"
        for pool in pools
        if pool.get("identity_type") == "SpecificUser" and pool.get("state") != "Started"
    ]
