# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The apphost_sync_status filter: a Web Deploy or Shared Configuration code of step 8 on IIS 7-10
decoded (documentation: apphost_sync_status.yml)."""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._apphost_sync_status import decode


def apphost_sync_status(code: t.Any) -> dict[str, t.Any]:
    """What Microsoft's documents say about ``code``, in any of its spellings, in this collection's words."""
    try:
        return decode(code).as_dict()
    except ValueError as error:
        raise AnsibleFilterError(f"apphost_sync_status: {error}") from None


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"apphost_sync_status": apphost_sync_status}
