#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/shared_config_share.py); this
# file holds its documentation.

DOCUMENTATION = r"""
---
module: shared_config_share
short_description: Ensure the share serving IIS Shared Configuration, its folder and who reads and changes it
version_added: 0.2.0
description:
  - On the host serving the share (Windows Server 2012 or later, for the SmbShare cmdlets), the share
    of O(path) exists, O(read) may read it and O(change) may change it, on the share and on its
    folder alike.
  - A missing share is made on O(folder) (made too when missing), the share and the folder giving
    exactly O(read) and O(change). An existing share keeps its own folder and every account it
    serves (full access kept as change); accounts missing are added, to the share's permissions
    and the folder's access list alike, as what an account may do through a share is the lesser
    of the two.
  - One remote execution when nothing changes (none with O(info)), two when something does.
options:
  path:
    description:
      - The UNC path of the shared configuration; its share name is the share ensured.
    type: str
    required: true
  folder:
    description:
      - The local folder a missing share is made on, such as C(D:\\IisConfig).
    type: str
    required: true
  read:
    description:
      - Accounts that read the share (the reader of M(webfarm.iis_cluster.shared_config)), domain
        accounts. A share readable by Everyone or Authenticated Users counts as readable.
    type: list
    elements: str
    default: []
  change:
    description:
      - Accounts that change the share (those who export the configuration to it).
    type: list
    elements: str
    default: []
  info:
    description:
      - The result of M(webfarm.iis_cluster.shared_config_info) with O(webfarm.iis_cluster.shared_config_info#module:scope=share)
        on this host earlier in the run, so that the module decides without a query of its own.
    type: dict
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports what it would make or grant.
  diff_mode:
    support: full
    details: The share's access before and after.
  platform:
    platforms: windows
seealso:
  - module: webfarm.iis_cluster.shared_config
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: The share of the cluster's configuration
  webfarm.iis_cluster.shared_config_share:
    path: \\FILES1\IisConfig
    folder: D:\IisConfig
    read: [WEBFARM\iisreader]
    change: [BUILTIN\Administrators]
"""

RETURN = r"""
share:
  description: The share's name.
  returned: always
  type: str
  sample: IisConfig
current:
  description: The share as it is after the task (in check mode, as it was), null when there is none.
  returned: always
  type: dict
  sample: {"name": "IisConfig", "path": "D:\\IisConfig", "access": [{"account": "WEBFARM\\iisreader", "right": "read"}]}
"""
