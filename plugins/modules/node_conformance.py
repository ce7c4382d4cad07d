#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/node_conformance.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: node_conformance
short_description: Check a Windows node's instruction set against the collection's contract
version_added: 0.1.0
description:
  - Puts every op of the collection's instruction set (the internal C(node_ops) module) to a
    node and checks each value against the op's result schema in the contract the collection
    ships, C(docs/instruction-set.yml). Each probe becomes a row of a plain-text table - C(ok), a
    C(shape mismatch) naming the path of the value that differs, or a C(Windows error) with its
    code.
  - Meant for the playbook C(webfarm.iis_cluster.node_conformance), which runs it in four
    scopes; run that playbook first on a Windows build the collection has not met.
  - It touches no real object. O(scope=domain) makes a scratch domain account with a random name,
    marked in its comment, and a password generated for the run that no result holds, and puts
    every domain op to it. O(scope=node) runs every read op, adds the scratch account to the local
    C(Users) group and removes it, and aims the write ops that no op can give a scratch object to
    (a metabase key, a COM+ application, a user right) at one that does not exist, which Windows
    must refuse with a known code. O(scope=cleanup) deletes the scratch account, only if it
    carries the mark, and checks that it is gone. Backups, restores and IISSync are never run
    (nothing could undo them); their rows say so.
  - The node's backend, from C(host_facts)' C(iis_version), decides what O(scope=node) runs - the
    metabase ops on IIS 5/6; on IIS 7-10, which has no metabase, the C(web_config_*), site and
    pool reads, and a scratch application pool (C(autoStart) false, so it never starts) added,
    changed, given ApplicationPoolIdentity and removed, C(app_pool_recycle) then aimed at it and
    refused; the metabase, IISSync and COM+ ops are listed as not exercised. On a domain controller
    of Windows Server 2012 or later, O(scope=domain) also reads the KDS root key and a scratch
    gMSA name (none) and aims C(gmsa_set_principals) at it (refused); C(gmsa_add) is not run, since
    no op could delete the gMSA it made.
  - O(scope=report) opens no connection; it joins the other scopes' results into one table,
    adds a row for every op of the contract no host ran, and says whether every node is left as
    found.
options:
  scope:
    description:
      - V(domain) on a domain controller, V(node) on each IIS node, V(cleanup) on the domain
        controller after the nodes, V(report) once at the end.
    type: str
    required: true
    choices: [domain, node, cleanup, report]
  scratch_account:
    description:
      - The scratch account O(scope=domain) returned - RV(scratch_account.qualified) for
        O(scope=node), RV(scratch_account.name) for O(scope=cleanup) (required there).
      - Without it, O(scope=node) leaves out the ops that need an account and says so.
    type: str
  site:
    description:
      - The site number whose keys the metabase reads of O(scope=node) use (C(W3SVC/<site>)) on an
        IIS 5/6 node. An IIS 7-10 node reads its first site (C(iis_sites_get)) instead.
    type: str
    default: "1"
  reports:
    description:
      - For O(scope=report), the registered results of the other scopes.
    type: list
    elements: dict
    default: []
attributes:
  check_mode:
    support: none
    details: It makes and removes scratch objects; in check mode the task is skipped.
  diff_mode:
    support: none
  platform:
    platforms: windows
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
seealso:
  - module: webfarm.iis_cluster.node_info
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
# The playbook webfarm.iis_cluster.node_conformance runs every scope; on its own, one node's
# read ops and refusals, without a domain controller:
- name: Put the node ops to the node
  webfarm.iis_cluster.node_conformance:
    scope: node
  register: conformance

- name: Judge them
  webfarm.iis_cluster.node_conformance:
    scope: report
    reports: ["{{ conformance }}"]
  register: conformance_report

- name: Print the table
  ansible.builtin.debug:
    msg: "{{ conformance_report.table + [conformance_report.msg] }}"
"""

RETURN = r"""
rows:
  description:
    - One row per probe, each with C(host), C(op), C(verdict) (V(ok), V(shape mismatch),
      V(Windows error), V(unexpected success), V(unexpected value) (a probe whose answer is known,
      such as a scratch object's absence, got another), V(not run) or V(not exercised)) and
      C(detail).
  returned: when O(scope) is not V(report)
  type: list
  elements: dict
  sample: [{host: node1, op: host_facts, verdict: ok, detail: ""}]
table:
  description: The rows as aligned plain-text lines, a header first.
  returned: always
  type: list
  elements: str
left_as_found:
  description:
    - For O(scope=node) and O(scope=cleanup), whether the host is as the run found it; null for
      O(scope=domain) when it made the scratch account, which the clean-up removes.
    - For O(scope=report), one line per host saying what was left and how that was checked.
  returned: always
  type: raw
left_as_found_detail:
  description: What the scope left on its host, and how that was checked.
  returned: when O(scope) is not V(report)
  type: str
scratch_account:
  description: The scratch account O(scope=domain) made.
  returned: when O(scope=domain) made it
  type: dict
  contains:
    name:
      description: Its account name.
      type: str
      sample: iisconf-0a1b2c3d
    qualified:
      description: Its name with the domain's, C(DOMAIN\name).
      type: str
      sample: WEBFARM\iisconf-0a1b2c3d
    sid:
      description: Its SID.
      type: str
passed:
  description: For O(scope=report), whether every probe conforms and every host is left as found.
  returned: when O(scope=report)
  type: bool
msg:
  description: For O(scope=report), how many probes conform, and whether the nodes are left as found.
  returned: when O(scope=report)
  type: str
"""
