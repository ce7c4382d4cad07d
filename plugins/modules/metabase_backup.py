#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/metabase_backup.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: metabase_backup
short_description: Back up the IIS 5/6 metabase under a name, or restore a backup
version_added: 0.1.0
description:
  - With O(state=present), makes sure a metabase backup named O(name) exists on the node
    (C(IIsComputer.Backup), which saves the metabase first and stores the backup in
    C(%SystemRoot%\system32\inetsrv\MetaBack)). IIS numbers the backups of a name and records
    when each was made. Give a dated name to keep one backup per occasion, as the
    P(webfarm.iis_cluster.metabase_sync#role) role does before a sync overwrites a target.
  - With O(state=restored), restores the backup O(name), version O(version) or else the newest
    (C(IIsComputer.Restore)). The whole metabase becomes the backup's, and IIS stops and restarts
    the services that depend on the IIS Admin service while it restores. A restore always
    changes the node.
  - Every result lists all the node's backups, with their versions and dates.
options:
  name:
    description:
      - The backup's location name, 1 to 100 characters, none of C(\/:*?"<>|).
    type: str
    required: true
  version:
    description:
      - With O(state=restored), the version to restore; by default the newest.
    type: int
  state:
    description:
      - V(present) makes sure a backup of that name exists; V(restored) restores one.
    type: str
    choices: [present, restored]
    default: present
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Lists the backups and reports what it would create or restore.
  diff_mode:
    support: none
  platform:
    platforms: windows
notes:
  - To undo a sync on a target, restore the backup the P(webfarm.iis_cluster.metabase_sync#role)
    role made there (its result, and this module's C(backups), list them); see the example.
seealso:
  - module: webfarm.iis_cluster.iissync
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Back up the metabase before changing it by hand
  webfarm.iis_cluster.metabase_backup:
    name: before-maintenance

- name: Put a target back as it was before the sync of 1 May 2024, 10:15 UTC
  webfarm.iis_cluster.metabase_backup:
    name: iissync-20240501T101500Z
    state: restored
  delegate_to: web2
"""

RETURN = r"""
backup:
  description:
    - The backup made, found or restored. In check mode a backup still to be made has no
      C(version) and C(date).
  returned: always
  type: dict
  sample: {"name": "iissync-20240501T101500Z", "version": 0, "date": "2024-05-01T10:15:02Z"}
backups:
  description: Every metabase backup of the node, by name and version; C(date) is UTC.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "iissync-20240501T101500Z", "version": 0, "date": "2024-05-01T10:15:02Z"}]
"""
