# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The apphost_site filter: an IIS 7-10 site, its applications and pools (documentation: apphost_site.yml)."""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput

# Ansible imports every filter file of a collection to resolve any one of its filters, in each
# task's worker process, whenever a template names one (roles' variables name cluster_source on
# every task): the IIS 7-10 site code is imported when the filter runs, not with the file.


def apphost_site(sites: t.Sequence[t.Mapping[str, t.Any]], site: str) -> dict[str, t.Any]:
    """``site`` among ``node_info``'s ``sites`` of an IIS 7-10 node."""
    from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._app_pool_identities import apphost_site as find_site

    try:
        return find_site(sites or [], str(site))
    except InvalidInput as error:
        raise AnsibleFilterError(f"anonymous_identity_{error}") from None


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"apphost_site": apphost_site}
