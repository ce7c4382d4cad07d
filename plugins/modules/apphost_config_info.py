#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/apphost_config_info.py); this
# file holds its documentation.

DOCUMENTATION = r"""
---
module: apphost_config_info
short_description: Report an IIS 7-10 node's configuration digests and application pools
version_added: 0.3.0
description:
  - Reads, in one execution on the node, the salted digests of its I(logical) IIS 7-10
    configuration (the applicationHost.config it runs with, under Shared Configuration the
    share's) and its application pools.
  - The digests are per section per location path; encrypted attributes are decrypted on the
    node and only their salted digests leave it; attributes equal to their schema default count
    as unset, and those matching O(exclude) are never compared.
  - Without O(against), the node's summary (a digest per section), which the source node reports.
    With O(against), the source's report, where this node differs from it, and its elements and
    the values that are not encrypted in those sections only, which each target reports.
  - M(webfarm.iis_cluster.apphost_verify) compares the reports on the source.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.attributes.read_only
  - webfarm.iis_cluster.apphost_digests
options:
  against:
    description:
      - The registered result of this module on the source node, made without O(against) with the
        same O(salt) and O(exclude). Omit it on the source.
    type: raw
seealso:
  - module: webfarm.iis_cluster.apphost_verify
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Report the source
  webfarm.iis_cluster.apphost_config_info:
    salt: "{{ run_salt }}"
    exclude: ["system.applicationHost/sites/site/logFile@directory"]
  register: source_report
  when: inventory_hostname == 'node2'

- name: Report where each target differs from the source
  webfarm.iis_cluster.apphost_config_info:
    salt: "{{ run_salt }}"
    exclude: ["system.applicationHost/sites/site/logFile@directory"]
    against: "{{ hostvars['node2'].source_report }}"
  register: target_report
  when: inventory_hostname != 'node2'
"""

RETURN = r"""
node:
  description:
    - The node's report, to give back to M(webfarm.iis_cluster.apphost_verify) (or as O(against)).
      C(tree) is the node's C(apphost_digest_tree) value (docs/instruction-set.md), C(pools) its
      application pools (C(app_pools_get)), C(errors) the Windows error of a part that failed.
  returned: always
  type: dict
  sample:
    host: node1
    salt_id: 1f0c2a9be4d3c871
    exclude: ["system.applicationHost/sites/site/logFile@directory"]
    tree: {root: 3c358727231367be, differing_sections: [], details: {}, against: 3c358727231367be}
    pools: [{name: Shop, state: Started, identity_type: SpecificUser, user_name: WEBFARM\ShopPool}]
    errors: {}
"""
