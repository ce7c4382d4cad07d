#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/local_group_member.py); this
# file holds its documentation.

DOCUMENTATION = r"""
---
module: local_group_member
short_description: Ensure accounts are (or are not) members of a node's local group
version_added: 0.1.0
description:
  - Step 4 of Microsoft KB Q249603 as a task. By default the domain IUSR and IWAM accounts join
    the node's local C(Users) group.
  - Accounts are compared by SID, looked up on the node, so C(WEBFARM\\IUSR_web),
    C(IUSR_web@webfarm.example) and C(IUSR_web) name the same member. Only direct membership
    counts; other members are left alone.
  - An account that does not exist fails the task, except in check mode, where an earlier task
    may be about to create it; the addition is then predicted.
  - On a domain controller the local groups are the domain's BUILTIN groups, shared by every
    domain controller. The KB skips this step there.
options:
  group:
    description:
      - The local group's name, without a domain.
    type: str
    default: Users
  members:
    description:
      - The accounts, as C(DOMAIN\\name), C(name@dns.domain) or a name the node resolves.
    type: list
    elements: str
    required: true
  state:
    description:
      - V(present) adds the accounts that are not members; V(absent) removes those that are.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.attributes.changes
seealso:
  - module: webfarm.iis_cluster.domain_account
  - module: webfarm.iis_cluster.user_right
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: The domain IIS accounts in the local Users group (KB Q249603 step 4)
  webfarm.iis_cluster.local_group_member:
    group: Users
    members:
      - WEBFARM\IUSR_web
      - WEBFARM\IWAM_web
"""

RETURN = r"""
group:
  description: The local group, with its SID.
  returned: always
  type: dict
  sample: {"sid": "S-1-5-32-545", "name": "BUILTIN\\Users", "kind": "alias"}
members:
  description: Every member of the group after the task (before it, in check mode), each with C(sid), C(name) and C(kind).
  returned: always
  type: list
  elements: dict
added:
  description: The accounts added (or that would be added), as given.
  returned: always
  type: list
  elements: str
removed:
  description: The accounts removed (or that would be removed), as given.
  returned: always
  type: list
  elements: str
windows_error:
  description: The Windows error behind a failure, decoded.
  returned: failure on the host
  type: dict
"""
