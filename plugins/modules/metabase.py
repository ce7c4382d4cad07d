#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/metabase.py); this file holds
# its documentation.

DOCUMENTATION = r"""
---
module: metabase
short_description: Set or clear one IIS 5/6 metabase property at one key
version_added: 0.1.0
description:
  - The idempotent form of C(cscript adsutil.vbs SET <path>/<property> <value>) and
    C(adsutil.vbs DELETE), as Microsoft KB Q249603 uses it.
  - With O(state=present) the value is set I(at) the key. An equal value inherited from a key
    above is not enough, because the key would then follow a later change of its parent.
    With O(state=absent) the value set at the key is removed, so the key inherits again.
  - The property's type and whether it is secure come from the metabase schema on the host.
    A secure property (such as C(AnonymousUserPass) or C(WAMUserPass)) is compared with the
    wanted secret on the host; its value is never read back to the controller, never returned
    and never logged.
  - Talks to the IIS Admin Base Objects through ADSI (C(IIS://localhost/...)). Ansible runs its
    PowerShell on PowerShell 5.1, so the node is Windows Server 2008 R2 SP1 or later with IIS 7 or
    later and the IIS 6 Metabase Compatibility feature, which serves the IIS 5/6 metabase
    interface that the KB's adsutil.vbs uses.
options:
  path:
    description:
      - The metabase key, for example V(W3SVC/1/ROOT).
      - V(/LM/W3SVC/1/ROOT), V(IIS://localhost/W3SVC/1/ROOT) and backslashes are accepted too.
    type: str
    required: true
  name:
    description:
      - The property name, for example V(AnonymousUserName). Case does not matter; results use
        the metabase's spelling.
    type: str
    required: true
    aliases: [property]
  value:
    description:
      - The value, converted to the property's metabase type (STRING, EXPANDSZ, INTEGER,
        BOOLEAN, LIST of strings, BINARY as a hex string).
      - Refused for a secure property; use O(secret_value).
      - Mutually exclusive with O(secret_value). One of them is required with O(state=present).
    type: raw
  secret_value:
    description:
      - A secret value for a string property, typically a password such as C(WAMUserPass).
      - Compared on the host; the result and the diff say only whether it changed.
    type: str
  state:
    description:
      - V(present) sets the value at the key; V(absent) removes the value set at the key.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the key and reports the change it would make, including the value the key would inherit.
  diff_mode:
    support: full
    details: A secure value is shown as C((secret)), never as its value.
  platform:
    platforms: windows
seealso:
  - module: webfarm.iis_cluster.metabase_info
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Use the domain IWAM account for out-of-process applications (KB Q249603 step 7)
  webfarm.iis_cluster.metabase:
    path: W3SVC
    name: WAMUserName
    value: WEBFARM\IWAM_web

- name: Set its password without ever showing it
  webfarm.iis_cluster.metabase:
    path: W3SVC
    name: WAMUserPass
    secret_value: "{{ iis_iwam_password }}"

- name: Let the site's root inherit the anonymous user again
  webfarm.iis_cluster.metabase:
    path: /LM/W3SVC/1/ROOT
    name: AnonymousUserName
    state: absent
"""

RETURN = r"""
path:
  description: The key, in the ADSI form the module used.
  returned: always
  type: str
  sample: W3SVC/1/ROOT
metabase_path:
  description: The key as the metabase writes it.
  returned: always
  type: str
  sample: /LM/W3SVC/1/ROOT
name:
  description: The property, spelled as the metabase schema spells it.
  returned: always
  type: str
  sample: AnonymousUserName
type:
  description: The property's metabase type.
  returned: always
  type: str
  sample: STRING
secure:
  description: Whether the schema marks the property secure (its value is never returned).
  returned: always
  type: bool
  sample: false
before:
  description:
    - The property at the key before the task.
    - C(source) is V(here) (set at this key), V(inherited) (from a key above) or V(unset).
    - C(value) is absent for a secure or unset property.
  returned: always
  type: dict
  sample: {"source": "inherited", "type": "STRING", "secure": false, "value": "IUSR_NODE1"}
after:
  description:
    - The property at the key after the task, read back from the host; in check mode, the
      prediction.
  returned: always
  type: dict
  sample: {"source": "here", "type": "STRING", "secure": false, "value": "WEBFARM\\IUSR_web"}
adsutil_commands:
  description:
    - The adsutil.vbs command lines that do what the task did (or would do, in check mode),
      for the change record. A secret shows as adsutil shows it, C("**********").
  returned: always
  type: list
  elements: str
  sample: ['cscript adsutil.vbs SET W3SVC/1/ROOT/AnonymousUserName "WEBFARM\IUSR_web"']
windows_error:
  description: The Windows error behind a failure, decoded.
  returned: failure on the host
  type: dict
  sample: {"code": 2147942403, "hex": "0x80070003", "symbol": "ERROR_PATH_NOT_FOUND",
           "message": "The system cannot find the path specified."}
"""
