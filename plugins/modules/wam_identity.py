#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/wam_identity.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: wam_identity
short_description: Make IIS's out-of-process identity (IWAM) a domain account, in the metabase and COM+
version_added: 0.1.0
description:
  - Step 7 of Microsoft KB Q249603 as a task - C(adsutil.vbs SET W3SVC/WAMUserName) and
    C(W3SVC/WAMUserPass) - followed by what C(synciwam.vbs) does. IIS syncs the metabase
    account to the local account database when it starts, but not to the COM+ applications that
    run out-of-process web applications, which then fail to start (DCOM event 10004).
  - The COM+ applications set are the pooled package "IIS Out-Of-Process Pooled Applications"
    and the package of every application with C(AppIsolated=1). They get the identity and
    password only when needed - when the metabase's identity changes in this run, when an
    application runs as another account, or when an application does not start because COM+
    cannot log its identity on (the names agree but COM+ holds an old password) - so a run that
    changes nothing does not touch COM+, and a run after a half-applied one repairs it.
  - Before writing anything it proves the password on the node with the logon COM+ makes (a
    batch logon, which needs "Log on as a batch job"); a refusal fails the task naming the cause
    (1326 wrong password, 1331 disabled, 1385 the right missing) and changes nothing.
  - COM+ is set before the metabase, since COM+ checks each identity as it saves it, so a refusal
    leaves the metabase as it was and the next run does the same work again.
  - After writing, every out-of-process application must start (ICOMAdminCatalog
    StartApplication); one that does not fails the task, saying why.
  - The password is compared on the node and never returned, logged or shown in a diff.
options:
  user:
    description:
      - The identity, for example V(WEBFARM\\IWAM_web).
    type: str
    required: true
  password:
    description:
      - The account's password, from Ansible Vault or an AWX credential.
    type: str
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.backup_first
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The password shows only as C((secret)).
  platform:
    platforms: windows
notes:
  - COM+ cannot be asked for the password it holds, so a password changed in COM+ alone (not in
    the metabase) is not found.
seealso:
  - module: webfarm.iis_cluster.anonymous_identity
  - module: webfarm.iis_cluster.metabase
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: IIS's out-of-process identity (KB Q249603 step 7)
  webfarm.iis_cluster.wam_identity:
    user: WEBFARM\IWAM_web
    password: "{{ vault_iwam_password }}"
"""

RETURN = r"""
backup:
  description:
    - The backup made before the change (O(backup)), with C(name), C(version) and C(date) (UTC);
      in check mode C(version) and C(date) are null.
  returned: when O(backup) is given and the metabase changed (or would, in check mode)
  type: dict
  sample: {"name": "iissync", "version": 3, "date": "2026-12-06T20:15:00Z"}
user:
  description: The identity.
  returned: always
  type: str
adsutil_commands:
  description: The adsutil.vbs commands that do what the task did to the metabase, the password masked as adsutil masks it.
  returned: always
  type: list
  elements: str
  sample: ['cscript adsutil.vbs SET W3SVC/WAMUserName "WEBFARM\IWAM_web"', 'cscript adsutil.vbs SET W3SVC/WAMUserPass "**********"']
applications:
  description:
    - The out-of-process COM+ applications, each with C(id), C(name), C(identity) after the task,
      C(resynced), and C(problem), why it does not start (null when it does).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "{3D14228D-FBE1-11D0-995D-00C04FD919C1}", "name": "IIS Out-Of-Process Pooled Applications",
            "identity": "WEBFARM\\IWAM_web", "resynced": true, "problem": null}]
resynced:
  description: Whether the COM+ applications got the identity (or would, in check mode).
  returned: always
  type: bool
missing_packages:
  description: Packages the metabase names (AppPackageID of an isolated application) that the COM+ catalog lacks.
  returned: always
  type: list
  elements: str
"""
