#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented in PowerShell (plugins/modules/node_ops_facts.ps1: its #AnsibleRequires lines
# and one call of the instruction set, plugins/module_utils/IisClusterInstructionSet.psm1, which
# dispatches to one module_util per area); this file holds its documentation.

DOCUMENTATION = r"""
---
module: node_ops_facts
short_description: The collection's internal instruction set, not for playbooks (host facts and sites)
version_added: 0.3.0
description:
  - This is the collection's internal instruction set, not a module for playbooks. This module
    of it loads the module_utils a node's first answer needs, before its IIS version is known -
    host facts and the site listings of both backends (the metabase's for IIS 5/6,
    applicationHost.config's for IIS 7-10), which M(webfarm.iis_cluster.node_info) asks for in one
    execution - and what they require, and no C# but the domain join's.
extends_documentation_fragment:
  - webfarm.iis_cluster.instruction_set
  - ansible.builtin.action_common_attributes
seealso:
  - module: webfarm.iis_cluster.node_info
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
# The collection's action plugins call this module; a playbook does not. For a one-off look at a
# node, for example while debugging, it can be run by hand:
- name: Who the node is and its web sites, whichever IIS it runs (the other listing fails)
  webfarm.iis_cluster.node_ops_facts:
    instructions:
      - op: host_facts
        args: {}
      - op: metabase_sites_get
        args: {service: W3SVC}
      - op: iis_sites_get
        args: {}
    stop_on_error: false
  register: node
"""

RETURN = r"""
results:
  description:
    - One result per instruction, in order.
    - C(op) is the instruction's operation and C(status) is V(ok), V(failed) or V(not_run).
    - C(value) (with V(ok)) is what the operation returns; null for a write operation.
    - C(error) (with V(failed)) holds C(code), the Windows error as an unsigned 32-bit number (an
      HRESULT such as 2147942403 for 0x80070003, or a Win32 error code such as 1722), and
      C(message), Windows' text for it.
  returned: success
  type: list
  elements: dict
  sample:
    - {"op": "host_facts", "status": "ok",
       "value": {"name": "NODE1", "dns_host_name": "node1.webfarm.example", "domain": "WEBFARM",
                 "dns_domain": "webfarm.example", "domain_role": 3, "os_version": "10.0.17763",
                 "iis_version": "10.0", "ip_addresses": []}}
    - {"op": "metabase_sites_get", "status": "failed",
       "error": {"code": 2147746132, "message": "Class not registered"}}
"""
