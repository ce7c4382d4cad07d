# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cluster_summary filter: what each KB step did on each node (documentation: cluster_summary.yml)."""

from __future__ import annotations

import typing as t

# Ansible imports every filter file of a collection to resolve any one of its filters, in each
# task's worker process, whenever a template names one (roles' variables name cluster_source on
# every task): the summary's code is imported when the filter runs, not with the file.


def cluster_summary(
    hostvars: t.Mapping[str, t.Mapping[str, t.Any]],
    hosts: t.Sequence[str],
    source: str,
    completed: t.Sequence[str] | None = None,
    check_mode: bool = False,
    controller: str | None = None,
) -> list[str]:
    """The summary lines of ``hosts`` (the play's hosts), read from their registered results."""
    from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._cluster_summary import node_runs, summarize

    return summarize(node_runs(hostvars, hosts, completed, source=source), source, check_mode=check_mode, controller=controller)


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"cluster_summary": cluster_summary}
