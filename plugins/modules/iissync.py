#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/iissync.py); this file holds
# its documentation.

DOCUMENTATION = r"""
---
module: iissync
short_description: Replicate the IIS metabase and COM+ applications to other nodes with IISSync
version_added: 0.1.0
description:
  - KB Q249603 step 8, C(iissync target1 [target2 ...]), run on the sync source node (the task's
    host) for every target in one run. IISSync replicates the metabase, secure data included, and
    the COM+ applications (COM+ replication removes the targets' own non-system applications).
  - Reads each target's outcome from what IISSync prints and fails with the meaning, probable
    cause and remedy of each failed target's status code, from KB Q224801's table (see
    C(docs/iissync-status-codes.md) and the P(webfarm.iis_cluster.iissync_status#filter) filter).
  - A target that fails with a transient status (64, ERROR_NETNAME_DELETED, when IISSync runs
    again within about 5 seconds of a previous run, Q214783) is run again, alone, after
    O(retry_delay) seconds, at most O(retries) more times.
  - IISSync reaches the targets over DCOM with the token of the process that runs it, so the task
    needs network credentials on the source node. A WinRM logon with NTLM, or Kerberos without
    delegation, has none (the double hop), and neither has become without a password. The module
    fails before running IISSync unless the task uses become (runas) with a password, the CredSSP
    transport, or Kerberos with delegation, and says how to fix it.
  - iissync.exe gets one argument per target, each a computer name checked on the controller and
    again on the node; no command string is ever built from input.
  - The module always runs IISSync for the targets given. M(webfarm.iis_cluster.iissync_preflight)
    tells which targets differ from the source, and the P(webfarm.iis_cluster.metabase_sync#role)
    role syncs only those, so that a second run changes nothing.
  - iissync.exe ships with IIS 5 and 6 only (Windows 2000 and Server 2003), which Ansible cannot
    manage; the collection's lab simulates such a cluster. IIS 7 and later replace IISSync with
    their own tools.
options:
  targets:
    description:
      - The computer names (NetBIOS or DNS) of the nodes to replicate to, as IISSync takes them.
    type: list
    elements: str
    required: true
  retries:
    description:
      - How many more runs a target failing with a transient status gets, from 0 to 10.
    type: int
    default: 3
  retry_delay:
    description:
      - Seconds to wait before running again, from 0 to 300. Q214783 advises 5 to 30.
    type: int
    default: 10
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports the targets it would replicate to and the command, without running IISSync.
  diff_mode:
    support: none
  platform:
    platforms: windows
seealso:
  - module: webfarm.iis_cluster.iissync_preflight
  - module: webfarm.iis_cluster.metabase_verify
  - module: webfarm.iis_cluster.metabase_backup
  - plugin: webfarm.iis_cluster.iissync_status
    plugin_type: filter
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Replicate the source node's IIS configuration to the other nodes (KB Q249603 step 8)
  webfarm.iis_cluster.iissync:
    targets: [WEB2, WEB3]
  become: true
  become_method: ansible.builtin.runas
  become_user: WEBFARM\iisadmin
  vars:
    ansible_become_password: "{{ vault_iisadmin_password }}"
"""

RETURN = r"""
command:
  description: The command IISSync runs (or would run) as, for the change record.
  returned: always
  type: str
  sample: '%SystemRoot%\system32\inetsrv\iissync.exe WEB2 WEB3'
targets:
  description:
    - One entry per target. In check mode only C(target) and C(outcome).
    - C(replicated) is whether IISSync replicated to it; C(attempts) the number of runs it took
      part in; C(status) its decoded status, as the P(webfarm.iis_cluster.iissync_status#filter)
      filter returns it; C(output) what IISSync printed about it.
  returned: always
  type: list
  elements: dict
  sample:
    - {"target": "WEB2", "replicated": false, "attempts": 1, "output": "The file path is invalid.",
       "status": {"code": 2148598794, "hex": "0x8011040A", "symbol": "COMADMIN_E_BADPATH", "known": true,
                  "meaning": "Invalid share in the MTS replication settings.", "transient": false}}
runs:
  description: Every run of iissync.exe, with its command, exit code and console output.
  returned: when IISSync ran
  type: list
  elements: dict
  sample: [{"command": '%SystemRoot%\system32\inetsrv\iissync.exe WEB2', "exit_code": 0, "output": ""}]
"""
