#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/web_deploy_preflight.py); this
# file holds its documentation.

DOCUMENTATION = r"""
---
module: web_deploy_preflight
short_description: Check, on the source node, that a Web Deploy sync to each target would succeed, and what it would change
version_added: 0.2.0
description:
  - KB Q249603 step 8 on IIS 7-10, before anything changes. In one remote execution on the source
    node, asks whether Web Deploy is installed there and its services' states, then runs Web
    Deploy's what-if sync of the source to each target (Microsoft.Web.Deployment in process, never
    C(msdeploy.exe)), which gives the counts of objects it would add, update and delete, and each
    object's path.
  - Fails, naming the cause and the remedy, when Web Deploy is missing on the source or any
    preview reports an error (a target's agent not running, access denied, ...), each Web Deploy
    C(ERROR_*) code decoded with its meaning and remedy (the collection's
    table of step 8 codes). Nothing is changed on any node.
  - The targets whose preview shows a change are out of sync (C(out_of_sync)); the others need no sync.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.web_deploy
attributes:
  check_mode:
    support: full
    details: Reads only; runs the same in check mode.
  diff_mode:
    support: full
    details: Each out-of-sync target's changes, an action and a path each, never a value.
  platform:
    platforms: windows
notes:
  - Microsoft calls what-if an optimistic view. It does not see failures that happen only when
    writing (a file in use). M(webfarm.iis_cluster.web_deploy_sync) reports those.
seealso:
  - module: webfarm.iis_cluster.web_deploy_sync
  - module: webfarm.iis_cluster.apphost_backup
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: What a sync from web1 would change on web2 and web3
  webfarm.iis_cluster.web_deploy_preflight:
    targets: {web2: WEB2, web3: WEB3}
    node_settings:
      - system.applicationHost/sites/site/logFile@directory
  become: true
  register: preflight
"""

RETURN = r"""
web_deploy:
  description: The source node's Web Deploy (the C(web_deploy_info) op).
  returned: always
  type: dict
  sample: {"installed": true, "version": "9.0.1955.0", "agent_service": "running", "management_service": "absent"}
targets:
  description:
    - Each target's preview, in the order of O(targets); C(errors) each with its C(description)
      (code, meaning, remedy).
  returned: always
  type: list
  elements: dict
  sample:
    - {"host": "web2", "computer": "WEB2", "in_sync": false, "added": 0, "updated": 1, "deleted": 0, "bytes_copied": 0,
       "changes": [{"action": "update", "path": "system.applicationHost/sites/site[@name='Shop']"}], "errors": []}
out_of_sync:
  description: The inventory hosts of the targets a sync would change.
  returned: always
  type: list
  elements: str
out_of_sync_targets:
  description: The out-of-sync targets as O(targets) gives them, for M(webfarm.iis_cluster.web_deploy_sync).
  returned: always
  type: dict
skip:
  description: The skip rules derived from O(node_settings).
  returned: always
  type: list
  elements: str
note:
  description: That the prediction is Web Deploy's what-if, which Microsoft calls optimistic.
  returned: always
  type: str
"""
