#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented in PowerShell (plugins/modules/node_ops_accounts.ps1: its #AnsibleRequires lines
# and one call of the instruction set, plugins/module_utils/IisClusterInstructionSet.psm1, which
# dispatches to one module_util per area); this file holds its documentation.

DOCUMENTATION = r"""
---
module: node_ops_accounts
short_description: The collection's internal instruction set, not for playbooks (accounts and local security)
version_added: 0.3.0
description:
  - This is the collection's internal instruction set, not a module for playbooks. This module
    of it loads the module_utils of accounts and the host's own security only (host facts, names
    and S4U tokens, local groups, user rights, password logons, domain accounts and group
    managed service accounts). The controller sends it the batches of steps 1-5 of KB Q249603
    (M(webfarm.iis_cluster.domain_accounts), M(webfarm.iis_cluster.node_access)).
extends_documentation_fragment:
  - webfarm.iis_cluster.instruction_set
  - ansible.builtin.action_common_attributes
seealso:
  - module: webfarm.iis_cluster.domain_accounts
  - module: webfarm.iis_cluster.node_access
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
# The collection's action plugins call this module; a playbook does not. For a one-off look at a
# node, for example while debugging, it can be run by hand:
- name: Read who holds "Log on locally" on the node
  webfarm.iis_cluster.node_ops_accounts:
    instructions:
      - op: host_facts
        args: {}
      - op: user_rights_get
        args: {right: SeInteractiveLogonRight}
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
    - {"op": "user_rights_get", "status": "ok",
       "value": {"right": "SeInteractiveLogonRight",
                 "holders": [{"sid": "S-1-5-32-545", "name": "BUILTIN\\Users", "kind": "alias"}]}}
    - {"op": "local_group_member_add", "status": "failed",
       "error": {"code": 1332, "message": "No mapping between account names and security IDs was done."}}
    - {"op": "user_right_grant", "status": "not_run"}
"""
