# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.web_deploy_sync: a Web Deploy sync from the source node
to each target, in one execution; in check mode Web Deploy's what-if."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._web_deploy import (
    SYNC_OPTIONS,
    WHAT_IF_NOTE,
    SyncRequest,
    TargetOutcome,
    preflight_failures,
)


class ActionModule(NodeAction):
    argument_spec = SYNC_OPTIONS

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        request = SyncRequest.from_options(args)
        answers = session.values(request.instructions("web_deploy_preview" if self.check_mode else "web_deploy_sync"), request.secrets)
        outcomes = [TargetOutcome(host, computer, answer) for (host, computer), answer in zip(request.targets.items(), answers)]
        result: dict[str, t.Any] = {
            "changed": any(outcome.out_of_sync for outcome in outcomes),
            "targets": [outcome.as_result() for outcome in outcomes],
            "synced": [outcome.host for outcome in outcomes if not outcome.errors],
            "failed_targets": [outcome.host for outcome in outcomes if outcome.errors],
        }
        if self.check_mode:
            result["note"] = WHAT_IF_NOTE
        if self.diff_mode:
            result["diff"] = [outcome.diff() for outcome in outcomes if outcome.out_of_sync]
        # A sync that reports errors failed, whatever its counts say.
        failures = preflight_failures(outcomes)
        if failures:
            result["failed"] = True
            result["msg"] = (
                f"web_deploy_sync: Web Deploy reported errors syncing {', '.join(result['failed_targets'])} from "
                f"{session.host}: " + " ".join(failures)
            )
        return result
