#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/node_info.py); this file holds
# its documentation.

DOCUMENTATION = r"""
---
module: node_info
short_description: Who a Windows node is - name, domain, domain role, IIS version
version_added: 0.1.0
description:
  - Reads the node's identity in one remote execution, for roles and playbooks to decide on.
    The collection's roles use it to tell domain controllers from member servers, as KB Q249603
    does ("If the clustered nodes are domain controllers, you can skip steps 1 through 4").
  - With O(sites), also lists a service's sites, so that a pre-flight can check that a site
    exists before anything changes, in the same execution - from the metabase on IIS 5/6, from
    C(applicationHost.config) on IIS 7-10.
options:
  sites:
    description:
      - The service whose sites to list in RV(sites).
    type: str
    choices: [W3SVC, MSFTPSVC]
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.attributes.read_only
seealso:
  - module: webfarm.iis_cluster.domain_account
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Learn whether the node is a domain controller
  webfarm.iis_cluster.node_info:
  register: node

- name: Say so
  ansible.builtin.debug:
    msg: "{{ node.name }} is a domain controller: {{ node.is_domain_controller }}"
"""

RETURN = r"""
name:
  description: The NetBIOS computer name.
  returned: always
  type: str
  sample: NODE1
domain:
  description: The NetBIOS name of the domain, null outside a domain.
  returned: always
  type: str
  sample: WEBFARM
dns_domain:
  description: The DNS name of the domain, null outside a domain.
  returned: always
  type: str
  sample: webfarm.example
domain_role:
  description: Win32_ComputerSystem.DomainRole, 0 to 5 (3 member server, 4 and 5 domain controllers).
  returned: always
  type: int
  sample: 3
is_domain_controller:
  description: Whether the domain role is 4 or 5.
  returned: always
  type: bool
iis_version:
  description: The IIS version as C(major.minor), null without IIS.
  returned: always
  type: str
  sample: "5.0"
backend:
  description:
    - How the node's IIS keeps its configuration - V(metabase) for IIS 5.x and 6.x, V(apphost)
      (C(applicationHost.config)) for IIS 7.0 and later; null without IIS.
  returned: always
  type: str
  sample: metabase
ip_addresses:
  description: The node's IPv4 addresses, each with C(address) and C(prefix_length).
  returned: always
  type: list
  elements: dict
sites:
  description:
    - The sites of the service O(sites) names, each with C(path) (such as C(W3SVC/1)) and C(server_comment).
    - On IIS 7-10, the sites of C(applicationHost.config), named as IIS's metabase compatibility
      names them - C(path) the service and the site's ID, C(server_comment) its name - and
      C(applications), each application's C(path) and C(pool), its effective application pool.
  returned: when O(sites) is given and the node runs IIS
  type: list
  elements: dict
  sample: [{path: W3SVC/1, server_comment: Default Web Site}]
"""
