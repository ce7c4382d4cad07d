#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented in PowerShell (plugins/modules/node_ops.ps1: its #AnsibleRequires lines
# and one call of the instruction set, plugins/module_utils/IisClusterInstructionSet.psm1, which
# dispatches to one module_util per area); this file holds its documentation.

DOCUMENTATION = r"""
---
module: node_ops
short_description: The collection's internal instruction set, not for playbooks (every area)
version_added: 0.1.0
description:
  - This is the collection's internal instruction set, not a module for playbooks. This module
    of it loads every module_util of the collection, the accounts', IIS 5/6's and IIS 7-10's.
    The controller sends it a batch that spans areas, such as the conformance run's
    (M(webfarm.iis_cluster.node_conformance)).
extends_documentation_fragment:
  - webfarm.iis_cluster.instruction_set
  - ansible.builtin.action_common_attributes
seealso:
  - module: webfarm.iis_cluster.metabase
  - module: webfarm.iis_cluster.metabase_info
  - module: webfarm.iis_cluster.iissync
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
# The collection's action plugins call this module; a playbook does not. For a one-off look at a
# node, for example while debugging, it can be run by hand:
- name: Read the anonymous user of the first web site and the host's identity
  webfarm.iis_cluster.node_ops:
    instructions:
      - op: host_facts
        args: {}
      - op: metabase_get
        args:
          path: W3SVC/1/ROOT
          properties: [AnonymousUserName, AnonymousUserPass, AnonymousPasswordSync]
  register: node

- name: Check, on the host, whether the site's anonymous password is the domain account's
  webfarm.iis_cluster.node_ops:
    instructions:
      - op: metabase_secret_matches
        args: {path: W3SVC/1/ROOT, property: AnonymousUserPass, secret: iusr}
    secrets:
      iusr: "{{ iis_iusr_password }}"
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
    - {"op": "metabase_get", "status": "ok",
       "value": {"path": "W3SVC/1/ROOT", "key_type": "IIsWebVirtualDir",
                 "properties": {"AnonymousUserName": {"type": "STRING", "secure": false,
                                                      "source": "inherited", "value": "IUSR_NODE1"}}}}
    - {"op": "metabase_set", "status": "failed",
       "error": {"code": 2147942403, "message": "The system cannot find the path specified."}}
    - {"op": "metabase_set", "status": "not_run"}
"""
