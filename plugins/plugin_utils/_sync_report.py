# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What one node tells about itself for a sync: the conditions IISSync depends on and the
salted digests of its metabase, read in one batch.

The source node's report holds the summary of its metabase's digest tree
(``metabase_digest_tree``); a target's report, made against it, holds only where the target
differs: the keys and subtrees to compare, and the target's digests of those keys. Whoever
compares then lists the same keys on the source (:func:`listing_instruction`).

This is for internal collection use only; the API may change at any time.

``sync_node_info`` returns a node's report; ``iissync_preflight`` and ``metabase_verify`` read
their own node's report in the same batch and take the other nodes' reports as arguments
(:meth:`NodeReport.from_result`). A part that failed on the node is in ``errors`` with its
Windows error, so a preflight can tell what it means.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import typing as t

from ._input import InvalidInput
from ._metabase_compare import MACHINE_SPECIFIC_PROPERTIES
from ._node_session import Instruction, Outcome

SALT_REF = "salt"
"""The name under which the run's digest salt travels in the ``secrets`` argument."""

# The argument specs of the modules of a sync run (doc fragment webfarm.iis_cluster.sync_digests).
DIGEST_OPTIONS: t.Mapping[str, t.Mapping[str, t.Any]] = {
    "salt": {"type": "str", "required": True, "no_log": True},
    "exclude": {"type": "list", "elements": "str", "default": list(MACHINE_SPECIFIC_PROPERTIES)},
}
TARGETS_OPTION: t.Mapping[str, t.Mapping[str, t.Any]] = {
    "targets": {"type": "list", "elements": "raw", "required": True}
}
ACCOUNT_OPTION: t.Mapping[str, t.Mapping[str, t.Any]] = {"account": {"type": "str"}}
ACCOUNTS_OPTION: t.Mapping[str, t.Mapping[str, t.Any]] = {
    "accounts": {"type": "list", "elements": "str", "default": []}
}

# The parts of a report, in the order of its instructions, and the op that reads each. The
# services' own anonymous users (``w3svc``, ``msftpsvc``) are no request's, but every site
# created later inherits them.
PARTS: t.Mapping[str, str] = {
    "facts": "host_facts",
    "dcom_protocols": "dcom_protocols",
    "shares": "file_shares",
    "cluster_addresses": "cluster_addresses",
    "complus": "complus_catalog",
    "identities": "iis_identities_check",
    "w3svc": "metabase_get",
    "msftpsvc": "metabase_get",
    "metabase": "metabase_digest_tree",
}
SERVICE_PARTS: t.Mapping[str, str] = {"w3svc": "W3SVC", "msftpsvc": "MSFTPSVC"}
"""The parts that read a service's key, and its path."""
_SALT_CHECK = b"webfarm.iis_cluster metabase digest salt"
_MIN_SALT = 16


@dataclasses.dataclass(frozen=True)
class NodeError:
    """A Windows error a part of the report failed with."""

    code: int
    message: str


@dataclasses.dataclass(frozen=True)
class NodeReport:
    """One node's report. ``parts`` holds each part that was read, ``errors`` each that failed;
    ``salt_id`` and ``exclude`` say how the metabase was digested; ``accounts`` how the node
    resolves the account names it was asked about (the identities a sync would replicate): by
    name, ``principal`` (``account_lookup``'s value) and ``error``."""

    host: str
    parts: t.Mapping[str, t.Any]
    errors: t.Mapping[str, NodeError]
    salt_id: str
    exclude: tuple[str, ...]
    accounts: t.Mapping[str, t.Mapping[str, t.Any]] = dataclasses.field(default_factory=dict)

    @property
    def computer(self) -> str:
        """The node's computer name (what IISSync is given), else its inventory name."""
        return str((self.parts.get("facts") or {}).get("name") or self.host)

    @property
    def tree(self) -> t.Mapping[str, t.Any] | None:
        """The node's ``metabase_digest_tree`` value (with ``against``, the root of the summary
        it was compared with), or None when it could not be read."""
        return self.parts.get("metabase")

    def summary(self, field: str) -> dict[str, t.Any]:
        """The summary of this (source) node's digest tree, to compare a target against;
        raises :class:`InvalidInput` naming ``field`` when the report has none."""
        tree = self.tree
        if tree is None or "subtrees" not in tree:
            raise InvalidInput(
                f"{field}: the report of {self.host} holds no summary of its metabase digests; give the registered "
                "result of webfarm.iis_cluster.sync_node_info on the source node, run without against, whose "
                "metabase could be read"
            )
        return {"root": tree["root"], "subtrees": tree["subtrees"]}

    def to_result(self) -> dict[str, t.Any]:
        """The report as modules return it (and take it back)."""
        return {
            "host": self.host,
            "computer": self.computer,
            "salt_id": self.salt_id,
            "exclude": list(self.exclude),
            **{name: self.parts.get(name) for name in PARTS},
            "errors": {name: dataclasses.asdict(error) for name, error in self.errors.items()},
            "accounts": {name: dict(entry) for name, entry in self.accounts.items()},
        }

    @classmethod
    def from_result(cls, result: t.Any, field: str) -> NodeReport:
        """A report given back to a module (a registered ``sync_node_info`` result, or its
        ``node``); raises :class:`InvalidInput` naming ``field`` when it is not one."""
        node = result.get("node", result) if isinstance(result, t.Mapping) else None
        required = {"host", "salt_id", "exclude", "errors", *PARTS}
        if not isinstance(node, t.Mapping) or not required <= node.keys():
            raise InvalidInput(
                f"{field}: is not a node report; give the registered results of webfarm.iis_cluster.sync_node_info "
                "(a skipped or failed task has none)"
            )
        errors = {name: NodeError(int(error["code"]), str(error["message"])) for name, error in node["errors"].items()}
        parts = {name: node[name] for name in PARTS if node[name] is not None}
        accounts = dict(node.get("accounts") or {})
        return cls(str(node["host"]), parts, errors, str(node["salt_id"]), tuple(node["exclude"]), accounts)


