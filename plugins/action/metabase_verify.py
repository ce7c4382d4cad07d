# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.metabase_verify: every target's metabase and COM+
applications equal the source's, compared by salted digests, and every node works: each
identity IIS uses there logs on."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iis_identity import (
    function_problems,
    own_accounts_authority,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_compare import (
    ApplicationDifference,
    KeyDifference,
    describe_differences,
    differing_applications,
    listed_details,
    tree_differences,
    verification_failure,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._sync_report import (
    DIGEST_OPTIONS,
    TARGETS_OPTION,
    SALT_REF,
    NodeReport,
    check_against,
    check_salt,
    check_same_digests,
    listing_instruction,
    target_reports,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._windows_errors import describe


class ActionModule(NodeAction):
    argument_spec = {"source": {"type": "raw", "required": True}, **TARGETS_OPTION, **DIGEST_OPTIONS}

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        salt = check_salt(args["salt"])
        source = NodeReport.from_result(args["source"], "source")
        targets = target_reports(args["targets"], "targets")
        check_same_digests([source], salt, args["exclude"], "source")
        check_same_digests(targets, salt, args["exclude"], "targets")
        if source.host != session.host:
            raise InvalidInput(f"source: is the report of {source.host}; run this task on that node, the sync source")
        unreadable = _unreadable(source)
        if unreadable:
            raise InvalidInput(f"source: {session.host} cannot be compared: " + "; ".join(unreadable))
        check_against(source.summary("source")["root"], targets, "targets")
        # The source's report and the targets' differences from it are all there is to compare
        # when nothing differs; else one execution lists, on the source, the keys that differ.
        listing = listing_instruction(targets, args["exclude"], values=True)
        keys = session.values([listing], {SALT_REF: salt})[0]["keys"] if listing else {}
        details = listed_details(keys)

        results = []
        for target in targets:
            differences, applications = _compare(source, keys, target, args["exclude"])
            lines = _unreadable(target) or describe_differences(
                session.host, target.host, differences, applications, details
            )
            results.append(
                {"host": target.host, "computer": target.computer, "in_sync": not lines, "differences": lines}
            )
        # Equal is not enough: a replicated identity may not log on where it was copied to.
        function = {session.host: _function(source)}
        for target in targets:
            function[target.host] = _function(target)
        for entry in results:
            entry["problems"] = function[entry["host"]]
        differing = [entry for entry in results if not entry["in_sync"]]
        broken = {host: problems for host, problems in function.items() if problems}
        result: dict[str, t.Any] = {
            "changed": False,
            "in_sync": not differing,
            "works": not broken,
            "source": session.host,
            "source_problems": function[session.host],
            "targets": results,
            "keys_read": list(keys),
        }
        if differing or broken:
            result["failed"] = True
            result["msg"] = verification_failure(session.host, differing, broken)
        return result


def _function(target: NodeReport) -> list[str]:
    """What does not work on a target, from its report (an unreadable part says so)."""
    identities = target.parts.get("identities")
    if identities is None:
        error = target.errors.get("identities")
        return [] if error is None else [f"its identities could not be checked: {describe(error.code, error.message)}"]
    return function_problems(identities, own_accounts_authority(target.parts.get("facts") or {"name": target.computer}))


def _compare(
    source: NodeReport, listing: t.Mapping[str, t.Any], target: NodeReport, exclude: t.Sequence[str]
) -> tuple[list[KeyDifference], ApplicationDifference]:
    keys = tree_differences(listing, target.tree, exclude) if target.tree is not None else []
    ours, theirs = source.parts.get("complus"), target.parts.get("complus")
    applications = differing_applications(ours, theirs) if ours and theirs else ApplicationDifference((), ())
    return keys, applications


def _unreadable(target: NodeReport) -> list[str]:
    """Why a target cannot be compared, as difference lines (empty when it can)."""
    return [
        f"its {part} could not be read: {describe(error.code, error.message)}"
        for part, error in target.errors.items()
        if part in ("metabase", "complus")
    ]
