# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: append every task result, as Ansible reports it, to a JSON-lines file.

It also imports the collection's action and filter plugins in ansible-playbook's own process as
it starts. Ansible's collection loader compiles a plugin's source each time it imports it, and
each task runs in a fresh fork of ansible-playbook: every worker would compile its action plugin
(and the plugin_utils it uses) again. A fork inherits the modules already imported, and Ansible's
plugin loader takes a plugin from ``sys.modules`` when it is there, so the workers run the same
code, compiled once per run instead of once per task and host."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

from ansible.parsing.ajson import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
    name: result_log
    type: notification
    short_description: Write every task result to the JSON-lines file named by RESULT_LOG
    description: Used by the integration tests to assert on real task results.
    options: {}
"""


PLUGINS = Path(__file__).resolve().parents[3] / "plugins"


def _import_the_collections_plugins() -> None:
    for kind in ("action", "filter"):
        for path in sorted((PLUGINS / kind).glob("*.py")):
            if path.stem != "__init__":
                importlib.import_module(f"ansible_collections.webfarm.iis_cluster.plugins.{kind}.{path.stem}")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "result_log"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _import_the_collections_plugins()

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
