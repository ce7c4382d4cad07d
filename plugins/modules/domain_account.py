#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/domain_account.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: domain_account
short_description: Ensure a domain user for IIS, such as IUSR_<name> or IWAM_<name>
version_added: 0.1.0
description:
  - Steps 1 to 3 of Microsoft KB Q249603 as a task. A domain user in Domain Users, with a
    password, for IIS's anonymous (IUSR) or out-of-process (IWAM) identity.
  - Runs on a domain controller, where the NetAPI reaches the domain's accounts without a second
    hop. It fails on any other host; delegate the task to a host of the C(domain_controllers)
    group. The domain role comes from the host itself.
  - The name is checked before anything reaches the host, against the rules of a logon name
    (sAMAccountName), so a name Windows would refuse fails at once.
  - The password is never returned, logged or shown in a diff. With
    O(update_password=when_changed) the domain controller tests it with a network logon and
    answers only whether it works. A password the domain's policy refuses fails the task with
    the policy's rules.
  - It never changes or deletes a built-in, privileged or machine account, whatever its name
    and even with O(adopt=true). Decided by SID on the domain controller, nested groups
    included; refused are RID 500 (Administrator), 501 (Guest), 502 (krbtgt) and every RID
    below 1000, members of Domain Admins, Domain Controllers, Schema Admins, Enterprise Admins,
    Group Policy Creator Owners, and of the BUILTIN groups Administrators, Account Operators,
    Server Operators, Print Operators and Backup Operators; accounts with C(adminCount=1);
    computer accounts, (group) managed service accounts and trust accounts.
  - It marks every account it creates in the account's user comment (USER_INFO C(usr_comment),
    the AD attribute C(comment); not the description, which operators edit), and changes an
    existing account without that mark only with O(adopt=true), which then adds the mark.
options:
  name:
    description:
      - The account's logon name (sAMAccountName), for example V(IUSR_web).
      - V(WEBFARM\\IUSR_web) and V(IUSR_web@webfarm.example) are accepted too; the domain must
        be the domain controller's own.
      - "At most 20 characters, none of C(\" / \\ [ ] : ; | = , + * ? < >), not only dots and
        spaces, not ending with a dot."
    type: str
    required: true
  password:
    description:
      - The account's password, typically from Ansible Vault or an AWX credential.
      - Required to create the account. Without it an existing account's password is left alone.
    type: str
  update_password:
    description:
      - When the password of an existing account is set.
      - V(when_changed) tests the password on the domain controller with a network logon and sets
        it only when it does not work. A wrong password counts as a bad logon attempt, as any
        logon does.
      - V(on_create) sets it only when the account is created.
      - V(always) sets it on every run, so the task always reports a change.
    type: str
    choices: [always, on_create, when_changed]
    default: when_changed
  description:
    description:
      - The account's description. Left as it is when not given.
    type: str
  enabled:
    description:
      - Whether the account is enabled.
    type: bool
    default: true
  password_never_expires:
    description:
      - Whether the password never expires. On by default, as fits a service identity whose
        password IIS holds in its metabase.
    type: bool
    default: true
  user_cannot_change_password:
    description:
      - Whether the user cannot change the password. On by default, for the same reason.
    type: bool
    default: true
  groups:
    description:
      - Global groups of the domain the account is a member of. Memberships in other groups are
        left alone.
      - A new account is always in Domain Users, its primary group.
    type: list
    elements: str
    default: [Domain Users]
  state:
    description:
      - V(present) creates or updates the account; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  adopt:
    description:
      - Whether an existing account this collection did not create (one whose user comment lacks
        the collection's mark) may be changed or deleted. Its password is then set as
        O(update_password) says, its settings as the options say, and the mark is added, so
        later runs need no O(adopt).
      - Without it such an account fails the task, naming it, and nothing is changed.
      - Built-in, privileged and machine accounts are refused even with it.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the account and reports what it would change. A password the domain's policy refuses is found only when it is set.
  diff_mode:
    support: full
    details: The password shows only as C((secret)).
  platform:
    platforms: windows
notes:
  - Costs one remote execution when nothing changes and two when something does.
seealso:
  - module: webfarm.iis_cluster.local_group_member
  - module: webfarm.iis_cluster.user_right
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: The domain IUSR account for the cluster (KB Q249603 steps 1-3)
  webfarm.iis_cluster.domain_account:
    name: IUSR_web
    password: "{{ vault_iusr_password }}"
    description: Anonymous user of the clustered web site
  delegate_to: "{{ groups['domain_controllers'][0] }}"
  run_once: true

- name: Remove an account no longer used
  webfarm.iis_cluster.domain_account:
    name: IUSR_old
    state: absent
  delegate_to: "{{ groups['domain_controllers'][0] }}"
  run_once: true
"""

RETURN = r"""
name:
  description: The account's logon name.
  returned: always
  type: str
  sample: IUSR_web
qualified_name:
  description: The account as C(DOMAIN\\name), the form the metabase and local groups use.
  returned: always
  type: str
  sample: WEBFARM\IUSR_web
domain_controller:
  description: The computer name of the domain controller the task ran on.
  returned: always
  type: str
  sample: DC1
before:
  description:
    - The account before the task, null when it did not exist.
    - C(groups) are the global groups it is a direct member of.
    - C(kind) is V(user), V(computer), V(managed_service_account) or V(trust); C(managed) whether
      the account carries the collection's mark.
  returned: always
  type: dict
  sample: {"name": "IUSR_web", "sid": "S-1-5-21-1-2-3-1105", "description": "", "enabled": true,
           "password_never_expires": true, "user_cannot_change_password": true, "groups": ["Domain Users"],
           "kind": "user", "managed": true}
after:
  description:
    - The account after the task, read back from the domain controller; null when absent.
    - In check mode, the prediction (C(sid) null for an account not yet created).
  returned: always
  type: dict
password_changed:
  description: Whether the password was (or, in check mode, would be) set.
  returned: always
  type: bool
windows_error:
  description: The Windows error behind a failure, decoded.
  returned: failure on the host
  type: dict
  sample: {"code": 2224, "hex": "0x000008B0", "symbol": "NERR_UserExists", "message": "The account already exists."}
"""
