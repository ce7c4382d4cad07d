# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.iissync_preflight: every checkable IISSync condition,
on the source node, before any sync."""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iissync_run import check_targets
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_compare import (
    differing_applications,
    tree_differences,
    without_settled,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._network_credentials import logon_account
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession, Outcome
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._preflight import FAILED, UNKNOWN, WARNING, preflight_checks
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._replicated_identities import identity_checks
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._sync_prediction import (
    PendingIdentity,
    pending_identities,
    predicted_differences,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._sync_report import (
    ACCOUNT_OPTION,
    ACCOUNTS_OPTION,
    DIGEST_OPTIONS,
    TARGETS_OPTION,
    SALT_REF,
    NodeReport,
    account_entries,
    check_against,
    check_salt,
    check_same_digests,
    listing_instruction,
    node_report,
    probe_instructions,
    probe_outcomes,
    report_instructions,
    target_reports,
)


class ActionModule(NodeAction):
    argument_spec = {
        **TARGETS_OPTION,
        **DIGEST_OPTIONS,
        **ACCOUNT_OPTION,
        **ACCOUNTS_OPTION,
        "source_changes": {"type": "list", "elements": "str", "default": []},
        "identity_changes": {"type": "list", "elements": "str", "default": []},
        "settled_properties": {"type": "list", "elements": "str", "default": []},
        "pending_identities": {"type": "list", "elements": "dict", "default": []},
        "source": {"type": "raw"},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        salt = check_salt(args["salt"])
        targets = target_reports(args["targets"], "targets")
        check_same_digests(targets, salt, args["exclude"], "targets")
        computers = check_targets([target.computer for target in targets])
        names = list(dict.fromkeys(args["accounts"]))
        if args["source"] is None:
            account = args["account"] or logon_account(self._connection)
            source, probes, ask = None, {}, report_instructions(account, args["exclude"], names)
        else:
            source, probes = _given_source(args["source"], session.host, salt, args["exclude"])
            # Only what the source's own sync_node_info did not already answer.
            names = [name for name in names if name.lower() not in {known.lower() for known in source.accounts}]
            computers = [computer for computer in computers if computer.upper() not in probes]
            ask = [Instruction("account_lookup", {"name": name}) for name in names]

        # Whether a target differs is its own answer: it compared its digest tree with the source's
        # summary on the node, and every key and subtree it names differs. Only properties a step
        # before the sync will set alike on both, or will set on the source (check mode), need the
        # source's listing, to tell them from the rest; it rides with the probes. So when the
        # source answered the rest, the preflight needs no execution, and the source's next one,
        # IISSync, follows the targets' backups.
        settled = args["settled_properties"]
        identities = pending_identities(args["pending_identities"], "pending_identities")
        holds = [_holds(result) for result in args["targets"]]
        listing = listing_instruction(targets, args["exclude"]) if settled or identities else None
        instructions = ask + probe_instructions(computers) + ([listing] if listing else [])
        outcomes = session.run(instructions, {SALT_REF: salt}, stop_on_error=False) if instructions else []
        if source is None:
            source = node_report(session.host, outcomes[: len(ask)], salt, args["exclude"], names)
        else:
            source = dataclasses.replace(source, accounts={**source.accounts, **account_entries(names, outcomes[: len(ask)])})
        probes.update((computer.upper(), outcome) for computer, outcome in zip(computers, outcomes[len(ask) :]))
        keys = _listed(source, targets, outcomes[len(ask) + len(computers) :] if listing else None)
        probed = {target.computer: probes[target.computer.upper()] for target in targets}
        checks = preflight_checks(source, targets, probed)
        # Changes the steps before the sync would make on the source and did not (check mode).
        pending = [*args["source_changes"], *args["identity_changes"]]
        checks += identity_checks(source, targets, pending)

        states = [
            _sync_state(source, keys, target, args["exclude"], args["source_changes"], settled, identities, held)
            for target, held in zip(targets, holds)
        ]
        failed = [check for check in checks if check.outcome == FAILED]
        result: dict[str, t.Any] = {
            "changed": False,
            "source": source.host,
            "source_computer": source.computer,
            "checks": [check.as_result() for check in checks],
            "targets": states,
            "out_of_sync": [state["host"] for state in states if not state["in_sync"]],
            "out_of_sync_computers": [state["computer"] for state in states if not state["in_sync"]],
        }
        warnings = [
            f"{check.node}: {check.condition} could not be checked: {check.found}"
            for check in checks
            if check.outcome == UNKNOWN
        ] + [check.explain() for check in checks if check.outcome == WARNING]
        if warnings:
            result["warnings"] = warnings
        if failed:
            result["failed"] = True
            # A check without an IISSync code is one IISSync would pass, leaving a broken target.
            consequence = " and ".join(
                {
                    "IISSync would fail" if check.code is not None else "the sync would leave targets that do not work": None
                    for check in failed
                }
            )
            result["msg"] = (
                f"IISSync preflight: {len(failed)} of {len(checks)} checks failed, so {consequence}; nothing was "
                "changed. " + " ".join(f"[{index}] {check.explain()}" for index, check in enumerate(failed, 1))
            )
        return result


def _given_source(result: t.Any, host: str, salt: str, exclude: t.Sequence[str]) -> tuple[NodeReport, dict[str, Outcome]]:
    """The report of this node that its own ``sync_node_info`` returned earlier in the run, and
    the probes of the targets it made, by upper-case computer name."""
    source = NodeReport.from_result(result, "source")
    check_same_digests([source], salt, exclude, "source")
    if source.host != host:
        raise InvalidInput(
            f"source: is the report of {source.host}, not of {host}, the node this preflight runs on; give the "
            "registered result of webfarm.iis_cluster.sync_node_info on the sync source node"
        )
    if "metabase" not in source.errors:
        source.summary("source")
    probes = result.get("probes", {}) if isinstance(result, t.Mapping) else {}
    return source, probe_outcomes(probes, "source.probes")


def _listed(source: NodeReport, targets: t.Sequence[NodeReport], outcomes: t.Sequence[Outcome] | None) -> t.Any:
    """The source's listing of the keys where targets differ (None when it could not be read,
    empty when no target differs or none was asked for: ``outcomes`` None), after checking that
    the targets compared themselves with the source's metabase as it is now (as the listing
    finds it, when there is one; else as the source's report of this run found it)."""
    if source.tree is None:
        return None
    listed = outcomes[0] if outcomes else None
    now = listed.value["root"] if listed is not None and listed.status == "ok" else source.tree["root"]
    check_against(now, targets, "targets")
    if listed is None:
        return {}
    return listed.value["keys"] if listed.status == "ok" else None


