# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The site_pools filter: an IIS 7-10 site's application pools (documentation: site_pools.yml)."""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._app_pool_identities import site_pools as pools_of
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput


def site_pools(sites: t.Sequence[t.Mapping[str, t.Any]], site: str) -> list[str]:
    """The pools of ``site``'s applications, from ``node_info``'s ``sites`` of an IIS 7-10 node."""
    try:
        return pools_of(sites or [], str(site))
    except InvalidInput as error:
        raise AnsibleFilterError(f"anonymous_identity_{error}") from None


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"site_pools": site_pools}
