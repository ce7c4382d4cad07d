#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/metabase_backup.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: metabase_backup
short_description: Back up the IIS 5/6 metabase under a name, prune, delete or restore backups
version_added: 0.1.0
description:
  - IIS keeps metabase backups by name and version (C(IIsComputer.Backup), which saves the
    metabase first and stores the backup in C(%SystemRoot%\system32\inetsrv\MetaBack)); each
    new backup of a name gets the next version, and IIS records when each was made.
  - With O(state=present), makes sure a backup named O(name) exists, made once and then left alone
    (idempotent by name).
  - With O(state=new), makes a new version of O(name) every time (always changed), as the
    P(webfarm.iis_cluster.metabase_sync#role) role does before each sync overwrites a target.
    With O(keep), it then deletes the oldest versions of that name beyond the newest O(keep);
    nothing is deleted unless the new backup was made.
  - With O(state=absent), deletes version O(version) of O(name), or every version of it
    (C(IIsComputer.DeleteBackup)); a backup already gone is not a change.
  - With O(state=restored), restores the backup O(name), version O(version) or else the newest
    (C(IIsComputer.Restore)). The whole metabase becomes the backup's, and IIS stops and restarts
    the services that depend on the IIS Admin service while it restores. A restore always
    changes the node.
  - Every result lists all the node's backups, with their versions and dates.
options:
  name:
    description:
      - The backup's location name, 1 to 100 characters. IIS refuses any of
        C(/\*.?"&!@#$%^()=+|`~) in it, and it names files, so C(:<>), control characters, C(.),
        C(..), a trailing dot or space and the reserved device names (C(CON), C(PRN), C(AUX),
        C(NUL), C(COM1)-C(COM9), C(LPT1)-C(LPT9), in any case, with or without an extension)
        are refused too, before any remote call.
    type: str
    required: true
  version:
    description:
      - With O(state=restored), the version to restore; by default the newest.
      - With O(state=absent), the version to delete; by default every version of O(name).
    type: int
  state:
    description:
      - V(present) makes sure a backup of that name exists; V(new) makes a new version of it;
        V(absent) deletes backups; V(restored) restores one.
    type: str
    choices: [present, new, restored, absent]
    default: present
  keep:
    description:
      - With O(state=new), how many versions of O(name) to keep, the new one included, from 1 to
        20; the oldest others are deleted after the new backup is made. By default none is deleted.
    type: int
  backups:
    description:
      - The node's backups as listed earlier in the same run, the C(backups) of
        M(webfarm.iis_cluster.sync_node_info) with O(webfarm.iis_cluster.sync_node_info#module:backups=true) on this node (as the
        P(webfarm.iis_cluster.metabase_sync#role) role gives them). The module then decides on that
        listing instead of listing the backups first, so that making a new version is one remote
        execution. Give it only when nothing else made or deleted backups of the node since.
    type: list
    elements: raw
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Lists the backups and reports what it would create, prune, delete or restore.
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

- name: A new backup every night, keeping the last seven
  webfarm.iis_cluster.metabase_backup:
    name: nightly
    state: new
    keep: 7

- name: Put a target back as it was before the last sync
  webfarm.iis_cluster.metabase_backup:
    name: iissync
    state: restored
  delegate_to: web2

- name: Delete version 3 of the sync backups
  webfarm.iis_cluster.metabase_backup:
    name: iissync
    version: 3
    state: absent
"""

RETURN = r"""
backup:
  description:
    - The backup made, found or restored. In check mode a backup still to be made has no
      C(version) and C(date).
  returned: when O(state) is not V(absent)
  type: dict
  sample: {"name": "iissync", "version": 4, "date": "2024-05-01T10:15:02Z"}
deleted:
  description:
    - The backups deleted (or, in check mode, that would be), by name and version; with
      O(state=new), the versions O(keep) pruned.
  returned: when O(state) is V(present), V(new) or V(absent)
  type: list
  elements: dict
  sample: [{"name": "iissync", "version": 0}]
backups:
  description: Every metabase backup of the node, by name and version; C(date) is UTC.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "iissync", "version": 4, "date": "2024-05-01T10:15:02Z"}]
"""
