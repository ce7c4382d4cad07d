#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented in PowerShell (plugins/modules/node_ops_apphost.ps1: its #AnsibleRequires lines
# and one call of the instruction set, plugins/module_utils/IisClusterInstructionSet.psm1, which
# dispatches to one module_util per area); this file holds its documentation.

DOCUMENTATION = r"""
---
module: node_ops_apphost
short_description: The collection's internal instruction set, not for playbooks (IIS 7-10)
version_added: 0.3.0
description:
  - This is the collection's internal instruction set, not a module for playbooks. This module
    of it loads the module_utils of host facts, local security, password logons and group
    managed service accounts, and those of IIS 7-10 (applicationHost.config through
    Microsoft.Web.Administration, its digest and backups, sites and application pools, Web
    Deploy, Shared Configuration, configuration keys and file shares). It never carries the
    metabase, IISSync or COM+.
extends_documentation_fragment:
  - webfarm.iis_cluster.instruction_set
  - ansible.builtin.action_common_attributes
seealso:
  - module: webfarm.iis_cluster.web_config
  - module: webfarm.iis_cluster.app_pool_identities
  - module: webfarm.iis_cluster.apphost_config_info
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
# The collection's action plugins call this module; a playbook does not. For a one-off look at a
# node, for example while debugging, it can be run by hand:
- name: Read the application pools and the anonymous authentication of the server
  webfarm.iis_cluster.node_ops_apphost:
    instructions:
      - op: app_pools_get
        args: {}
      - op: web_config_get
        args: {section: system.webServer/security/authentication/anonymousAuthentication}
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
    - {"op": "web_config_get", "status": "ok",
       "value": {"section": "system.webServer/security/authentication/anonymousAuthentication",
                 "location": "Shop", "element": "", "override_allowed": true,
                 "attributes": [{"name": "userName", "value": "WEBFARM\\IUSR_web", "origin": "set",
                                 "encrypted": false}]}}
    - {"op": "web_config_set", "status": "failed",
       "error": {"code": 2147942405, "message": "Access is denied."}}
    - {"op": "app_pool_recycle", "status": "not_run"}
"""
