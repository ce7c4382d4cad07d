#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/sync_node_info.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: sync_node_info
short_description: What a cluster node tells about itself for an IISSync sync
version_added: 0.1.0
description:
  - Reads, in one batch, what IISSync depends on at a node and the digests of its metabase, for
    M(webfarm.iis_cluster.iissync_preflight) and M(webfarm.iis_cluster.metabase_verify), which run
    on the sync source node and take the other nodes' results.
  - 'The report: the node''s identity and IP addresses, its DCOM default protocols, its shares and
    system drive, the addresses of the cluster groups, its COM+ catalog (MTS replication share,
    applications and their components, whether the sync account passes the System Application''s
    Administrator role check) and the digests of its metabase.'
  - 'The metabase digests form a tree: a digest of every property, of every key (its properties)
    and of every subtree (the key and its subtrees). Run on the source node (without O(against)),
    the report holds the summary, the top of that tree. Run on a target with O(against), the
    source''s report, the target compares its tree with the source''s summary top-down, on the
    node, and the report holds only where it differs: the keys and subtrees that differ and the
    target''s digests of the keys there (of every property of each). A target equal to the
    source sends nothing more than the digest of its whole metabase.'
  - The digests are HMAC-SHA256 keyed with O(salt) and computed on the node, secure values
    included, so nodes are compared without any value leaving them; without the salt a digest
    says nothing. The module returns their first 64 bits.
  - A part that cannot be read is reported with its Windows error instead of failing the module,
    so the preflight can say what it means for IISSync.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.attributes.read_only
  - webfarm.iis_cluster.sync_digests
  - webfarm.iis_cluster.sync_digests.account
  - webfarm.iis_cluster.sync_digests.accounts
