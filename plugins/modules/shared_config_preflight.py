#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/shared_config_preflight.py);
# this file holds its documentation.

DOCUMENTATION = r"""
---
module: shared_config_preflight
short_description: Find every checkable Shared Configuration failure of an IIS 7-10 cluster before any change
version_added: 0.2.0
description:
  - Decides on the controller, with no remote execution, from what each node and the share host
    reported (M(webfarm.iis_cluster.shared_config_info)), and fails before anything changes when
    the reader cannot log on at the share host (its password wrong or expired, the account
    disabled), or a node's reader cannot read the share and the run would not cure it (the share
    unreachable or refusing it), each failure named with
    its code, meaning and remedy from the step-8 status table. A reader lacking "Log on as a batch
    job" passes when the run grants it; a share that does not exist yet, or refuses a reader the
    run grants it to, is proved when each node switches.
  - Warns for every node where Offline Files does not cache the path; Microsoft advises it (or
    DFS-R), as without it IIS stays down after a restart while the share is down.
  - Says which nodes switch and whether the source exports.
options:
  nodes:
    description: Each node's M(webfarm.iis_cluster.shared_config_info) result, by inventory name.
    type: dict
    required: true
  share:
    description: The share host's M(webfarm.iis_cluster.shared_config_info) result (O(webfarm.iis_cluster.shared_config_info#module:scope=share)).
    type: dict
    required: true
  share_host:
    description: The host serving the share, as failures name it.
    type: str
  source:
    description: The source node, which exports its configuration when it does not read the share yet.
    type: str
    required: true
  path:
    description: The UNC path of the shared configuration.
    type: str
    required: true
  folder:
    description: The local folder a missing share would be made on (see M(webfarm.iis_cluster.shared_config_share)).
    type: str
    required: true
  user:
    description: The reader account.
    type: str
    required: true
  writers:
    description: The accounts that change the share (see M(webfarm.iis_cluster.shared_config_share)).
    type: list
    elements: str
    default: []
  state:
    description: V(enabled) or V(disabled), as M(webfarm.iis_cluster.shared_config) will be asked.
    type: str
    choices: [enabled, disabled]
    default: enabled
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Decides as in a real run.
  diff_mode:
    support: none
  platform:
    platforms: windows
seealso:
  - module: webfarm.iis_cluster.shared_config_info
  - module: webfarm.iis_cluster.shared_config
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Every checkable failure, before any change
  webfarm.iis_cluster.shared_config_preflight:
    nodes: "{{ dict(groups['iis_cluster'] | zip(groups['iis_cluster'] | map('extract', hostvars, 'shared_config_report'))) }}"
    share: "{{ hostvars['FILES1'].shared_config_share_report }}"
    share_host: FILES1
    source: NODE2
    path: \\FILES1\IisConfig
    folder: D:\IisConfig
    user: WEBFARM\iisreader
  run_once: true
"""

RETURN = r"""
switching:
  description: The nodes whose redirection changes.
  returned: always
  type: list
  elements: str
export:
  description: Whether the source exports its configuration to the share.
  returned: always
  type: bool
share_changes:
  description: Whether the share is made or granted to someone.
  returned: always
  type: bool
problems:
  description: Each failure found, with its decoded code.
  returned: when it fails
  type: list
  elements: str
"""
