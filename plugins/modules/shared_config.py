#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/shared_config.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: shared_config
short_description: Make an IIS 7-10 node read its configuration from a share (Shared Configuration), or from a local copy
version_added: 0.2.0
description:
  - With O(state=enabled), the node reads C(applicationHost.config) and C(administration.config)
    from O(path) as O(user), with the configuration keys exported there imported, as IIS Manager's
    and C(Enable-IISSharedConfig)'s shared configuration does, on IIS 7.5 to 10 alike (through
    Microsoft.Web.Administration's C(redirection.config) section and the .NET key APIs; see the
    instruction set's Shared Configuration section). O(user) first gets "Log on as a batch job"
    where no group of its token holds it (the rights logic of KB Q249603 step 5), as IIS logs it on
    with a batch logon. A node that already reads O(path) with O(user), its password, and decrypts
    it, is left as it is.
  - With O(export=true) (the source node), a node that does not read O(path) yet first exports its
    configuration and keys there, the keys protected by O(key_password); the export writes as the
    connection's user, so it needs become or delegated credentials.
  - With O(state=disabled) (maintenance), a node reading a share copies the share's configuration
    to its own files and stops reading the share, keeping the shared keys the copy needs; change
    one node, then run again with O(state=enabled) and the source exporting.
  - With O(backup), a node about to switch gets a new configuration backup version first
    (as M(webfarm.iis_cluster.apphost_backup) makes), in the same execution.
  - One remote execution when nothing changes (none with O(info)), two when something does.
options:
  state:
    description: V(enabled) reads the share; V(disabled) a local copy of it.
    type: str
    choices: [enabled, disabled]
    default: enabled
  path:
    description: The UNC path of the shared configuration, C(\\\\server\\share) optionally followed by folders.
    type: str
    required: true
  user:
    description: The reader account, a domain account (C(DOMAIN\\name) or C(name@dns.domain)).
    type: str
    required: true
  password:
    description:
      - The reader's password. Stored encrypted in C(redirection.config) (as IIS stores it),
        compared on the node, never returned nor shown (C(--diff) says only that it changes).
    type: str
    required: true
  key_password:
    description:
      - The key-encryption password protecting the exported keys. Required with O(state=enabled).
    type: str
  export:
    description: Export this node's configuration and keys to O(path) before it switches to it (the source node).
    type: bool
    default: false
  info:
    description:
      - This node's M(webfarm.iis_cluster.shared_config_info) result earlier in the run, so that the
        module decides without a query of its own.
    type: dict
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.backup_first.apphost
attributes:
  check_mode:
    support: full
    details: Reports the grant, the backup, the export and the switch it would make.
  diff_mode:
    support: full
    details: The right, the backup, the export and the redirection before and after; the password only as changed.
  platform:
    platforms: windows
notes:
  - The exported keys are in this collection's format (C(configEncKey.key)), which IIS Manager's
    import does not read. A configuration encrypted with a CNG provider (newer IIS 10 builds)
    cannot have its keys exported so; the export then fails with C(0x80090029), naming it.
seealso:
  - module: webfarm.iis_cluster.shared_config_info
  - module: webfarm.iis_cluster.shared_config_share
  - module: webfarm.iis_cluster.apphost_backup
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Read the cluster's configuration from the share
  webfarm.iis_cluster.shared_config:
    path: \\FILES1\IisConfig
    user: WEBFARM\iisreader
    password: "{{ reader_password }}"
    key_password: "{{ key_password }}"
    export: "{{ inventory_hostname == 'NODE2' }}"
    backup:
      name: sharedconfig
"""

RETURN = r"""
state:
  description: The state asked for, O(state).
  returned: always
  type: str
switched:
  description: Whether the node's redirection changed (or would, in check mode).
  returned: always
  type: bool
exported:
  description: Whether the node exported its configuration to the share.
  returned: always
  type: bool
right_granted:
  description: Whether the reader was granted "Log on as a batch job" directly.
  returned: always
  type: bool
backup:
  description: The backup made before the switch (C(date) null in check mode), or null.
  returned: always
  type: dict
  sample: {"name": "sharedconfig", "version": 0, "folder": "sharedconfig-0", "date": "2026-05-01T10:15:02Z"}
shared_config:
  description: The node's redirection after the task (before it, in check mode), no secret in it.
  returned: always
  type: dict
  sample: {"enabled": true, "path": "\\\\FILES1\\IisConfig", "user_name": "WEBFARM\\iisreader",
           "password_matches": true, "decrypt_error": null, "offline_files": false}
"""
