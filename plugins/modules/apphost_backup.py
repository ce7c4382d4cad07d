#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/apphost_backup.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: apphost_backup
short_description: Back up the IIS 7-10 configuration under a name, prune or delete backups
version_added: 0.2.0
description:
  - Copies the node's C(applicationHost.config), C(administration.config) and, when it exists,
    C(redirection.config) into a folder of C(%windir%\system32\inetsrv\backup), where
    C(Backup-WebConfiguration) and C(appcmd add backup) keep theirs, so that
    C(appcmd restore backup <folder>) or C(Restore-WebConfiguration -Name <folder>) restores one.
    Plain file copies; nothing runs on a command line.
  - Each backup of O(name) is a version, kept as the folder C(<name>-<version>), the version one
    after the highest the node lists (from 0), as M(webfarm.iis_cluster.metabase_backup) numbers
    the IIS 5/6 metabase's.
  - With O(state=new), makes a new version every time (always changed), as the
    P(webfarm.iis_cluster.metabase_sync#role) role does before a Web Deploy sync overwrites a
    target. With O(keep), it then deletes the oldest versions of that name beyond the newest
    O(keep); nothing is deleted unless the new backup was made. Folders that are not versions of a
    name (made by hand or another tool) are never deleted.
  - With O(state=absent), deletes version O(version) of O(name), or every version of it; a backup
    already gone is not a change.
  - Every result lists all the node's backup folders with their dates.
options:
  name:
    description:
      - The backup's name, 1 to 80 letters, digits, C(_) and C(-), beginning with a letter or a
        digit; anything else is refused before any remote call.
    type: str
    required: true
  version:
    description:
      - With O(state=absent), the version to delete; by default every version of O(name).
    type: int
  state:
    description:
      - V(new) makes a new version of O(name); V(absent) deletes versions.
    type: str
    choices: [new, absent]
    default: new
  keep:
    description:
      - With O(state=new), how many versions of O(name) to keep, the new one included, from 1 to
        20; the oldest others are deleted after the new backup is made. By default none is deleted.
    type: int
  backups:
    description:
      - The node's backups as listed earlier in the same run (the C(backups) of an earlier result
        of this module on the node). The module then decides on that listing instead of listing
        the backups first, so that making a new version is one remote execution. Give it only when
        nothing else made or deleted backups of the node since.
    type: list
    elements: raw
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Lists the backups and reports the folder it would make and the versions it would prune or delete.
  diff_mode:
    support: none
  platform:
    platforms: windows
notes:
  - To undo a sync on a target, restore the backup the P(webfarm.iis_cluster.metabase_sync#role)
    role made there with C(appcmd restore backup <folder>) on the node.
seealso:
  - module: webfarm.iis_cluster.metabase_backup
  - module: webfarm.iis_cluster.web_deploy_sync
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: A new backup every night, keeping the last seven
  webfarm.iis_cluster.apphost_backup:
    name: nightly
    keep: 7

- name: Delete version 3 of the sync backups
  webfarm.iis_cluster.apphost_backup:
    name: websync
    version: 3
    state: absent
"""

RETURN = r"""
backup:
  description:
    - The backup made (or, in check mode, that would be), with its name, version and folder;
      C(date) (UTC) is null in check mode.
  returned: when O(state=new)
  type: dict
  sample: {"name": "websync", "version": 4, "folder": "websync-4", "date": "2026-05-01T10:15:02Z"}
deleted:
  description:
    - The versions deleted (or, in check mode, that would be); with O(state=new), the ones O(keep)
      pruned.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "websync", "version": 0, "folder": "websync-0"}]
backups:
  description: Every backup folder of the node with its creation date (UTC).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "websync-4", "date": "2026-05-01T10:15:02Z"}]
"""
