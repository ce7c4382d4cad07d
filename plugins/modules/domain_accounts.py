#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/domain_accounts.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: domain_accounts
short_description: KB Q249603 steps 1-3 - the IUSR and IWAM domain users, in one batch
version_added: 0.2.0
description:
  - Steps 1 to 3 of Microsoft KB Q249603 as one task, what the C(domain_accounts) role runs. It
    does for each of O(accounts) what M(webfarm.iis_cluster.domain_account) does, with the same
    rules, results and messages, but reads the domain controller once for all of them (one
    remote execution when nothing changes) and applies every change in one more.
  - Runs on a domain controller; delegate the task to a host of the C(domain_controllers) group.
  - Every account is checked and planned before anything is written. A built-in, privileged or
    machine account, or one the collection did not create (without O(adopt=true)), fails the
    task and no account is changed. The same account named twice is refused before anything
    reaches the host.
  - The passwords are set (a new account is created with its password) before any other change,
    in the order of O(accounts); a password the domain's policy refuses fails the task, naming
    the account's option and the policy's rules, before any description, setting, group or mark
    is written; an account before it in O(accounts) may already have its new password. Passwords
    are never returned, logged or shown in a diff.
  - With O(gmsa), the IWAM identity of an IIS 7-10 cluster is a group managed service account
    instead of a domain user. The same query reads the domain's KDS root key and the gMSA, the
    same apply creates it (with the principals allowed to retrieve its password) or adds the
    principals it lacks. Principals are never removed. A gMSA has no password to give, set or
    show. Refused before anything is written - the accounts included - when the gMSA must be
    created and the domain has no usable KDS root key (the message says how to add one), when
    the name is taken by an account that is no gMSA, or when a principal maps to no account.
options:
  accounts:
    description:
      - The domain users, for example the IUSR and the IWAM account.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - The account's logon name (sAMAccountName), as
            M(webfarm.iis_cluster.domain_account)'s O(webfarm.iis_cluster.domain_account#module:name).
        type: str
        required: true
      password:
        description:
          - The account's password. Required to create the account; without it an existing
            account's password is left alone.
        type: str
      description:
        description:
          - The account's description. Left as it is when not given.
        type: str
  update_password:
    description:
      - When the password of an existing account is set, as in
        M(webfarm.iis_cluster.domain_account).
    type: str
    choices: [always, on_create, when_changed]
    default: when_changed
  adopt:
    description:
      - Whether existing accounts this collection did not create may be taken over, as in
        M(webfarm.iis_cluster.domain_account). Built-in, privileged and machine accounts are
        refused even with it.
    type: bool
    default: false
  gmsa:
    description:
      - A group managed service account to ensure besides O(accounts) (which may then be empty).
    type: dict
    suboptions:
      name:
        description:
          - Its name, at most 15 characters, without or with the trailing C($).
        type: str
        required: true
      principals:
        description:
          - The computers (or groups) allowed to retrieve its password - the cluster's nodes, as
            C(NODE1$) or C(DOMAIN\\NODE1$). Added where missing; others already allowed stay.
        type: list
        elements: str
        required: true
    version_added: 0.2.0
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the accounts and reports what it would change. A password the domain's policy refuses is found only when it is set.
  diff_mode:
    support: full
    details: One diff per account; a password shows only as C((secret)).
  platform:
    platforms: windows
notes:
  - Costs one remote execution when nothing changes and two when something does, whatever the
    number of accounts.
  - The accounts are enabled, their passwords never expire and cannot be changed by the user,
    and they are in Domain Users, as M(webfarm.iis_cluster.domain_account)'s defaults make them.
seealso:
  - module: webfarm.iis_cluster.domain_account
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: The domain IUSR and IWAM accounts for the cluster (KB Q249603 steps 1-3)
  webfarm.iis_cluster.domain_accounts:
    accounts:
      - name: IUSR_web
        password: "{{ vault_iusr_password }}"
        description: Anonymous user of the clustered web site
      - name: IWAM_web
        password: "{{ vault_iwam_password }}"
        description: Out-of-process application identity of the clustered web site
  delegate_to: "{{ groups['domain_controllers'][0] }}"
  run_once: true

- name: The domain IUSR account, and the IWAM identity as a gMSA the nodes may use (IIS 7-10)
  webfarm.iis_cluster.domain_accounts:
    accounts:
      - name: IUSR_web
        password: "{{ vault_iusr_password }}"
    gmsa:
      name: IWAM_web
      principals: [NODE1$, NODE2$, NODE3$]
  delegate_to: "{{ groups['domain_controllers'][0] }}"
  run_once: true
"""

RETURN = r"""
accounts:
  description:
    - One entry per O(accounts), in order, each the result M(webfarm.iis_cluster.domain_account)
      would return (C(changed), C(name), C(qualified_name), C(domain_controller), C(before),
      C(after), C(password_changed)).
  returned: always
  type: list
  elements: dict
gmsa:
  description:
    - The group managed service account - C(changed), C(name), C(qualified_name) (C(DOMAIN\\name$)),
      C(domain_controller), C(before) and C(after) (each null when absent, else C(name), C(sid),
      C(dns_host_name), C(enabled) and C(principals), the names allowed to retrieve its password).
  returned: when O(gmsa) is given
  type: dict
  version_added: 0.2.0
windows_error:
  description: The Windows error behind a failure, decoded.
  returned: failure on the host
  type: dict
"""
