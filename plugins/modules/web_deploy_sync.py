#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/web_deploy_sync.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: web_deploy_sync
short_description: Sync the IIS 7-10 configuration from the source node to each target with Web Deploy
version_added: 0.2.0
description:
  - KB Q249603 step 8 on IIS 7-10. On the source node, in one remote execution, a Web Deploy sync
    of the source's configuration to each target (Microsoft.Web.Deployment in process, never
    C(msdeploy.exe), which takes credentials and the encryption password on its command line).
    Attributes that differ per node (O(node_settings)) are skipped.
  - The result holds each target's change summary (objects added, updated, deleted, bytes copied),
    its changed objects' paths and its errors.
  - A sync that reports errors fails, whatever its counts say (Web Deploy reports
    C(ERROR_FILE_IN_USE) and carries on), naming each failed target and each error's code,
    meaning and remedy. The other targets' outcomes are in the result.
  - Run M(webfarm.iis_cluster.web_deploy_preflight) first, and back up each target that differs
    (M(webfarm.iis_cluster.apphost_backup)), as the P(webfarm.iis_cluster.metabase_sync#role) role does.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.web_deploy
attributes:
  check_mode:
    support: full
    details:
      - Runs Web Deploy's what-if instead and reports what the sync would change. Microsoft calls
        what-if an optimistic view, which does not see failures that happen only when writing.
  diff_mode:
    support: full
    details: Each target's changes, an action and a path each, never a value.
  platform:
    platforms: windows
notes:
  - Web Deploy documents no error code as transient, so a failed sync is not retried; its
    decoded error says what to do.
  - To undo a sync on a target, restore the backup made before it (C(appcmd restore backup <folder>)).
seealso:
  - module: webfarm.iis_cluster.web_deploy_preflight
  - module: webfarm.iis_cluster.apphost_backup
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Sync web2 and web3 from web1
  webfarm.iis_cluster.web_deploy_sync:
    targets: {web2: WEB2, web3: WEB3}
    node_settings:
      - system.applicationHost/sites/site/logFile@directory
    encrypt_password: "{{ sync_secret }}"
  become: true
"""

RETURN = r"""
targets:
  description:
    - Each target's outcome, in the order of O(targets); C(errors) each with its C(description)
      (code, meaning, remedy).
  returned: always
  type: list
  elements: dict
  sample:
    - {"host": "web2", "computer": "WEB2", "in_sync": false, "added": 0, "updated": 1, "deleted": 0, "bytes_copied": 812,
       "changes": [{"action": "update", "path": "system.applicationHost/sites/site[@name='Shop']"}], "errors": []}
synced:
  description: The targets Web Deploy reported no error for.
  returned: always
  type: list
  elements: str
failed_targets:
  description: The targets Web Deploy reported errors for.
  returned: always
  type: list
  elements: str
note:
  description: In check mode, that the prediction is Web Deploy's what-if, which Microsoft calls optimistic.
  returned: in check mode
  type: str
"""
