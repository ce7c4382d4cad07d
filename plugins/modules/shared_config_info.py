#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/shared_config_info.py); this
# file holds its documentation.

DOCUMENTATION = r"""
---
module: shared_config_info
short_description: Report how an IIS 7-10 node reads Shared Configuration, or the share serving it
version_added: 0.2.0
description:
  - With O(scope=node), in one read-only remote execution on an IIS 7-10 node - what the later
    tasks of a Shared Configuration rollout decide on - the node's C(redirection.config) (enabled,
    path, reader; whether the stored reader password is O(password), compared on the node),
    whether the node decrypts the configuration it reads (C(0x80090005) Bad Data when the keys were
    not imported), whether Offline Files caches the path; whether the reader reads O(path) from
    this node as IIS does (a batch logon, then a listing, as the reader); where "Log on as a batch
    job" comes from for the reader; and the node's configuration backups.
  - With O(scope=share), on the host serving the share, the share of O(path) (its folder and
    access), or null when there is none, and the reader's logon there as the file server logs it
    on (a network logon), which finds a wrong or expired password or a disabled account once for
    the cluster, before any share exists for the nodes to read.
  - With O(verify=true), the task fails unless the node reads O(path) with the reader, the right
    password, and decrypts it with the shared keys, naming each difference with its decoded code.
options:
  path:
    description:
      - The UNC path of the shared configuration, C(\\\\server\\share) optionally followed by folders.
    type: str
    required: true
  scope:
    description:
      - V(node) reports an IIS node; V(share) the share on the host serving it.
    type: str
    choices: [node, share]
    default: node
  user:
    description:
      - The reader account, a domain account (C(DOMAIN\\name) or C(name@dns.domain)).
    type: str
    required: true
  password:
    description:
      - The reader's password; compared and used to log on on the host, never returned.
    type: str
    required: true
  verify:
    description:
      - Fail unless the node reads the share as it should (O(scope=node) only).
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Only reads.
  diff_mode:
    support: none
  platform:
    platforms: windows
seealso:
  - module: webfarm.iis_cluster.shared_config
  - module: webfarm.iis_cluster.shared_config_share
  - module: webfarm.iis_cluster.shared_config_preflight
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Check that this node reads the cluster's configuration from the share
  webfarm.iis_cluster.shared_config_info:
    path: \\FILES1\IisConfig
    user: WEBFARM\iisreader
    password: "{{ reader_password }}"
    verify: true
"""

RETURN = r"""
report:
  description:
    - What the node answered, for M(webfarm.iis_cluster.shared_config) and
      M(webfarm.iis_cluster.shared_config_preflight) (their O(webfarm.iis_cluster.shared_config#module:info)
      and O(webfarm.iis_cluster.shared_config_preflight#module:nodes)); no secret is in it.
  returned: with O(scope=node)
  type: dict
  contains:
    config:
      description: The node's redirection and its reading of the configuration.
      type: dict
      sample: {"enabled": true, "path": "\\\\FILES1\\IisConfig", "user_name": "WEBFARM\\iisreader",
               "password_matches": true, "decrypt_error": null, "offline_files": false}
    read:
      description: The reader's batch logon and listing of the path from this node (C(error) null when it reads).
      type: dict
      sample: {"error": null, "files": ["administration.config", "applicationHost.config", "configEncKey.key"]}
    rights:
      description: The holders of "Log on as a batch job" and the reader's logon token.
      type: list
    backups:
      description: The node's configuration backups.
      type: list
enabled:
  description: Whether the node has shared configuration enabled.
  returned: with O(scope=node)
  type: bool
reads_share:
  description: Whether the node reads O(path) with the reader and its password, decrypts it, and the reader lists it from there.
  returned: with O(scope=node)
  type: bool
problems:
  description: With O(verify=true), what keeps the node from reading the share, each with its decoded code.
  returned: with O(verify=true)
  type: list
  elements: str
reader_logon:
  description: The reader's network logon at the share host, null when it succeeds, else Windows' error.
  returned: with O(scope=share)
  type: dict
  sample: {"code": 1330, "message": "The specified account's password has expired."}
share:
  description: The share (name, folder, access) or null when there is none.
  returned: with O(scope=share)
  type: dict
  sample: {"name": "IisConfig", "path": "D:\\IisConfig", "access": [{"account": "WEBFARM\\iisreader", "right": "read"}]}
"""
