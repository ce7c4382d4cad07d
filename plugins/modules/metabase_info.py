#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/metabase_info.py); this file
# holds its documentation.

DOCUMENTATION = r"""
---
module: metabase_info
short_description: Read the properties and child keys of an IIS 5/6 metabase key
version_added: 0.1.0
description:
  - What C(cscript adsutil.vbs ENUM <path>) and C(adsutil.vbs GET) show, as data.
  - For each property, tells whether it is set at the key, inherited from a key above, or not
    set at all. Secure properties (passwords) report only that; their values never leave the
    host.
options:
  path:
    description:
      - The metabase key, for example V(W3SVC/1). V(/LM/...), V(IIS://localhost/...) and
        backslashes are accepted too.
    type: str
    required: true
  properties:
    description:
      - The properties to read, including inherited ones.
      - When omitted, every property set at the key itself.
    type: list
    elements: str
  children:
    description: Whether to list the key's child keys.
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.attributes.read_only
seealso:
  - module: webfarm.iis_cluster.metabase
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Read the anonymous identity the Default Web Site uses
  webfarm.iis_cluster.metabase_info:
    path: W3SVC/1/ROOT
    properties: [AnonymousUserName, AnonymousUserPass, AnonymousPasswordSync]
    children: false
  register: anonymous

- name: Show where the anonymous user comes from
  ansible.builtin.debug:
    msg: "{{ anonymous.properties.AnonymousUserName.value }} ({{ anonymous.properties.AnonymousUserName.source }})"
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
key_type:
  description: The key's KeyType, its class in the metabase schema.
  returned: always
  type: str
  sample: IIsWebVirtualDir
properties:
  description:
    - Property name (as the schema spells it) to its C(type), C(secure), C(source) (V(here),
      V(inherited) or V(unset)) and, unless secure or unset, C(value).
  returned: always
  type: dict
  sample:
    AnonymousUserName: {"type": "STRING", "secure": false, "source": "inherited", "value": "IUSR_NODE1"}
    AnonymousUserPass: {"type": "STRING", "secure": true, "source": "inherited"}
children:
  description: The names of the key's child keys.
  returned: when O(children=true)
  type: list
  elements: str
  sample: [IISHelp]
windows_error:
  description: The Windows error behind a failure, decoded.
  returned: failure on the host
  type: dict
  sample: {"code": 2147942403, "hex": "0x80070003", "symbol": "ERROR_PATH_NOT_FOUND",
           "message": "The system cannot find the path specified."}
"""
