# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The iissync_status filter: an IISSync status code decoded (documentation: iissync_status.yml)."""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iissync_status import decode


def iissync_status(code: t.Any) -> dict[str, t.Any]:
    """What KB Q224801 (and the related KBs) say about ``code``, in any of its spellings."""
    try:
        return decode(code).as_dict()
    except ValueError as error:
        raise AnsibleFilterError(f"iissync_status: {error}") from None


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"iissync_status": iissync_status}
