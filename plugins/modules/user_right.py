#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/user_right.py); this file holds
# its documentation.

DOCUMENTATION = r"""
---
module: user_right
short_description: Ensure accounts effectively hold a user right on a node, such as "Log on locally"
version_added: 0.1.0
description:
  - Step 5 of Microsoft KB Q249603 as a task. By default the right is C(SeInteractiveLogonRight),
    "Log on locally", which IIS needs for the anonymous user when it logs it on interactively.
  - With O(mode=effective) the right is satisfied when the account holds it in any way Windows
    counts at logon - directly, through a domain group (nested groups included), through a
    well-known group such as Authenticated Users, or through a local group that has one of those
    as a member. The KB's case is C(Domain Users), a member of the node's C(Users), which holds
    "Log on locally" on member servers. Only when none of these holds the right is it granted to
    the account directly.
  - With O(mode=direct) the account itself is granted the right unless it already holds it.
  - The result says, for each account, where the right comes from.
  - On a domain controller the right comes from the Default Domain Controllers Policy, which
    gives "Log on locally" to operators and administrators but not to Users, so the accounts get
    it directly.
  - An account that does not exist fails the task, except in check mode, where an earlier task
    may be about to create it.
options:
  accounts:
    description:
      - The accounts, as C(DOMAIN\\name), C(name@dns.domain) or a name the node resolves. Each
        must be a user, since only a user has a logon token.
    type: list
    elements: str
    required: true
  right:
    description:
      - The user right's constant name, for example V(SeInteractiveLogonRight) ("Log on locally")
        or V(SeNetworkLogonRight) ("Access this computer from the network").
    type: str
    default: SeInteractiveLogonRight
  mode:
    description:
      - V(effective) grants the right only when the account does not already hold it in any way;
        V(direct) grants it to the account itself.
    type: str
    choices: [effective, direct]
    default: effective
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.attributes.changes
notes:
  - The account's groups come from the node's own view of a logon token for it (an S4U logon,
    which needs a Windows Server 2003 or later domain), so the check needs no second hop.
  - A Deny right (such as SeDenyInteractiveLogonRight) is not considered.
  - On a domain controller a right granted here lasts until Group Policy next applies the
    Default Domain Controllers Policy; to keep it, add the accounts to that policy's setting.
seealso:
  - module: webfarm.iis_cluster.local_group_member
  - module: webfarm.iis_cluster.domain_account
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Log on locally for the domain IIS accounts (KB Q249603 step 5)
  webfarm.iis_cluster.user_right:
    accounts:
      - WEBFARM\IUSR_web
      - WEBFARM\IWAM_web

- name: Grant "Access this computer from the network" to the account itself
  webfarm.iis_cluster.user_right:
    accounts: [WEBFARM\IUSR_web]
    right: SeNetworkLogonRight
    mode: direct
"""

RETURN = r"""
right:
  description: The user right.
  returned: always
  type: str
  sample: SeInteractiveLogonRight
mode:
  description: The mode the task ran in.
  returned: always
  type: str
accounts:
  description:
    - One entry per account, after the task (in check mode, the prediction).
    - C(effective) is whether the account holds the right; null in check mode for an account
      that does not exist yet.
    - C(source) is V(direct) or V(group); C(holder) is who holds the right; C(through) is the
      chain of groups from the account to the holder, for example
      C(["WEBFARM\\Domain Users", "BUILTIN\\Users"]).
    - C(changed) is whether the right was (or would be) granted to the account directly.
  returned: always
  type: list
  elements: dict
  sample:
    - {"account": "WEBFARM\\IUSR_web", "sid": "S-1-5-21-1-2-3-1105", "exists": true, "effective": true,
       "source": "group", "holder": "BUILTIN\\Users", "through": ["WEBFARM\\Domain Users", "BUILTIN\\Users"],
       "changed": false}
windows_error:
  description: The Windows error behind a failure, decoded.
  returned: failure on the host
  type: dict
"""
