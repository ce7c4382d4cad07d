#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/node_access.py); this file holds
# its documentation.

DOCUMENTATION = r"""
---
module: node_access
short_description: KB Q249603 steps 4-5 on a node - accounts in a local group and holding user rights, in one batch
version_added: 0.2.0
description:
  - Steps 4 and 5 of Microsoft KB Q249603 as one task, what the C(node_access) role runs. It
    does what M(webfarm.iis_cluster.local_group_member) and M(webfarm.iis_cluster.user_right)
    do, with the same rules, results and messages, but reads the node once for both (one remote
    execution when nothing changes) and applies every change in one more.
  - Step 5 is decided on the group as step 4 leaves it, so an account that joins a group holding
    the right (C(Users) holds "Log on locally") gets it through the group, not by a direct grant,
    in check mode too.
  - On a domain controller the local groups are the domain's BUILTIN groups, and the KB skips
    step 4 there; RV(membership) then says it was skipped. The rights are still made effective.
  - An account that does not exist fails the task, except in check mode, where an earlier task
    may be about to create it; the change is then predicted as the two modules predict it.
options:
  group:
    description:
      - The local group's name, without a domain.
    type: str
    default: Users
  members:
    description:
      - The accounts that must be direct members of O(group), as C(DOMAIN\\name),
        C(name@dns.domain) or a name the node resolves.
    type: list
    elements: str
    required: true
  rights:
    description:
      - The user rights to make effective, each for its accounts, as
        M(webfarm.iis_cluster.user_right) would.
    type: list
    elements: dict
    required: true
    suboptions:
      right:
        description:
          - The user right's constant name, for example V(SeInteractiveLogonRight).
        type: str
        required: true
      accounts:
        description:
          - The accounts that must hold it; each must be a user.
        type: list
        elements: str
        required: true
      mode:
        description:
          - V(effective) grants the right only when the account does not already hold it in any
            way; V(direct) grants it to the account itself.
        type: str
        choices: [effective, direct]
        default: effective
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.attributes.changes
notes:
  - The modules M(webfarm.iis_cluster.local_group_member) and M(webfarm.iis_cluster.user_right)
    remain the building blocks for one group or one right.
seealso:
  - module: webfarm.iis_cluster.local_group_member
  - module: webfarm.iis_cluster.user_right
  - module: webfarm.iis_cluster.domain_account
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: The domain IIS accounts in Users, "Log on locally" for both, batch logon for IWAM (KB Q249603 steps 4-5)
  webfarm.iis_cluster.node_access:
    members:
      - WEBFARM\IUSR_web
      - WEBFARM\IWAM_web
    rights:
      - right: SeInteractiveLogonRight
        accounts: [WEBFARM\IUSR_web, WEBFARM\IWAM_web]
      - right: SeBatchLogonRight
        accounts: [WEBFARM\IWAM_web]
        mode: direct
"""

RETURN = r"""
is_domain_controller:
  description: Whether the node is a domain controller, where step 4 is skipped.
  returned: always
  type: bool
membership:
  description:
    - The result M(webfarm.iis_cluster.local_group_member) would return (C(changed), C(group),
      C(members), C(added), C(removed)).
    - On a domain controller, where step 4 does not apply, only C(changed) (false), C(skipped)
      (true) and C(msg), which says why.
  returned: always
  type: dict
rights:
  description:
    - One entry per O(rights), in order, each the result M(webfarm.iis_cluster.user_right) would
      return (C(changed), C(right), C(mode), C(accounts)).
  returned: always
  type: list
  elements: dict
windows_error:
  description: The Windows error behind a failure, decoded.
  returned: failure on the host
  type: dict
"""
