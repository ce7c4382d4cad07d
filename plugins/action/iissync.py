# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.iissync: KB Q249603 step 8, with Q224801's codes decoded."""

from __future__ import annotations

import time
import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iissync_run import (
    MAX_RETRIES,
    MAX_RETRY_DELAY,
    TargetOutcome,
    check_targets,
    command_line,
    parse_run,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._network_credentials import (
    logon_settings,
    network_credentials_problem,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession


class ActionModule(NodeAction):
    argument_spec = {
        "targets": {"type": "list", "elements": "str", "required": True},
        "retries": {"type": "int", "default": 3},
        "retry_delay": {"type": "int", "default": 10},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        targets = check_targets(args["targets"])
        retries, delay = _bounded(args["retries"], "retries", MAX_RETRIES), _bounded(
            args["retry_delay"], "retry_delay", MAX_RETRY_DELAY
        )
        problem = network_credentials_problem(logon_settings(self._connection))
        if problem:
            raise InvalidInput(f"network credentials: {problem}")
        if self.check_mode:
            return {
                "changed": True,
                "command": command_line(targets),
                "targets": [{"target": target, "outcome": "would be replicated"} for target in targets],
            }

        runs: list[dict[str, t.Any]] = []
        final: dict[str, tuple[TargetOutcome, int]] = {}
        pending = targets
        while pending:
            if runs:
                time.sleep(delay)
            (value,) = session.values([Instruction("iissync_run", {"targets": pending})])
            runs.append({"command": command_line(pending), "exit_code": value["exit_code"], "output": value["output"]})
            outcomes = parse_run(pending, value["output"], value["exit_code"])
            final.update({outcome.target: (outcome, len(runs)) for outcome in outcomes})
            # Only a transient status (run again too soon, Q214783) is worth another run.
            pending = (
                [outcome.target for outcome in outcomes if outcome.status.transient] if len(runs) <= retries else []
            )

        reports = [_target_result(*final[target]) for target in targets]
        failed = [report for report in reports if not report["replicated"]]
        result: dict[str, t.Any] = {
            "changed": any(report["replicated"] for report in reports),
            "command": command_line(targets),
            "targets": reports,
            "runs": runs,
        }
        if failed:
            result["failed"] = True
            result["msg"] = (
                f"IISSync could not replicate {session.host} to {len(failed)} of {len(targets)} targets: "
                + " ".join(
                    f"{report['target']} (after {report['attempts']} run(s)): {report['status']['description']}"
                    for report in failed
                )
            )
        return result


def _bounded(value: int, field: str, maximum: int) -> int:
    if not 0 <= value <= maximum:
        raise InvalidInput(f"{field}: must be from 0 to {maximum}, not {value}")
    return value


def _target_result(outcome: TargetOutcome, attempts: int) -> dict[str, t.Any]:
    return {
        "target": outcome.target,
        "replicated": outcome.replicated,
        "attempts": attempts,
        "status": outcome.status.as_dict(),
        "output": outcome.text,
    }
