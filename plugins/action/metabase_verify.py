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
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase import metabase_path
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_compare import (
    CHANGED,
    ApplicationDifference,
    KeyDifference,
    describe_differences,
    differing_applications,
    differing_keys,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._sync_report import (
    DIGEST_OPTIONS,
    TARGETS_OPTION,
    SALT_REF,
    NodeReport,
    check_salt,
    check_same_digests,
    target_reports,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._windows_errors import describe


class ActionModule(NodeAction):
    argument_spec = {**TARGETS_OPTION, **DIGEST_OPTIONS}

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        salt = check_salt(args["salt"])
        targets = target_reports(args["targets"], "targets")
        check_same_digests(targets, salt, args["exclude"], "targets")
        digest = Instruction("metabase_digest", {"salt": SALT_REF, "exclude": list(args["exclude"])})
        facts, catalog, source, identities = session.values(
            [Instruction("host_facts"), Instruction("complus_catalog"), digest, Instruction("iis_identities_check")],
            {SALT_REF: salt},
        )

        compared = [_compare(catalog, source["keys"], target, args["exclude"]) for target in targets]
        changed_paths = sorted({key.path for comparison in compared for key in comparison[1] if key.kind == CHANGED})
        # Only the keys that differ are read in full, and only from the source: what it holds is
        # what the targets should hold.
        details = (
            dict(zip(changed_paths, session.values([_get(path) for path in changed_paths]))) if changed_paths else {}
        )

        results = []
        for target, keys, applications in compared:
            lines = _unreadable(target) or describe_differences(
                session.host,
                target.host,
                keys,
                applications,
                {path: value["properties"] for path, value in details.items()},
            )
            results.append(
                {"host": target.host, "computer": target.computer, "in_sync": not lines, "differences": lines}
            )
        # Equal is not enough: a replicated identity may not log on where it was copied to.
        function = {session.host: function_problems(identities, own_accounts_authority(facts))}
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
            "keys_read": changed_paths,
        }
        if differing or broken:
            result["failed"] = True
            result["msg"] = "Verification failed: " + " ".join(
                [
                    *(
                        f"{entry['host']} differs from {session.host}: " + "; ".join(entry["differences"]) + "."
                        for entry in differing
                    ),
                    *(f"{host} does not work: " + "; ".join(problems) + "." for host, problems in broken.items()),
                ]
            )
        return result


def _function(target: NodeReport) -> list[str]:
    """What does not work on a target, from its report (an unreadable part says so)."""
    identities = target.parts.get("identities")
    if identities is None:
        error = target.errors.get("identities")
        return [] if error is None else [f"its identities could not be checked: {describe(error.code, error.message)}"]
    return function_problems(identities, own_accounts_authority(target.parts.get("facts") or {"name": target.computer}))


def _compare(
    catalog: t.Mapping[str, t.Any], source_keys: t.Mapping[str, t.Any], target: NodeReport, exclude: t.Sequence[str]
) -> tuple[NodeReport, list[KeyDifference], ApplicationDifference]:
    keys = differing_keys(source_keys, target.digests, exclude) if target.digests is not None else []
    theirs = target.parts.get("complus")
    applications = differing_applications(catalog, theirs) if theirs else ApplicationDifference((), ())
    return target, keys, applications


def _unreadable(target: NodeReport) -> list[str]:
    """Why a target cannot be compared, as difference lines (empty when it can)."""
    return [
        f"its {part} could not be read: {describe(error.code, error.message)}"
        for part, error in target.errors.items()
        if part in ("metabase", "complus")
    ]


def _get(path: str) -> Instruction:
    """``metabase_get`` of every property set at the key with metabase path ``path``."""
    return Instruction("metabase_get", {"path": path[len(metabase_path("")) :].lstrip("/")})
