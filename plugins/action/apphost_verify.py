# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.apphost_verify: every IIS 7-10 target's logical
configuration equals the source's, compared by salted digests, and every node's application
pools with a custom identity are started."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._apphost_compare import (
    OPTIONS,
    ApphostReport,
    check_against,
    check_comparable,
    describe_differences,
    detail_instruction,
    pool_problems,
    section_differences,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_compare import verification_failure
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._sync_report import SALT_REF, check_salt
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._windows_errors import describe


class ActionModule(NodeAction):
    argument_spec = {
        "source": {"type": "raw", "required": True},
        "targets": {"type": "list", "elements": "raw", "required": True},
        **OPTIONS,
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        salt = check_salt(args["salt"])
        source = ApphostReport.from_result(args["source"], "source")
        if not args["targets"]:
            raise InvalidInput("targets: give the report of at least one target node")
        targets = [ApphostReport.from_result(result, f"targets[{index}]") for index, result in enumerate(args["targets"])]
        check_comparable([source], salt, args["exclude"], "source")
        check_comparable(targets, salt, args["exclude"], "targets")
        if source.host != session.host:
            raise InvalidInput(f"source: is the report of {source.host}; run this task on that node, the source")
        if "tree" in source.errors:
            raise InvalidInput(f"source: {session.host} cannot be compared: " + "; ".join(_unreadable(source)))
        check_against(source.summary("source")["root"], targets, "targets")
        # Nothing more is read when every target's digests equal the source's; else one execution
        # details, on the source, exactly the sections where some target differs.
        listing = detail_instruction(targets, args["exclude"])
        details = session.values([listing], {SALT_REF: salt})[0]["details"] if listing else {}

        results = []
        for target in targets:
            lines = _unreadable(target) or describe_differences(
                session.host, target.host, section_differences(details, target), details, target
            )
            results.append({"host": target.host, "in_sync": not lines, "differences": lines, "problems": _function(target)})
        source_problems = _function(source)
        differing = [entry for entry in results if not entry["in_sync"]]
        broken = {session.host: source_problems} if source_problems else {}
        broken.update((entry["host"], entry["problems"]) for entry in results if entry["problems"])
        result: dict[str, t.Any] = {
            "changed": False,
            "in_sync": not differing,
            "works": not broken,
            "source": session.host,
            "source_problems": source_problems,
            "targets": results,
            "sections_read": list(details),
        }
        if differing or broken:
            result["failed"] = True
            result["msg"] = verification_failure(session.host, differing, broken)
        return result


def _function(report: ApphostReport) -> list[str]:
    """What does not work on a node, from its report (pools it could not list say so)."""
    pools = report.parts.get("pools")
    if pools is None:
        error = report.errors.get("pools")
        return [] if error is None else [f"its application pools could not be read: {describe(error.code, error.message)}"]
    return pool_problems(pools)


def _unreadable(report: ApphostReport) -> list[str]:
    error = report.errors.get("tree")
    return [] if error is None else [f"its configuration could not be read: {describe(error.code, error.message)}"]
