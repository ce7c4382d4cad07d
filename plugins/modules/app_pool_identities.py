#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/app_pool_identities.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: app_pool_identities
short_description: KB Q249603 step 7 on IIS 7-10, several application pools take one identity
version_added: 0.2.0
description:
  - The step-level form of M(webfarm.iis_cluster.app_pool_identity) that
    P(webfarm.iis_cluster.wam_identity#role) runs on IIS 7-10 nodes - every pool in O(pools)
    (the clustered site's applications' pools) takes the IWAM identity, a domain account with its
    password or a group managed service account C(DOMAIN\name$), with O(logon_type). The pools
    are read in one remote execution and, when one differs, written in one more.
  - With O(probe=true) the module only proves the identity on this node and changes nothing - for
    a password, one logon of the account with the pools' logon type (a batch or service logon, as
    WAS makes it); for a gMSA, whether this node may retrieve its password - and the right that
    logon needs. The role probes a password on one node only, before any node changes, so that a
    wrong password costs one failed logon; a gMSA on every node, since that check is read-only.
  - With O(prove=false) the proof is left out of the query (the probe made it).
  - Each changed pool is recycled (a stopped one started) and its worker must start as the new
    identity; a pool that does not start is put back on its previous identity by the node and the
    task fails, naming the pool and Windows' reason. The other pools of the node keep the new
    identity they started with.
  - Passwords are compared on the node and never read back, returned or logged.
options:
  pools:
    description: The application pools, by name.
    type: list
    elements: str
    required: true
  user:
    description: The account, C(DOMAIN\name) (with O(password)), or a gMSA C(DOMAIN\name$) (without).
    type: str
    required: true
  password:
    description: The account's password; refused for a gMSA.
    type: str
  logon_type:
    description:
      - C(processModel.logonType) - V(LogonBatch) needs "Log on as a batch job", V(LogonService)
        "Log on as a service".
    type: str
    choices: [LogonBatch, LogonService]
    default: LogonBatch
  prove:
    description: Prove the identity on this node (as O(probe) does) before anything is written.
    type: bool
    default: true
  probe:
    description: Only prove the identity on this node; nothing is compared or written.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.backup_first.apphost
attributes:
  check_mode:
    support: full
    details: >-
      Reads the pools and runs the proof (both read-only) and reports the changes it would make.
      A proof refused in check mode is a warning, since the account may be one that steps 1-3
      would create.
  diff_mode:
    support: full
    details: A password shows as C((secret)), never as its value.
  platform:
    platforms: windows
seealso:
  - module: webfarm.iis_cluster.app_pool_identity
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: One logon of the account, on one node, before any node changes
  webfarm.iis_cluster.app_pool_identities:
    pools: [Shop]
    user: WEBFARM\IWAM_web
    password: "{{ iis_cluster_iwam_password }}"
    probe: true
  run_once: true

- name: Then the pools of each node, proven already
  webfarm.iis_cluster.app_pool_identities:
    pools: [Shop]
    user: WEBFARM\IWAM_web
    password: "{{ iis_cluster_iwam_password }}"
    prove: false
"""

RETURN = r"""
backup:
  description:
    - The IIS configuration backup made before the change (O(backup)), with its C(name), C(version),
      C(folder) and C(date) (UTC; null in check mode).
  returned: when O(backup) is given and the configuration changed (or would, in check mode)
  type: dict
  sample: {"name": "iissync", "version": 3, "folder": "iissync-3", "date": "2026-12-06T20:15:00Z"}
user:
  description: The identity asked for. Never the password.
  returned: always
  type: str
  sample: WEBFARM\IWAM_web
logon_type:
  description: The logon type asked for.
  returned: always
  type: str
  sample: LogonBatch
proven:
  description: Whether the proof passed (in check mode a refusal is a warning).
  returned: with O(prove) or O(probe)
  type: bool
  sample: true
pools:
  description:
    - Each pool - C(pool), C(changed), C(before) (C(identity), C(identity_type), C(logon_type)),
      C(state) (after the task; in check mode, the prediction), C(restored) (it did not start
      and its previous identity was put back), C(start_error) (Windows' reason, or null), and
      C(problem) (the sentence saying so) when it did not start.
  returned: success, or a pool that did not start
  type: list
  elements: dict
  sample: [{"pool": "Shop", "changed": true, "state": "Started", "restored": false, "start_error": null,
            "before": {"identity": "ApplicationPoolIdentity", "identity_type": "ApplicationPoolIdentity",
                       "logon_type": "LogonBatch"}}]
windows_error:
  description: The Windows error behind a failure, decoded.
  returned: failure on the host
  type: dict
  sample: {"code": 2147942402, "hex": "0x80070002", "symbol": "ERROR_FILE_NOT_FOUND",
           "message": "The system cannot find the file specified."}
"""
