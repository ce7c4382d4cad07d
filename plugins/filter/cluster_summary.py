# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cluster_summary filter: what each KB step did on each node (documentation: cluster_summary.yml)."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._cluster_summary import REGISTERED, NodeRun, summarize


def cluster_summary(
    hostvars: t.Mapping[str, t.Mapping[str, t.Any]],
    hosts: t.Sequence[str],
    source: str,
    completed: t.Sequence[str] | None = None,
    check_mode: bool = False,
) -> list[str]:
    """The summary lines of ``hosts`` (the play's hosts), read from their registered results."""
    finished = set(hosts if completed is None else completed)
    nodes = [
        NodeRun(
            host=host,
            results={name: hostvars[host][name] for name in REGISTERED if name in hostvars[host]},
            completed=host in finished,
        )
        for host in hosts
    ]
    return summarize(nodes, source, check_mode=check_mode)


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"cluster_summary": cluster_summary}