options:
  against:
    description:
      - The registered result of this module on the sync source node, made with the same O(salt)
        and O(exclude). The report then says where this node's metabase differs from the source's,
        which is what M(webfarm.iis_cluster.iissync_preflight) and
        M(webfarm.iis_cluster.metabase_verify) compare. Give it on every target; leave it out on
        the source.
    type: raw
  probe:
    description:
      - Computer names (NetBIOS or DNS) this node resolves and whose RPC endpoint mapper (TCP 135)
        it connects to, in the same execution, as M(webfarm.iis_cluster.iissync_preflight) does for
        each target; the answers are in RV(probes). Give it on the sync source node with the
        targets' computer names, and give the result to the preflight as its O(webfarm.iis_cluster.iissync_preflight#module:source), which
        then does not probe them again.
    type: list
    elements: str
    default: []
  backups:
    description:
      - Also list the node's metabase backups, in the same execution (RV(backups)). Give them to
        M(webfarm.iis_cluster.metabase_backup) as its O(webfarm.iis_cluster.metabase_backup#module:backups), which then needs no listing of
        its own.
    type: bool
    default: false
  anonymous_identity:
    description:
      - The anonymous identity step 6 (M(webfarm.iis_cluster.anonymous_identities)) would set on the
        sync source node, in check mode, where it would change the source. The node answers, in the
        same execution, whether it already holds that identity at each key (RV(holds_anonymous_identity));
        M(webfarm.iis_cluster.iissync_preflight) then predicts whether the sync will find it equal to
        the source once step 6 has changed the source. The password is compared on the node, never
        read. Give it on the targets, in check mode only.
    type: dict
    suboptions:
      user:
        description: The anonymous user, as step 6 sets it (C(DOMAIN\name)).
        type: str
        required: true
      password:
        description: Its password.
        type: str
        required: true
      paths:
        description: The metabase keys (the sites' keys on the source, such as V(W3SVC/1/ROOT)).
        type: list
        elements: str
        required: true
seealso:
  - module: webfarm.iis_cluster.iissync_preflight
  - module: webfarm.iis_cluster.metabase_verify
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Report the source node
  webfarm.iis_cluster.sync_node_info:
    salt: "{{ sync_salt }}"
  register: source_report
  when: inventory_hostname == groups['iis_cluster'][0]

- name: Report each target node, where it differs from the source
  webfarm.iis_cluster.sync_node_info:
    salt: "{{ sync_salt }}"
    against: "{{ hostvars[groups['iis_cluster'][0]].source_report }}"
  register: node_report
  when: inventory_hostname != groups['iis_cluster'][0]
"""

RETURN = r"""
node:
  description:
    - The node's report, which M(webfarm.iis_cluster.iissync_preflight) and
      M(webfarm.iis_cluster.metabase_verify) take back (give them the whole registered result).
    - C(host) and C(computer) name the node; C(salt_id) identifies the salt without revealing it,
      and C(exclude) the properties left out. C(facts), C(dcom_protocols), C(shares), C(cluster_addresses), C(complus),
      C(identities), C(w3svc), C(msftpsvc) and C(metabase) hold what the instruction set's
      C(host_facts), C(dcom_protocols), C(file_shares), C(cluster_addresses), C(complus_catalog),
      C(iis_identities_check) (whether every identity IIS uses there logs on), C(metabase_get) of
      the AnonymousUserName at the web and FTP services' keys, and C(metabase_digest_tree) return
      (with O(against), also C(against), the digest of the source's whole metabase it was
      compared with), null when it failed;
      C(errors) holds each failure's Windows error code and message.
    - C(accounts) holds, for each name of O(accounts), C(principal) (the account's C(sid), C(name)
      and C(kind) as the node resolves it, null when no account has that name) and C(error).
  returned: always
  type: dict
  sample:
    host: web2
    computer: WEB2
    salt_id: 3f0c6b1e2a9d8c47
    exclude: [ServerState, Win32Error, AdminACL]
    dcom_protocols: [ncacn_ip_tcp]
    metabase:
      root: 0e5d41c27f9a3b86
      against: 9c1e7a0b44d2f613
      differing_keys: []
      differing_subtrees: [/LM/W3SVC/1]
      keys: {"/LM/W3SVC/1": {"digest": "5f0c2b7d9e1a4c38", "properties": {"KeyType": "9a1e3c5b7d2f4e60"}}}
    errors: {}
    accounts: {"WEBFARM\\IUSR_web": {"principal": {"sid": "S-1-5-21-1-2-3-1105", "name": "WEBFARM\\IUSR_web", "kind": "user"}, "error": null}}
probes:
  description:
    - For each computer name of O(probe), the C(addresses) it resolved to when its RPC endpoint
      mapper answered, else null and the Windows C(error) (C(code), C(message)).
  returned: when O(probe) names computers
  type: dict
  sample: {"WEB2": {"addresses": ["10.0.0.12"], "error": null}}
backups:
  description:
    - The node's metabase backups (C(name), C(version), C(date)), as M(webfarm.iis_cluster.metabase_backup) lists them.
  returned: with O(backups=true), when the node could list them (else M(webfarm.iis_cluster.metabase_backup) meets the error)
  type: list
  elements: dict
  sample: [{"name": "iissync", "version": 0, "date": "2026-12-06T23:00:00Z"}]
holds_anonymous_identity:
  description:
    - By metabase path of each key of O(anonymous_identity), whether the node holds the anonymous
      identity given there (user, password, password sync off), so that step 6 would change
      nothing at that key; false for a key the node cannot read.
  returned: with O(anonymous_identity)
  type: dict
  sample: {"/LM/W3SVC/1/ROOT": false}
replicated_identities:
  description:
    - The account names a sync from this node would replicate, once each; every anonymous user of
      its web and FTP sites, its WAMUserName and the identity of every COM+ server application
      COM+ replication copies (not the system applications). Give them to the targets'
      M(webfarm.iis_cluster.sync_node_info) and to M(webfarm.iis_cluster.iissync_preflight) as O(accounts).
  returned: always
  type: list
  elements: str
  sample: ["WEBFARM\\IUSR_web", "WEBFARM\\IWAM_web"]
"""