def _holds(result: t.Any) -> dict[str, bool] | None:
    """A target's answer (``sync_node_info``'s ``holds_anonymous_identity``): whether it holds the
    anonymous identity step 6 would set on the source, by key; None when it was not asked."""
    holds = result.get("holds_anonymous_identity") if isinstance(result, t.Mapping) else None
    return {str(path): bool(answer) for path, answer in holds.items()} if isinstance(holds, t.Mapping) else None


def _sync_state(
    source: NodeReport,
    listing: t.Mapping[str, t.Any] | None,
    target: NodeReport,
    exclude: t.Sequence[str],
    source_changes: t.Sequence[str],
    settled: t.Sequence[str],
    pending: t.Sequence[PendingIdentity],
    holds: t.Mapping[str, bool] | None,
) -> dict[str, t.Any]:
    """Whether ``target`` will equal ``source`` when the sync runs (metabase and replicated COM+
    applications); a target whose state could not be read counts as out of sync. Properties a
    step before the sync would set alike on both (``settled``) do not count, and the anonymous
    identities step 6 would change on the source (``pending``) count as the target's answer
    (``holds``) says (:func:`predicted_differences`): only then is the source's ``listing``
    compared; else the keys and subtrees the target names differ. Other ``source_changes`` that
    no target gets but by the sync put every target out of sync."""
    state: dict[str, t.Any] = {"host": target.host, "computer": target.computer}
    if source_changes:
        state["pending"] = list(source_changes)
    if listing is None or target.tree is None:
        return {**state, "in_sync": False, "differing_keys": None, "complus_differs": None}
    predicted: list[t.Any] | None = None
    if settled or pending:
        predicted = without_settled(tree_differences(listing, target.tree, exclude), settled)
        if pending:
            predicted = predicted_differences(predicted, pending, holds)
        keys = None if predicted is None else [key.path for key in predicted]
    else:
        keys = list(dict.fromkeys([*target.tree["differing_keys"], *target.tree["differing_subtrees"]]))
    source_apps, target_apps = source.parts.get("complus"), target.parts.get("complus")
    applications = differing_applications(source_apps, target_apps) if source_apps and target_apps else None
    complus_differs = None if applications is None else bool(applications)
    # The source's changes are told by the prediction when every one of them is a pending identity.
    unexplained = bool(source_changes) and not (pending and predicted is not None)
    in_sync = keys == [] and complus_differs is False and not unexplained
    return {
        **state,
        "in_sync": in_sync,
        "differing_keys": keys,
        "complus_differs": complus_differs,
    }
