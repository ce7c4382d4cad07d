# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: append every task result, as Ansible reports it, to a JSON-lines file."""

from __future__ import annotations

import json
import os

from ansible.parsing.ajson import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
    name: result_log
    type: notification
    short_description: Write every task result to the JSON-lines file named by RESULT_LOG
    description: Used by the integration tests to assert on real task results.
    options: {}
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "result_log"
    CALLBACK_NEEDS_ENABLED = True

    def _log(self, status, result):
        entry = {
            "host": result.host.get_name(),
            # A task delegated to another node (run once for the cluster, on the sync source) ran there.
            "delegated_to": result.task.delegate_to,
            "task": result.task.get_name(),
            "action": result.task.action,
            "status": status,
            "result": dict(result._result),
        }
        with open(os.environ["RESULT_LOG"], "a", encoding="utf-8") as log:
            log.write(json.dumps(entry, cls=AnsibleJSONEncoder) + "\n")

    def v2_runner_on_ok(self, result):
        self._log("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._log("failed", result)

    def v2_runner_on_skipped(self, result):
        self._log("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._log("unreachable", result)
