#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/metabase_verify.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: metabase_verify
short_description: Verify that every node's metabase and COM+ applications equal the source's
version_added: 0.1.0
description:
  - Runs on the sync source node (the task's host) after a sync. Each target has reported a
    digest of every metabase key and property (M(webfarm.iis_cluster.sync_node_info), salted with
    this run's secret O(salt), secure values digested on the node); the module digests the
    source's metabase the same way and compares, key by key.
  - For the keys whose digests differ only, it reads the source's properties, to show what the
    targets should hold, and fails with a readable list of the differences, each naming the key
    and the property. A secure value is never shown, only that it differs.
  - The replicated (non-system) COM+ applications are compared too.
  - Properties that differ between healthy nodes are left out, by the O(exclude) list.
  - Equal is not enough, so it also proves that every node works, the source included. On each
    node, every key where IIS logs an anonymous user on (every web content key and FTP site)
    must log its user on with the logon type its C(LogonMethod) asks for, and every
    out-of-process COM+ application (the pooled package and each isolated application's) must
    run as the node's C(WAMUserName) and start, which logs its identity on as a batch job. A node
    that does not work fails the task, naming the node, the key or application, the cause and
    the remedy.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.attributes.read_only
  - webfarm.iis_cluster.sync_digests
  - webfarm.iis_cluster.sync_digests.targets
seealso:
  - module: webfarm.iis_cluster.sync_node_info
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Verify that the targets equal the source after the sync
  webfarm.iis_cluster.metabase_verify:
    targets: "{{ groups['iis_cluster'][1:] | map('extract', hostvars, 'synced_report') | list }}"
    salt: "{{ sync_salt }}"
  when: inventory_hostname == groups['iis_cluster'][0]
"""

RETURN = r"""
in_sync:
  description: Whether every target equals the source.
  returned: always
  type: bool
works:
  description: Whether every node, the source included, works (every identity logs on).
  returned: always
  type: bool
source_problems:
  description: What does not work on the source node, one readable line each.
  returned: always
  type: list
  elements: str
source:
  description: The source node (inventory name).
  returned: always
  type: str
  sample: web1
keys_read:
  description:
    - The metabase keys whose properties were read from the source, the ones that differ on some
      target; every other key was compared by its digest alone.
  returned: always
  type: list
  elements: str
  sample: ["/LM/W3SVC/1"]
targets:
  description:
    - Each target, with C(in_sync), C(differences) and C(problems) (what does not work there),
      one readable line each.
  returned: always
  type: list
  elements: dict
  sample:
    - host: web2
      computer: WEB2
      in_sync: false
      differences: ['/LM/W3SVC/1: ServerComment differs: web1 has "Default Web Site", web2 has another value']
      problems: []
"""
