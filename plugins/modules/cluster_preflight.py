#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/cluster_preflight.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: cluster_preflight
short_description: Check every input and precondition of the selected KB Q249603 steps before any change
version_added: 0.2.0
description:
  - The pre-flight of the playbook C(webfarm.iis_cluster.cluster_iis). A role checks its own
    variables only when it starts, after the steps before it changed the cluster; this module
    checks those of every selected step at once, first, and fails with every problem it finds,
    each naming the variable or host and the rule.
  - Without O(nodes) it checks the inputs, on the controller, without contacting any node - the
    steps asked for (O(steps)) and those C(--tags) and C(--skip-tags) select (a tag that names no
    step, or a selection of no step, is refused); the inventory (the group C(iis_cluster_group)
    exists and has two hosts at least, each machine listed once, C(iis_cluster_source) among them,
    every host in the play unless C(iis_cluster_allow_limit) is true - and always for the
    C(metabase_sync) and C(verify) steps, a C(domain_controllers) group for C(domain_accounts));
    and every variable of each selected step on every host, against its role's
    C(meta/argument_specs.yml), with the bounds of the integer ones, secrets given as strings only.
  - With O(nodes), the answers of M(webfarm.iis_cluster.node_info) on every node, it checks what
    only the nodes can say - every node answered and runs IIS, no computer is listed twice, the
    nodes do not mix IIS 5/6 with IIS 7 or later, the site of the C(anonymous_identity) step
    exists on the source node, and the account names can be made there.
  - Every secret the run knows (the no_log variables of every role, the connection's passwords) is
    masked in its messages, even when templated into another variable.
options:
  steps:
    description:
      - The steps asked for, usually C(iis_cluster_steps) - a list, or one string of names separated
        by commas or new lines. Omitted, every step.
    type: raw
  source:
    description: The sync source node's inventory name; needed with O(nodes).
    type: str
  nodes:
    description:
      - The result of M(webfarm.iis_cluster.node_info) on each node, by inventory name. On the
        source node it should include C(sites) when the C(anonymous_identity) step runs.
    type: dict
attributes:
  check_mode:
    support: full
    details: It only checks, so it runs the same way in check mode.
  diff_mode:
    support: none
  platform:
    platforms: all
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
seealso:
  - module: webfarm.iis_cluster.node_info
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Pre-flight, the inputs of the selected steps
  webfarm.iis_cluster.cluster_preflight:
    steps: "{{ iis_cluster_steps | default(['node_access']) }}"
  register: preflight
  run_once: true

- name: Pre-flight, who each node is
  webfarm.iis_cluster.node_info:
  register: node

- name: Pre-flight, what the nodes say
  webfarm.iis_cluster.cluster_preflight:
    steps: "{{ preflight.steps }}"
    source: web1
    nodes: "{{ dict(ansible_play_hosts_all | zip(ansible_play_hosts_all | map('extract', hostvars, 'node'))) }}"
  run_once: true
"""

RETURN = r"""
source:
  description: The sync source node - C(iis_cluster_source), else the group's first host.
  returned: success, without O(nodes)
  type: str
  sample: web1
controller:
  description: The domain controller of steps 1-3, when the inventory has one.
  returned: success, without O(nodes), when known
  type: str
  sample: dc1
accounts:
  description:
    - The accounts step 8's source is asked to resolve on a cluster KB Q249603 steps 1-7 have
      made, which it then resolves in its first execution - IIS setup's C(IUSR_<source>) and
      C(IWAM_<source>) (the web and FTP services' own keys keep naming them), and the domain IUSR
      and IWAM accounts (C(DOMAIN\name)) as the steps name them from the source node's facts and
      the account variables, when those are valid; empty when the source gave no facts.
  returned: success, with O(nodes)
  type: list
  elements: str
  sample: ["IUSR_WEB1", "IWAM_WEB1", "WEBFARM\\IUSR_web", "WEBFARM\\IWAM_web"]
method:
  description:
    - Step 8's method, C(metabase_sync_method) as set for the source node or the first that runs
      on its backend (C(iissync) on IIS 5/6, C(web_deploy) on IIS 7-10); the playbook runs the
      role's C(sync_<method>) tasks.
  returned: success, with O(nodes), when O(steps) holds metabase_sync and the source node reported its backend
  type: str
  sample: iissync
steps:
  description: The steps this run performs, in the playbook's order.
  returned: success
  type: list
  elements: str
  sample: [node_access, verify]
"""
