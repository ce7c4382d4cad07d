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
  - On IIS 7-10, O(logons) says which logons IIS makes with which account; the right each needs
    is derived from it (the anonymous user's C(logonMethod), a pool identity's C(logonType)) and
    made effective where missing, with the chain it comes through reported.
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
    default: []
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
  logons:
    description:
      - The logons IIS 7-10 makes with an account. The right each needs is made effective as
        O(rights[].mode=effective) would, granted directly only where no SID of the logon's token
        holds it. An account that needs one right for two logons is checked once, IIS_IUSRS
        counted only if it counts for both.
    type: list
    elements: dict
    default: []
    version_added: 0.2.0
    suboptions:
      account:
        description:
          - The account, as C(DOMAIN\\name), or C(DOMAIN\\name$) for a group managed service account.
        type: str
        required: true
      logon:
        description:
          - V(anonymous), the anonymous user's logon (C(anonymousAuthentication)), by
            O(logons[].logon_method); V(pool), an application pool worker's logon
            (C(processModel)), by O(logons[].logon_type).
        type: str
        required: true
        choices: [anonymous, pool]
      logon_method:
        description:
          - The anonymous logon's C(logonMethod) - V(ClearText) and V(Network) need "Access this
            computer from the network", V(Interactive) "Allow log on locally", V(Batch) "Log on as
            a batch job".
        type: str
        choices: [ClearText, Network, Interactive, Batch]
        default: ClearText
      logon_type:
        description:
          - The pool's C(logonType) - V(LogonBatch) needs "Log on as a batch job",
            V(LogonService) "Log on as a service".
        type: str
        choices: [LogonBatch, LogonService]
        default: LogonBatch
      manual_group_membership:
        description:
          - The pools' C(manualGroupMembership). False (IIS's default), WAS adds C(BUILTIN\\IIS_IUSRS)
            to the worker's token, so a right IIS_IUSRS holds ("Log on as a batch job", by default)
            counts and is reported as the account's holder.
        type: bool
        default: false
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

- name: IIS 10, the rights of the anonymous (ClearText) and pool (LogonBatch) logons
  webfarm.iis_cluster.node_access:
    members: [WEBFARM\IUSR_web, WEBFARM\IWAM_web$]
    logons:
      - account: WEBFARM\IUSR_web
        logon: anonymous
        logon_method: ClearText
      - account: WEBFARM\IWAM_web$
        logon: pool
        logon_type: LogonBatch
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
    - Then one entry per right O(logons) need, each account's entry with C(needed_by), the logon
      that needs it; C(holder) and C(through) say where the right comes from (for a pool
      identity, C(BUILTIN\\IIS_IUSRS) when the worker's token carries it).
  returned: always
  type: list
  elements: dict
windows_error:
  description: The Windows error behind a failure, decoded.
  returned: failure on the host
  type: dict
"""