def check_salt(salt: str) -> str:
    """The run's salt, long enough that its digests cannot be guessed at."""
    if len(salt) < _MIN_SALT:
        raise InvalidInput(f"salt: must be at least {_MIN_SALT} characters; draw a new random one for every run")
    return salt


def target_reports(results: t.Sequence[t.Any], field: str) -> list[NodeReport]:
    """The targets' reports given to a module, at least one."""
    if not results:
        raise InvalidInput(f"{field}: give the report of at least one target node")
    return [NodeReport.from_result(result, f"{field}[{index}]") for index, result in enumerate(results)]


def salt_id(salt: str) -> str:
    """A fingerprint of the salt that tells whether two reports used the same one without
    revealing it."""
    return hmac.new(salt.encode("utf-8"), _SALT_CHECK, hashlib.sha256).hexdigest()[:16]


def report_instructions(
    account: str | None,
    exclude: t.Sequence[str],
    names: t.Sequence[str] = (),
    against: t.Mapping[str, t.Any] | None = None,
) -> list[Instruction]:
    """The instructions of a report, in :data:`PARTS` order (the salt is the secret
    :data:`SALT_REF`), then an ``account_lookup`` of each of ``names``. With ``against`` (a
    source's :meth:`NodeReport.summary`) the metabase part is where this node differs from it."""
    tree: dict[str, t.Any] = {"salt": SALT_REF, "exclude": list(exclude)}
    if against is not None:
        tree["against"] = dict(against["subtrees"])
    args: dict[str, dict[str, t.Any]] = {
        "complus": {"account": account} if account else {},
        "metabase": tree,
        **{
            part: {"path": path, "properties": ["AnonymousUserName"], "children": False}
            for part, path in SERVICE_PARTS.items()
        },
    }
    parts = [Instruction(op, args.get(name, {})) for name, op in PARTS.items()]
    return parts + [Instruction("account_lookup", {"name": name}) for name in names]


def node_report(
    host: str,
    outcomes: t.Sequence[Outcome],
    salt: str,
    exclude: t.Sequence[str],
    names: t.Sequence[str] = (),
    against: t.Mapping[str, t.Any] | None = None,
) -> NodeReport:
    """The report of ``host`` from the outcomes of :func:`report_instructions` (run without
    stopping on errors, with the same ``against``)."""
    parts: dict[str, t.Any] = {}
    errors: dict[str, NodeError] = {}
    for name, outcome in zip(PARTS, outcomes):
        if outcome.status == "ok":
            parts[name] = outcome.value
            if name == "metabase" and against is not None:
                # Which source state the differences are from: compared later with the source's.
                parts[name] = {**outcome.value, "against": against["root"]}
        else:
            errors[name] = NodeError(outcome.error_code or 0, outcome.error_message)
    accounts = account_entries(names, outcomes[len(PARTS) :])
    return NodeReport(host, parts, errors, salt_id(salt), tuple(exclude), accounts)


