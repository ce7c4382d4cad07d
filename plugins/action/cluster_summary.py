# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.cluster_summary: the closing summary of
playbooks/cluster_iis.yml, printed as plain lines."""

from __future__ import annotations

import typing as t

from ansible import constants as C
from ansible.utils.display import Display

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._cluster_summary import node_runs, summarize
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import ValidatedAction

display = Display()


def _prints_text() -> bool:
    """Whether the stdout callback is one a person reads: a JSON callback's output must stay JSON."""
    callback = str(C.config.get_config_value("DEFAULT_STDOUT_CALLBACK"))
    return not callback.endswith(("json", "jsonl"))


class ActionModule(ValidatedAction):
    argument_spec = {
        "source": {"type": "str", "required": True},
        "controller": {"type": "str"},
    }

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        args = self._validated_args()
        nodes = node_runs(
            task_vars["hostvars"], task_vars["ansible_play_hosts_all"], task_vars["ansible_play_hosts"], source=args["source"]
        )
        lines = summarize(nodes, args["source"], check_mode=bool(self._task.check_mode), controller=args["controller"])
        # The default callback would print the lines as a JSON list, every backslash doubled.
        if _prints_text():
            display.display("\n".join(lines))
        result.update(changed=False, summary=lines)
        return result
