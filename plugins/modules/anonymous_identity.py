#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/anonymous_identity.py); this
# file holds its documentation.

DOCUMENTATION = r"""
---
module: anonymous_identity
short_description: Make a site's anonymous user a domain account, with its password
version_added: 0.1.0
description:
  - Step 6 of Microsoft KB Q249603 as a task, what the site's Directory Security, Anonymous
    Access dialog does. At the site's key (or a path below it) it sets C(AnonymousUserName),
    C(AnonymousUserPass) and C(AnonymousPasswordSync=False), since IIS can sync the password of the
    node's own accounts only.
  - The password is compared on the node and never returned, logged or shown in a diff.
  - Keys below that set an anonymous property themselves (virtual directories, directories,
    files) would keep their own user. They are listed in the result; with
    O(overrides=inherit) their values are removed so that they inherit the site's, as IIS
    Manager's Inheritance Overrides dialog does.
  - Before writing anything it proves, on the node, that an anonymous request would log on with
    the new user and password - the account exists, the password is the account's, and the
    account holds the right the key's C(LogonMethod) needs ("Log on locally" for 0, IIS 5.0's
    default) - and fails, saying which is wrong and changing nothing, when it would not. The
    site keeps logging on as before.
  - After writing, it checks the logon again, and reads the logon of every key below that
    overrides the site's identity. An override that does not log on (for example one that still
    holds an old password) is a warning and an entry of RV(stale_overrides).
options:
  site:
    description:
      - The site, by number (V(1)) or by its C(ServerComment) (V(Default Web Site)). A name
        costs one more remote execution, to find the number.
    type: str
    required: true
  service:
    description:
      - V(W3SVC) for a web site, V(MSFTPSVC) for an FTP site.
    type: str
    choices: [W3SVC, MSFTPSVC]
    default: W3SVC
  path:
    description:
      - A key below the site, for example V(ROOT/shop). By default the site's own key.
    type: str
  user:
    description:
      - The anonymous user, for example V(WEBFARM\\IUSR_web).
    type: str
    required: true
  password:
    description:
      - The account's password, from Ansible Vault or an AWX credential.
    type: str
    required: true
  overrides:
    description:
      - What to do with keys below that set their own anonymous user, password or password sync.
      - V(report) lists them; V(inherit) removes their values so that they inherit.
    type: str
    choices: [report, inherit]
    default: report
  verify:
    description:
      - Whether the task fails when an anonymous request would not log on with the new identity,
        proven before anything is written (a refusal changes nothing) and checked again after.
      - V(false) writes the identity even when the proof fails, for an operator who grants the
        right or sets the password later; the result still tells why it does not log on.
    type: bool
    default: true
  skip_missing_service:
    description:
      - Whether the task is skipped, rather than failed, when O(service) is not installed on the
        node (its metabase key does not exist), as the FTP service may not be on IIS 6.0. For a
        site given by number this costs no remote execution of its own.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.backup_first
attributes:
  check_mode:
    support: full
    details: Predicts the changes and proves the new password as a real run does (a refused proof fails the task); the check after writing reports the proof.
  diff_mode:
    support: full
    details: The password shows only as C((secret)).
  platform:
    platforms: windows
seealso:
  - module: webfarm.iis_cluster.wam_identity
  - module: webfarm.iis_cluster.user_right
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: The clustered site's anonymous user (KB Q249603 step 6)
  webfarm.iis_cluster.anonymous_identity:
    site: Default Web Site
    user: WEBFARM\IUSR_web
    password: "{{ vault_iusr_password }}"
    overrides: inherit
"""

RETURN = r"""
backup:
  description:
    - The backup made before the change (O(backup)), with C(name), C(version) and C(date) (UTC);
      in check mode C(version) and C(date) are null.
  returned: when O(backup) is given and the metabase changed (or would, in check mode)
  type: dict
  sample: {"name": "iissync", "version": 3, "date": "2026-12-06T20:15:00Z"}
path:
  description: The key, in ADSI form.
  returned: always
  type: str
  sample: W3SVC/1
metabase_path:
  description: The key as the metabase writes it.
  returned: always
  type: str
  sample: /LM/W3SVC/1
user:
  description: The anonymous user.
  returned: always
  type: str
before:
  description: C(AnonymousUserName), C(AnonymousUserPass) and C(AnonymousPasswordSync) at the key before the task (no secure value).
  returned: always
  type: dict
after:
  description: The same after the task (in check mode, the prediction).
  returned: always
  type: dict
overrides:
  description: The keys below that set an anonymous property themselves, each with C(path) and C(properties).
  returned: always
  type: list
  elements: dict
  sample: [{"path": "W3SVC/1/ROOT/Shop", "properties": ["AnonymousUserName"]}]
overrides_removed:
  description: Whether those values were (or would be) removed.
  returned: always
  type: bool
stale_overrides:
  description:
    - The keys below the site that set their own anonymous identity and whose anonymous logon
      fails (with O(overrides=report)), each with C(path), C(user) and C(problem). Each is also a
      warning of the task.
  returned: always
  type: list
  elements: dict
  sample: [{"path": "W3SVC/1/ROOT/Shop", "user": "WEBFARM\\IUSR_web", "problem": "the password is wrong: ..."}]
anonymous_logon:
  description:
    - Whether an anonymous request logs on after the task (in check mode, the proof of the new
      identity when it changes, else as the node is now). When the proof fails, the proof's answer.
    - C(works), C(problem) (which condition fails, null when it works), C(account) (the user as the node resolves it) and C(logon_method).
  returned: always
  type: dict
  sample: {"works": true, "problem": null, "account": "WEBFARM\\IUSR_web", "logon_method": 0}
"""
