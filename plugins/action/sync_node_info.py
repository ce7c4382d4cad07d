# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.sync_node_info: what a node tells about itself for a sync."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._anonymous_identity_run import holding_query, holds_identity
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iissync_run import check_targets
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase import SECRET_REF, metabase_path, normalize_path
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_backup import BACKUP_LIST
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._network_credentials import logon_account
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._replicated_identities import replicated_names
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._sync_report import (
    ACCOUNT_OPTION,
    ACCOUNTS_OPTION,
    DIGEST_OPTIONS,
    SALT_REF,
    NodeReport,
    check_salt,
    check_same_digests,
    node_report,
    probe_instructions,
    probe_results,
    report_instructions,
)


class ActionModule(NodeAction):
    argument_spec = {
        **DIGEST_OPTIONS,
        **ACCOUNT_OPTION,
        **ACCOUNTS_OPTION,
        "against": {"type": "raw"},
        "probe": {"type": "list", "elements": "str", "default": []},
        "backups": {"type": "bool", "default": False},
        "anonymous_identity": {
            "type": "dict",
            "options": {
                "user": {"type": "str", "required": True},
                "password": {"type": "str", "required": True, "no_log": True},
                "paths": {"type": "list", "elements": "str", "required": True},
            },
        },
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        salt = check_salt(args["salt"])
        account = args["account"] or logon_account(self._connection)
        names = list(dict.fromkeys(args["accounts"]))
        computers = check_targets(args["probe"], "probe") if args["probe"] else []
        against = None
        if args["against"] is not None:
            source = NodeReport.from_result(args["against"], "against")
            check_same_digests([source], salt, args["exclude"], "against")
            # A source whose metabase could not be read has no summary: the target then lists its
            # whole tree, and whoever compares meets the source's error.
            against = {"root": None, "subtrees": {}} if "metabase" in source.errors else source.summary("against")
        instructions = report_instructions(account, args["exclude"], names, against)
        # What the preflight and the backup would otherwise each ask the node in an execution of
        # their own, read in this one: the source's probes of the targets, a target's backups.
        probes = probe_instructions(computers)
        extra = probes + ([BACKUP_LIST] if args["backups"] else [])
        # Check mode: whether this target already holds the anonymous identity step 6 would set on
        # the source, which the preflight needs to predict the sync (_sync_prediction).
        identity = args["anonymous_identity"]
        paths = [normalize_path(path) for path in identity["paths"]] if identity else []
        holding = [instruction for path in paths for instruction in holding_query(path)]
        secrets = {SALT_REF: salt, **({SECRET_REF: identity["password"]} if identity else {})}
        outcomes = session.run(instructions + extra + holding, secrets, stop_on_error=False)
        reported, rest = outcomes[: len(instructions)], outcomes[len(instructions) :]
        report = node_report(session.host, reported, salt, args["exclude"], names, against)
        result = {"changed": False, "node": report.to_result(), "replicated_identities": replicated_names(report)}
        if computers:
            result["probes"] = probe_results(computers, rest[: len(probes)])
        # Backups that cannot be listed are the backup's to report, which lists them itself.
        if args["backups"] and rest[len(probes)].status == "ok":
            result["backups"] = rest[len(probes)].value
        if identity:
            # A key the node cannot read (a site it lacks) holds nothing: the sync would make it.
            answers = rest[len(extra) :]
            result["holds_anonymous_identity"] = {
                metabase_path(path): all(outcome.status == "ok" for outcome in pair)
                and holds_identity(path, identity["user"], [outcome.value for outcome in pair])
                for path, pair in zip(paths, zip(answers[::2], answers[1::2]))
            }
        return result
