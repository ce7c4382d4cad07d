#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/apphost_verify.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: apphost_verify
short_description: Verify that every IIS 7-10 node's configuration equals the source's, and works
version_added: 0.3.0
description:
  - Runs on the source node (the task's host). The source has reported the summary of its
    configuration digests (M(webfarm.iis_cluster.apphost_config_info), salted with this run's
    secret O(salt)), and each target, given that report, the sections where it differs, with its
    digests there.
  - When no target differs, nothing more is read. Else, in one execution on the source, the
    module details exactly those sections there and fails with one readable line per difference,
    naming the section, the location path, the element and the attribute, and the values when
    neither is encrypted. An encrypted attribute (a pool's or the anonymous user's password)
    changed by hand on one node reads C(differs (encrypted)), as only its salted digest left the
    node, never its value.
  - Equal is not enough, so it also checks that every node works, from the same reports; each
    application pool with a custom identity (C(SpecificUser), a gMSA included) is started. A
    pool that is not fails the task, naming the node, the pool, its account and the remedy.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.attributes.read_only
  - webfarm.iis_cluster.apphost_digests
options:
  source:
    description:
      - The registered result of M(webfarm.iis_cluster.apphost_config_info) on this node, the
        source, made without C(against) and with the same O(salt) and O(exclude).
    type: raw
    required: true
  targets:
    description:
      - The registered results of M(webfarm.iis_cluster.apphost_config_info) on every target node,
        made with the same O(salt) and O(exclude) and C(against) the source's report.
    type: list
    elements: raw
    required: true
seealso:
  - module: webfarm.iis_cluster.apphost_config_info
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Verify that the targets equal the source
  webfarm.iis_cluster.apphost_verify:
    source: "{{ source_report }}"
    targets: "{{ ['node1', 'node3'] | map('extract', hostvars, 'target_report') | list }}"
    salt: "{{ run_salt }}"
    exclude: ["system.applicationHost/sites/site/logFile@directory"]
  when: inventory_hostname == 'node2'
"""

RETURN = r"""
in_sync:
  description: Whether every target's configuration equals the source's.
  returned: always
  type: bool
works:
  description: Whether every node, the source included, runs its custom-identity pools.
  returned: always
  type: bool
source:
  description: The source node (inventory name).
  returned: always
  type: str
  sample: node2
source_problems:
  description: What does not work on the source node, one readable line each.
  returned: always
  type: list
  elements: str
sections_read:
  description:
    - The section ids (C(<location>|<section>), a bucket of a wide one C(...//<bucket>)) the source
      detailed, those where some target differs; every other section was compared by its digest.
  returned: always
  type: list
  elements: str
  sample: ["|system.applicationHost/applicationPools"]
targets:
  description: Each target, with C(in_sync), C(differences) and C(problems), one readable line each.
  returned: always
  type: list
  elements: dict
  sample:
    - host: node1
      in_sync: false
      differences:
        - >-
          system.applicationHost/applicationPools at the server level, add[@name='Shop']/processModel:
          idleTimeout differs: node2 has "00:00:00", node1 has "00:05:00"
      problems: []
"""
