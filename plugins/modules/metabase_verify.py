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
  - Runs on the sync source node (the task's host) after a sync. The source has reported the
    summary of its metabase's digest tree (M(webfarm.iis_cluster.sync_node_info), salted with this
    run's secret O(salt), secure values digested on the node), and each target, given that report,
    where its tree differs from it, with its digests of the keys there.
  - When no target differs, nothing more is read. Else, in one execution on the source, the module
    lists the same keys there (their digests and the values that are not secure), compares them
    with each target's, property by property, and fails with a readable list of the differences,
    each naming the key and the property (missing on the target, only on the target, or
    differing) and what the source holds. A secure value is never shown, only that it differs.
  - The replicated (non-system) COM+ applications are compared too.
  - Properties that differ between healthy nodes are left out, by the O(exclude) list.
  - Equal is not enough, so it also proves that every node works, the source included. On each
    node, every key where IIS logs an anonymous user on (every web content key and FTP site)
    must log its user on with the logon type its C(LogonMethod) asks for (proven on the node once
    per distinct user, stored password, C(LogonMethod) and password sync), and every
    out-of-process COM+ application (the pooled package and each isolated application's) must
    run as the node's C(WAMUserName) and start, which logs its identity on as a batch job. A node
    that does not work fails the task, naming the node, the key or application, the cause and
    the remedy.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.attributes.read_only
  - webfarm.iis_cluster.sync_digests
  - webfarm.iis_cluster.sync_digests.targets
options:
  source:
    description:
      - The registered result of M(webfarm.iis_cluster.sync_node_info) on this node, the source, made
        without C(against) and with the same O(salt) and O(exclude). Its summary is what the targets
        compared themselves with (give their M(webfarm.iis_cluster.sync_node_info) this same result
        as C(against)), and its COM+ catalog and identities are the source's.
    type: raw
    required: true
seealso:
  - module: webfarm.iis_cluster.sync_node_info
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Report the source after the sync
  webfarm.iis_cluster.sync_node_info:
    salt: "{{ sync_salt }}"
  register: source_report
  when: inventory_hostname == groups['iis_cluster'][0]

- name: Report each target, where it differs from the source
  webfarm.iis_cluster.sync_node_info:
    salt: "{{ sync_salt }}"
    against: "{{ hostvars[groups['iis_cluster'][0]].source_report }}"
  register: synced_report
  when: inventory_hostname != groups['iis_cluster'][0]

- name: Verify that the targets equal the source after the sync
  webfarm.iis_cluster.metabase_verify:
    source: "{{ source_report }}"
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
    - The metabase keys the source listed, with their digests and the values that are not secure,
      those of the subtrees where some target differs; every other key was compared by the digest
      of a subtree holding it.
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
