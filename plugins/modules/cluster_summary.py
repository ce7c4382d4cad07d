#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/cluster_summary.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: cluster_summary
short_description: Print what each KB Q249603 step did on each node of the cluster
version_added: 0.2.0
description:
  - How the playbook C(webfarm.iis_cluster.cluster_iis) ends, on success and on every failure -
    the lines of the P(webfarm.iis_cluster.cluster_summary#filter) filter, printed as plain text
    (names such as C(WEBFARM\\IUSR_web) as an operator writes them), and returned in RV(summary).
  - It reads the results the collection's roles registered on the play's hosts
    (C(ansible_play_hosts_all)); a host no longer in the play (C(ansible_play_hosts)) is reported
    as stopped. Run it once (C(run_once)), in an C(always) section so that a failure still ends
    with it.
  - With a JSON stdout callback it prints nothing, so that the output stays JSON; RV(summary)
    still holds the lines.
  - It runs on the controller only and never contacts a node.
options:
  source:
    description: The sync source node's inventory name.
    type: str
    required: true
  controller:
    description: The domain controller the accounts were managed on (KB Q249603 steps 1-3).
    type: str
attributes:
  check_mode:
    support: full
    details: In check mode every change reads as a prediction ("would be created").
  diff_mode:
    support: none
  platform:
    platforms: all
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
seealso:
  - plugin: webfarm.iis_cluster.cluster_summary
    plugin_type: filter
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: KB Q249603 end to end
  block:
    - name: The steps
      ansible.builtin.include_role:
        name: webfarm.iis_cluster.domain_accounts
  always:
    - name: Summary, node by node
      webfarm.iis_cluster.cluster_summary:
        source: web1
        controller: dc1
      run_once: true
"""

RETURN = r"""
summary:
  description: The summary's lines, as printed.
  returned: always
  type: list
  elements: str
  sample:
    - dc1, the domain controller
    - "  domain accounts WEBFARM\\IUSR_web created; WEBFARM\\IWAM_web created"
    - web1, the sync source
"""
