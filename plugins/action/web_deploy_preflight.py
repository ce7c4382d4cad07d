# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.web_deploy_preflight: on the source node, in one
execution, whether Web Deploy is there and what a sync would change on each target."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._web_deploy import (
    SYNC_OPTIONS,
    WHAT_IF_NOTE,
    SyncRequest,
    TargetOutcome,
    preflight_failures,
    source_problems,
)


class ActionModule(NodeAction):
    argument_spec = SYNC_OPTIONS

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        request = SyncRequest.from_options(args)
        instructions = [Instruction("web_deploy_info"), *request.instructions("web_deploy_preview")]
        # Every preview answers, whatever the others do: a Web Deploy error is a result. Without
        # Web Deploy on the source the previews fail as ops (the assembly cannot load): the
        # source's problem is then the one to name.
        answers = session.run(instructions, request.secrets, stop_on_error=False)
        (info,) = session.checked(answers[:1])
        missing = source_problems(info, session.host)
        if missing:
            return {
                "changed": False,
                "failed": True,
                "msg": "web_deploy_preflight: the sync cannot run; nothing was changed. " + " ".join(missing),
                "web_deploy": info,
                "out_of_sync": [],
                "out_of_sync_targets": {},
            }
        previews = session.checked(answers[1:])
        outcomes = [TargetOutcome(host, computer, preview) for (host, computer), preview in zip(request.targets.items(), previews)]
        out_of_sync = [outcome for outcome in outcomes if outcome.out_of_sync]
        result: dict[str, t.Any] = {
            "changed": False,
            "web_deploy": info,
            "skip": list(request.spec.skip),
            "targets": [outcome.as_result() for outcome in outcomes],
            "out_of_sync": [outcome.host for outcome in out_of_sync],
            "out_of_sync_targets": {outcome.host: outcome.computer for outcome in out_of_sync},
            "note": WHAT_IF_NOTE,
        }
        if self.diff_mode:
            result["diff"] = [outcome.diff() for outcome in out_of_sync]
        problems = preflight_failures(outcomes)
        if problems:
            result["failed"] = True
            result["msg"] = "web_deploy_preflight: the sync would fail; nothing was changed. " + " ".join(problems)
        return result
