#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/web_config.py); this file holds
# its documentation.

DOCUMENTATION = r"""
---
module: web_config
short_description: Set or clear one IIS 7-10 configuration attribute, or add or remove one collection item
version_added: 0.2.0
description:
  - The IIS 7-10 counterpart of M(webfarm.iis_cluster.metabase) for C(applicationHost.config),
    through Microsoft.Web.Administration on the host (no appcmd, so no value on a command line).
  - With O(attribute), one attribute of an element of a section at a location. O(state=present)
    sets the value I(at) the location; an equal value inherited from a parent location or the
    server level is not enough, because the location would then follow a later change of its
    parent. O(state=absent) clears the value set at the location, so that it inherits again.
  - Without O(attribute), O(element) ends in a collection item given by its keys (for example
    V(add[@name='Shop Pool']) in V(system.applicationHost/applicationPools)). O(state=present)
    adds the item with its keys and O(attributes), or sets O(attributes) on the existing item;
    O(state=absent) removes it.
  - An encrypted attribute (the schema's C(encrypted="true"), such as the C(password) of
    C(anonymousAuthentication) or of an application pool's C(processModel)) is written from
    O(secret_value), compared with it on the host, and never read back, returned or logged.
  - Writes go to C(applicationHost.config), at a location into its C(<location>) tag, as IIS
    Manager and C(appcmd /commit:apphost) write them - so a section whose schema denies overrides
    in web.config files (C(anonymousAuthentication)) is set per site. A change where
    C(applicationHost.config) may not hold the section (as its C(allowDefinition) says - a section allowed
    at the server level only, C(AppHostOnly), at a site) is refused before anything is written, in
    check mode too, saying where the section belongs.
  - One remote execution when nothing changes, two when something does.
options:
  section:
    description:
      - The section's path, for example V(system.webServer/security/authentication/anonymousAuthentication)
        or V(system.applicationHost/applicationPools).
    type: str
    required: true
  location:
    description:
      - The location path, without leading slash. V('') (the default) is the server level;
        V(Default Web Site) a site; V(Default Web Site/Shop) an application of it.
      - A leading or trailing C(/), as IIS Manager prints it, is removed.
    type: str
    default: ''
  element:
    description:
      - The path inside the section to a child element or a collection item. Steps are separated
        by C(/); each is an element name, or an item's element name followed by its keys,
        C(name[@key='value']) (several C([@key='value']) for a composite key; a quote in a value
        is doubled). V('') (the default) is the section's own element.
      - For example V(add[@name='Shop Pool']/processModel) in V(system.applicationHost/applicationPools).
    type: str
    default: ''
  attribute:
    description:
      - The attribute to set or clear, for example V(userName). IIS's spelling is used in results.
      - Without it, the module manages the collection item O(element) ends in.
      - Mutually exclusive with O(attributes).
    type: str
  value:
    description:
      - The value, in the configuration file's spelling - enum names (V(ClearText)), V(true)/V(false),
        decimal numbers, timespans as V(00:20:00). A YAML boolean is written V(true)/V(false).
      - Refused for an encrypted attribute; use O(secret_value).
      - With O(state=present) and O(attribute), one of O(value) and O(secret_value) is required.
    type: raw
  secret_value:
    description:
      - The value of an encrypted attribute, typically a password.
      - Compared on the host; the result and the diff say only whether it changed.
      - Refused for an attribute stored in clear text, which IIS would read back to anyone.
    type: str
  attributes:
    description:
      - Without O(attribute), with O(state=present), the item's attributes besides its keys
        (the keys come from O(element); a key given here must agree). On an existing item, the
        attributes that differ are set.
    type: dict
  state:
    description:
      - V(present) sets the attribute at the location, or makes the item exist with O(attributes);
        V(absent) clears the attribute at the location, or removes the item.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the element and reports the change it would make, including the value a cleared attribute would inherit.
  diff_mode:
    support: full
    details: An encrypted value is shown as C((secret)), never as its value.
  platform:
    platforms: windows
notes:
  - IIS reports a write it refuses with an HRESULT, returned in RV(windows_error) - 0x80070021
    ERROR_LOCK_VIOLATION (section locked), 0x80070057 E_INVALIDARG (no such attribute or element, or
    a value the schema's type does not accept), 0x800700B7 ERROR_ALREADY_EXISTS (duplicate
    collection item).
seealso:
  - module: webfarm.iis_cluster.metabase
  - module: webfarm.iis_cluster.app_pool_identity
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Run anonymous requests to the shop as the domain IUSR account
  webfarm.iis_cluster.web_config:
    section: system.webServer/security/authentication/anonymousAuthentication
    location: Default Web Site
    attribute: userName
    value: WEBFARM\IUSR_web

- name: Set its password without ever showing it
  webfarm.iis_cluster.web_config:
    section: system.webServer/security/authentication/anonymousAuthentication
    location: Default Web Site
    attribute: password
    secret_value: "{{ iis_iusr_password }}"

- name: Let the site inherit the server's anonymous user again
  webfarm.iis_cluster.web_config:
    section: system.webServer/security/authentication/anonymousAuthentication
    location: Default Web Site
    attribute: userName
    state: absent

- name: An application pool for the shop
  webfarm.iis_cluster.web_config:
    section: system.applicationHost/applicationPools
    element: add[@name='Shop Pool']
    attributes:
      managedPipelineMode: Integrated
      startMode: AlwaysRunning
"""

RETURN = r"""
section:
  description: The section.
  returned: always
  type: str
  sample: system.webServer/security/authentication/anonymousAuthentication
location:
  description: The location path, V('') for the server level.
  returned: always
  type: str
  sample: Default Web Site
element:
  description: The element path, in the spelling the host was given.
  returned: always
  type: str
  sample: add[@name='Shop Pool']/processModel
attribute:
  description: The attribute, as IIS spells it.
  returned: with O(attribute)
  type: str
  sample: userName
exists:
  description: Whether the element exists; V(false) only with O(state=absent) on a missing item.
  returned: with O(attribute)
  type: bool
override_allowed:
  description:
    - Whether applicationHost.config may hold the section at the location, as the host reports it.
      A section IIS allows at the server level only (C(allowDefinition="AppHostOnly")) may not be
      set at a site; the module refuses such a change before writing.
  returned: with O(attribute), when the element exists
  type: bool
before:
  description:
    - With O(attribute), the attribute before the task - C(origin) V(set) (at this location),
      V(inherited) (from a parent location) or V(default) (the schema's), C(encrypted), and
      C(value) unless it is encrypted.
    - Without O(attribute), the item - C(exists), and C(attributes) by name, each as above.
  returned: always
  type: dict
  sample: {"origin": "inherited", "encrypted": false, "value": "IUSR"}
after:
  description:
    - The same, after the task, read back from the host; in check mode, the prediction (a
      cleared attribute at the server level predicts the schema's default with C(value) null).
  returned: always
  type: dict
  sample: {"origin": "set", "encrypted": false, "value": "WEBFARM\\IUSR_web"}
windows_error:
  description: The Windows error behind a failure, decoded.
  returned: failure on the host
  type: dict
  sample: {"code": 2147942433, "hex": "0x80070021", "symbol": "ERROR_LOCK_VIOLATION",
           "message": "The process cannot access the file because another process has locked a portion of the file."}
"""
