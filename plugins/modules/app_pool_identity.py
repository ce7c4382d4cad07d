#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/app_pool_identity.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: app_pool_identity
short_description: Set an IIS 7-10 application pool's identity, proven on the node first
version_added: 0.2.0
description:
  - What KB Q249603's step 7 (the IWAM identity of out-of-process applications) becomes on IIS 7
    and later - the identity of an application pool's worker processes, C(processModel)'s
    C(identityType), C(userName), C(password) and C(logonType) in C(applicationHost.config).
  - A domain account with its password; a group managed service account (gMSA) C(DOMAIN\name$)
    with no password, which Windows retrieves from the domain for the computers allowed to; or a
    built-in identity.
  - Before anything is written, the node proves the identity works - for a password, that it
    logs the account on with the pool's logon type (a batch or a service logon, as WAS makes it);
    for a gMSA, that this node may retrieve its password. A failed proof fails the task with
    Windows' reason and the remedy, and no pool is touched.
  - The password is compared on the node and never read back, returned or logged.
  - With O(recycle=true), a started pool is recycled and a stopped one started, so that its
    worker runs as the new identity. If the worker cannot start with it, the previous identity is
    put back and the pool started again; the task fails with the reason and RV(restored) says
    whether the previous identity is back.
options:
  name:
    description: The application pool's name.
    type: str
    required: true
  identity_type:
    description:
      - C(processModel.identityType). V(SpecificUser) (the default) is an account given in O(user).
    type: str
    choices: [ApplicationPoolIdentity, NetworkService, LocalService, LocalSystem, SpecificUser]
    default: SpecificUser
  user:
    description:
      - With O(identity_type=SpecificUser), the account, C(DOMAIN\name), or a gMSA C(DOMAIN\name$).
      - Refused with a built-in identity, and when named like an identity type (a user literally
        called C(SpecificUser) is never meant).
    type: str
  password:
    description:
      - The account's password; required for an account, refused for a gMSA and a built-in identity.
    type: str
  logon_type:
    description:
      - C(processModel.logonType), the logon WAS makes for the worker - V(LogonBatch) needs
        "Log on as a batch job" (SeBatchLogonRight; IIS_IUSRS holds it by default), V(LogonService)
        "Log on as a service" (SeServiceLogonRight).
    type: str
    choices: [LogonBatch, LogonService]
    default: LogonBatch
  recycle:
    description:
      - Recycle a started pool, start a stopped one, after the change, so that it takes effect now
        and a failure shows now. With V(false) the identity takes effect at the next recycle and is
        not put back if it fails then.
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the pool and runs the proof (both read-only), and reports the change it would make.
  diff_mode:
    support: full
    details: A password shows as C((secret)), never as its value.
  platform:
    platforms: windows
seealso:
  - module: webfarm.iis_cluster.web_config
  - module: webfarm.iis_cluster.user_right
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Run the shop's pool as the domain account on every node
  webfarm.iis_cluster.app_pool_identity:
    name: Shop Pool
    user: WEBFARM\IWAM_web
    password: "{{ iis_iwam_password }}"

- name: Or as a group managed service account the nodes may retrieve
  webfarm.iis_cluster.app_pool_identity:
    name: Shop Pool
    user: WEBFARM\shop-pool$

- name: Back to the pool's own virtual account
  webfarm.iis_cluster.app_pool_identity:
    name: Shop Pool
    identity_type: ApplicationPoolIdentity
"""

RETURN = r"""
pool:
  description: The pool, as IIS spells it.
  returned: success, or a pool that did not start
  type: str
  sample: Shop Pool
identity:
  description: The identity asked for - the account, or the built-in identity's name. Never the password.
  returned: success, or a pool that did not start
  type: str
  sample: WEBFARM\IWAM_web
identity_type:
  description: The identity type asked for.
  returned: success, or a pool that did not start
  type: str
  sample: SpecificUser
logon_type:
  description: The logon type asked for.
  returned: success, or a pool that did not start
  type: str
  sample: LogonBatch
before:
  description: The pool's identity before the task - C(identity), C(identity_type), C(logon_type).
  returned: success, or a pool that did not start
  type: dict
  sample: {"identity": "ApplicationPoolIdentity", "identity_type": "ApplicationPoolIdentity", "logon_type": "LogonBatch"}
state:
  description: The pool's state after the task; in check mode, the prediction.
  returned: success, or a pool that did not start
  type: str
  sample: Started
restored:
  description: Whether the worker could not start with the new identity and the previous one was put back.
  returned: success, or a pool that did not start
  type: bool
  sample: false
start_error:
  description: Windows' reason the worker could not start (C(code), C(message)), or null.
  returned: success, or a pool that did not start
  type: dict
  sample: {"code": 1326, "message": "The user name or password is incorrect."}
windows_error:
  description: The Windows error behind a failure, decoded.
  returned: failure on the host
  type: dict
  sample: {"code": 2147942402, "hex": "0x80070002", "symbol": "ERROR_FILE_NOT_FOUND",
           "message": "The system cannot find the file specified."}
"""