def account_entries(names: t.Sequence[str], outcomes: t.Sequence[Outcome]) -> dict[str, dict[str, t.Any]]:
    """How a node resolved ``names``, from the outcomes of their ``account_lookup``: by name,
    ``principal`` (null when no account has it) and ``error``."""
    return {
        name: (
            {"principal": outcome.value, "error": None}
            if outcome.status == "ok"
            else {"principal": None, "error": {"code": outcome.error_code or 0, "message": outcome.error_message}}
        )
        for name, outcome in zip(names, outcomes)
    }


def probe_instructions(computers: t.Sequence[str]) -> list[Instruction]:
    """The source's ``rpc_probe`` of each target computer: its name resolves and RPC answers."""
    return [Instruction("rpc_probe", {"computer": computer}) for computer in computers]


def probe_results(computers: t.Sequence[str], outcomes: t.Sequence[Outcome]) -> dict[str, dict[str, t.Any]]:
    """The outcomes of :func:`probe_instructions` as a module returns them, by computer name:
    the ``addresses`` the name resolved to, or the Windows ``error``."""
    return {
        computer: (
            {"addresses": list(outcome.value["addresses"]), "error": None}
            if outcome.status == "ok"
            else {"addresses": None, "error": {"code": outcome.error_code or 0, "message": outcome.error_message}}
        )
        for computer, outcome in zip(computers, outcomes)
    }


def probe_outcomes(probes: t.Any, field: str) -> dict[str, Outcome]:
    """:func:`probe_results` given back to a module, as outcomes by upper-case computer name;
    raises :class:`InvalidInput` naming ``field`` when it is not that."""
    if not isinstance(probes, t.Mapping):
        raise InvalidInput(f"{field}: is not the probes of a sync_node_info result; give its whole registered result")
    outcomes: dict[str, Outcome] = {}
    for computer, probe in probes.items():
        instruction = Instruction("rpc_probe", {"computer": computer})
        error = probe.get("error") if isinstance(probe, t.Mapping) else None
        if isinstance(probe, t.Mapping) and isinstance(probe.get("addresses"), list):
            outcomes[str(computer).upper()] = Outcome(instruction, "ok", {"computer": computer, "addresses": probe["addresses"]})
        elif isinstance(error, t.Mapping):
            outcomes[str(computer).upper()] = Outcome(
                instruction, "failed", None, int(error.get("code") or 0), str(error.get("message", ""))
            )
        else:
            raise InvalidInput(f"{field}[{computer}]: is neither the addresses nor the error of an rpc_probe")
    return outcomes


def check_same_digests(reports: t.Sequence[NodeReport], salt: str, exclude: t.Sequence[str], field: str) -> None:
    """Reports are comparable only when digested with this run's salt and exclusions."""
    wanted = (salt_id(salt), sorted(name.lower() for name in exclude))
    for index, report in enumerate(reports):
        if (report.salt_id, sorted(name.lower() for name in report.exclude)) != wanted:
            raise InvalidInput(
                f"{field}[{index}]: the report of {report.host} was digested with another salt or exclusion list; "
                "give sync_node_info the same salt and exclude as this task"
            )


def check_against(root: str, targets: t.Sequence[NodeReport], field: str) -> None:
    """Every target's differences are from the source's metabase whose digest tree has
    ``root``; raises :class:`InvalidInput` for one compared with another."""
    for index, target in enumerate(targets):
        if target.tree is not None and target.tree.get("against") != root:
            raise InvalidInput(
                f"{field}[{index}]: the report of {target.host} was not made against the source's current "
                "metabase digests; run webfarm.iis_cluster.sync_node_info on the targets with against: the source's "
                "registered sync_node_info result, after the last change to the source's metabase"
            )


def listing_instruction(
    targets: t.Sequence[NodeReport], exclude: t.Sequence[str], values: bool = False
) -> Instruction | None:
    """The ``metabase_digest_tree`` listing, for the source, of every key and subtree where a
    target differs from the source's summary (with the non-secure ``values`` when asked), or
    None when no target differs."""
    keys: dict[str, str] = {}
    subtrees: dict[str, str] = {}
    for target in targets:
        if target.tree is not None:
            keys.update((path.lower(), path) for path in target.tree["differing_keys"])
            subtrees.update((path.lower(), path) for path in target.tree["differing_subtrees"])
    if not keys and not subtrees:
        return None
    args = {"salt": SALT_REF, "exclude": list(exclude), "keys": list(keys.values()), "subtrees": list(subtrees.values())}
    return Instruction("metabase_digest_tree", {**args, "values": values})
