#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/iissync_preflight.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: iissync_preflight
short_description: Check every condition IISSync needs before syncing, and which nodes differ
version_added: 0.1.0
description:
  - Runs on the sync source node (the task's host) before any sync and checks every condition
    behind an IISSync status code (KB Q224801) that can be checked beforehand. A failing check
    names the node, what was found, the code IISSync would end with, its meaning and the remedy,
    and the module fails, so that nothing is backed up or replicated.
  - From the source node, in one batch, it reads its own report (as
    M(webfarm.iis_cluster.sync_node_info) does) and resolves every target's computer name and
    connects to its RPC endpoint mapper (TCP 135). The targets' reports come from
    M(webfarm.iis_cluster.sync_node_info) run on each target. Given O(source), the source's own
    report from earlier in the run, it asks the source only what that report does not answer
    (the names of O(accounts) and the targets it did not resolve or probe), in one execution, and
    none when that is nothing; the source's next execution is then the sync itself.
  - 'The checks: the target name resolves and RPC answers (1722); the DCOM default protocols
    equal the source''s (1060); the source''s and each target''s metabase can be read (3, or 5 when
    access is denied); the COM+ catalogs open (2147746132); MTS replication is configured on the
    source (2147500037); the replication share is the administration share of the drive COM+ is
    installed on at each target (2148598794); the sync account passes the COM+ System
    Application''s Administrator role check on the source and on each target (2148599041); every
    component of the source''s replicated COM+ applications has its CLSID registered
    (2148598801); every address of the nodes and of the cluster groups is valid, used once and in
    one subnet (2148598792).'
  - A condition that cannot be read (for example the MTS replication settings, which later COM+
    releases no longer have) is reported as C(unknown) with a warning and does not fail the
    module. Codes 64, 1726 and 2148007941 depend on the run itself and cannot be foreseen.
  - 'It also checks that the sync would leave targets that work, which IISSync does not: every
    identity the source would replicate (each anonymous user of its web and FTP sites, its
    WAMUserName, the identity of each replicated COM+ server application) must be an account of no
    node in particular that every target resolves to the source''s SID, not an account of the
    source itself such as IIS setup''s C(IUSR_<source>) (KB Q249603''s domain accounts are the
    remedy: steps 1-7), and AnonymousPasswordSync must be False for a domain account. These checks
    have no IISSync code. A name only the web or FTP service''s own key sets, which no request
    logs on with now but every site created later inherits, is a warning (outcome V(warning)). The names come from O(accounts), which each target''s
    M(webfarm.iis_cluster.sync_node_info) resolved too.'
  - It also compares each target's metabase digests and replicated COM+ applications with the
    source's and returns the targets that differ, which the sync needs to touch. The targets
    compare their digest trees with the source's summary on the node and report where they
    differ; a target that names any key or subtree differs. Only with O(settled_properties) or
    O(pending_identities) does the module list the same keys on the source, in the same execution
    as its checks, and compare them property by property, to leave those properties out.
  - In check mode the steps before the sync did not make their changes; O(source_changes) and
    O(identity_changes) say what they would have changed on the source.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.attributes.read_only
  - webfarm.iis_cluster.sync_digests
  - webfarm.iis_cluster.sync_digests.targets
  - webfarm.iis_cluster.sync_digests.account
  - webfarm.iis_cluster.sync_digests.accounts
options:
  source_changes:
    description:
      - Changes the steps before the sync would make to the source's replicated configuration and
        did not make (check mode), that no target gets but by the sync (step 6's anonymous
        identity), in words; the identity checks are left to the real run (C(unknown)). When
        given without O(pending_identities), every target counts as out of sync.
    type: list
    elements: str
    default: []
  pending_identities:
    description:
      - The sites whose anonymous identity step 6 would change on the source and did not (check
        mode), as M(webfarm.iis_cluster.anonymous_identities) returned them (RV(webfarm.iis_cluster.anonymous_identities#module:sites),
        those that changed, each with its C(metabase_path) and C(overrides_removed)), the same
        changes as O(source_changes) by key. Each target then counts as out of sync as the real
        run will find it once step 6 has changed the source, by its answer whether it already
        holds that identity
        (RV(webfarm.iis_cluster.sync_node_info#module:holds_anonymous_identity), from
        O(webfarm.iis_cluster.sync_node_info#module:anonymous_identity)), and by how it differs
        from the source elsewhere. A target that was not asked, or a change that also removes
        overrides below a key, counts as out of sync.
    type: list
    elements: dict
    default: []
  identity_changes:
    description:
      - Changes the steps before the sync would make to the source's identities and did not make
        (check mode) that every node gets (step 7's WAM identity); the identity checks are left to
        the real run (C(unknown)).
    type: list
    elements: str
    default: []
  settled_properties:
    description:
      - Metabase properties (C(/LM/W3SVC/WAMUserPass)) that the steps before the sync would set to
        the same value on the source and on every target and did not (check mode; step 7 runs on
        every node). A target differing only in them is in sync, as it will be in the real run.
    type: list
    elements: str
    default: []
  source:
    description:
      - The registered result of M(webfarm.iis_cluster.sync_node_info) on this node (the sync
        source), without C(against), made with the same O(salt) and O(exclude) and, for the
        probes, O(webfarm.iis_cluster.sync_node_info#module:probe) the targets' computer names. Its
        report stands for the source's; the targets must have compared themselves with the state it
        (or the source's listing of the keys where they differ, when there is one) found.
      - By default the module reads the source's report itself.
    type: raw
seealso:
  - module: webfarm.iis_cluster.sync_node_info
  - module: webfarm.iis_cluster.iissync
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Report each target (the salt was drawn once, with no_log, for this run)
  webfarm.iis_cluster.sync_node_info:
    salt: "{{ sync_salt }}"
  register: node_report
  when: inventory_hostname != groups['iis_cluster'][0]

- name: Preflight on the source node
  webfarm.iis_cluster.iissync_preflight:
    targets: "{{ groups['iis_cluster'][1:] | map('extract', hostvars, 'node_report') | list }}"
    salt: "{{ sync_salt }}"
  register: preflight
  when: inventory_hostname == groups['iis_cluster'][0]
"""

RETURN = r"""
source:
  description: The source node (inventory name).
  returned: always
  type: str
  sample: web1
source_computer:
  description: The source node's computer name.
  returned: always
  type: str
  sample: WEB1
checks:
  description:
    - Every check. C(condition) is what was checked, C(node) where, C(outcome) V(passed),
      V(failed), V(unknown) or V(warning), C(found) what was found, C(code), C(hex) and C(symbol) the IISSync
      status a failure causes (null for the identity checks, which IISSync would pass, leaving
      targets that do not work).
  returned: always
  type: list
  elements: dict
  sample:
    - {"condition": "the DCOM default protocols are the source's", "node": "web2", "outcome": "failed",
       "found": "web1: ncacn_ip_tcp; web2: ncacn_spx, ncacn_ip_tcp", "code": 1060, "hex": "0x00000424",
       "symbol": "ERROR_SERVICE_DOES_NOT_EXIST"}
targets:
  description:
    - Each target's sync state. C(in_sync) is true when its metabase digests (but the excluded
      properties) and its replicated COM+ applications equal the source's; C(differing_keys) lists
      where its metabase differs, as the target found comparing its digest tree with the source's
      summary on the node (M(webfarm.iis_cluster.sync_node_info)), that is the keys whose own
      properties differ and the tops of subtrees that differ (a bucket of a wide key's children as
      C(<key>//<bucket>)); with O(settled_properties), the keys whose properties differ but for
      those, from a listing of the source's keys; C(complus_differs) whether the COM+ applications do. A
      target whose state could not be read is not in sync, nor is any target when
      O(source_changes) are pending (then listed in C(pending)).
  returned: always
  type: list
  elements: dict
  sample: [{"host": "web2", "computer": "WEB2", "in_sync": false, "differing_keys": ["/LM/W3SVC"], "complus_differs": false}]
out_of_sync:
  description: The inventory names of the targets that differ from the source.
  returned: always
  type: list
  elements: str
  sample: [web2]
out_of_sync_computers:
  description: The computer names of the targets that differ, as M(webfarm.iis_cluster.iissync) takes them.
  returned: always
  type: list
  elements: str
  sample: [WEB2]
"""
