# The benchmark's record of which KB step each host-task belongs to and when its result came
# back. Enabled only by benchmarks/bench.py (ANSIBLE_CALLBACKS_ENABLED), never by the collection.
"""Record each host's task results with their KB step, for joining with the lab's executions."""

from __future__ import annotations

DOCUMENTATION = """
name: bench_steps
type: aggregate
short_description: records each host-task's KB step and end time for make bench
description:
  - Appends one JSON line per host-task result to the file named by C(BENCH_STEPS_FILE)
    (the host it ran on, the delegated one for a delegated task; the inventory host, task name,
    tags, role, status, end time in seconds since the epoch). No result data.
requirements:
  - the BENCH_STEPS_FILE environment variable
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_steps"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, status):
        task = result.task
        role = task._role.get_name(include_role_fqcn=False) if task._role else None
        # A delegated task ran on the host it was delegated to: that host's executions are its.
        # The callback's task is templated, so delegate_to is the host's name (as the default
        # callback's "node1 -> dc1" shows it).
        entry = {
            "host": task.delegate_to or result.host.get_name(),
            "inventory_host": result.host.get_name(),
            "task": task.get_name(),
            "tags": list(task.tags),
            "role": role,
            "status": status,
            "ended": time.time(),
        }
        with open(os.environ["BENCH_STEPS_FILE"], "a", encoding="utf-8") as stream:
            stream.write(json.dumps(entry) + "\n")

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")
