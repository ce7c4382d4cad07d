# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cluster_source filter: which node is the sync source (documentation: cluster_source.yml)."""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleFilterError


def cluster_source(hosts: t.Sequence[str], source: str | None = None) -> str:
    """The sync source among ``hosts`` (the ``iis_cluster`` group, in inventory order): the host
    ``source`` names, else the first host."""
    nodes = list(hosts or [])
    if not nodes:
        raise AnsibleFilterError("cluster_source: the iis_cluster group has no hosts; the sync needs a source node")
    if not source:
        return str(nodes[0])
    if source not in nodes:
        raise AnsibleFilterError(
            f"iis_cluster_source: {source!r} is not a host of the iis_cluster group ({', '.join(map(str, nodes))}); "
            "name one of them, or leave it unset to use the first"
        )
    return source


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"cluster_source": cluster_source}
