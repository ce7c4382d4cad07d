#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/anonymous_authentication.py);
# this file holds its documentation.

DOCUMENTATION = r"""
---
module: anonymous_authentication
short_description: KB Q249603 step 6 on IIS 7-10, the site's anonymous user at its location
version_added: 0.2.0
description:
  - What KB Q249603's step 6 becomes on IIS 7 and later, run by
    P(webfarm.iis_cluster.anonymous_identity#role) on every IIS 7-10 node - the site's anonymous
    user, C(system.webServer/security/authentication/anonymousAuthentication) C(userName),
    C(password) and C(logonMethod) at the site's location in C(applicationHost.config).
  - A domain account with its password, or the application pool's identity (O(user) empty, IIS's
    C(userName=""); a password left at the location is then cleared).
  - The locations of the site's applications (O(applications)) that set an anonymous attribute
    themselves are reported, or with O(overrides=inherit) cleared so that they inherit the site's.
  - Before anything is written, the node proves the password - a logon of the account with the
    logon type of O(logon_method), the logon an anonymous request makes. A refusal fails the task
    with the cause and the remedy; nothing is written.
  - One remote execution reads everything and proves the password; one more writes, when
    something differs. The password is compared on the node and never read back, returned or logged.
options:
  site:
    description: The site's name (its location path), such as C(Shop).
    type: str
    required: true
  applications:
    description:
      - The paths of the site's applications (C(/checkout)); C(/), the site itself, is left out.
        Their locations are checked for overrides.
    type: list
    elements: str
    default: []
  user:
    description: The anonymous user, C(DOMAIN\name); empty for the application pool's identity.
    type: str
    default: ""
  password:
    description: The account's password; refused with the pool's identity.
    type: str
  logon_method:
    description:
      - C(logonMethod), the logon an anonymous request makes - V(ClearText) (IIS's default) and
        V(Network) need "Access this computer from the network", V(Interactive) "Allow log on
        locally", V(Batch) "Log on as a batch job".
    type: str
    choices: [ClearText, Interactive, Batch, Network]
    default: ClearText
  overrides:
    description: V(report) lists the locations below that set their own anonymous attributes; V(inherit) clears them.
    type: str
    choices: [report, inherit]
    default: report
  probe:
    description:
      - Only prove the password (one logon of the account with the logon method's logon type) and
        change nothing - what the anonymous_identity role does once, on one node, before any node
        changes, so that a wrong password costs one failed logon, not one per node.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.backup_first.apphost
attributes:
  check_mode:
    support: full
    details: >-
      Reads and proves (both read-only) and reports the changes it would make. A proof refused
      in check mode is a warning, since the account may be one that steps 1-3 would create.
  diff_mode:
    support: full
    details: A password shows as C((secret)), never as its value.
  platform:
    platforms: windows
seealso:
  - module: webfarm.iis_cluster.web_config
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Anonymous requests to the shop run as the domain IUSR account
  webfarm.iis_cluster.anonymous_authentication:
    site: Shop
    applications: [/, /checkout]
    user: WEBFARM\IUSR_web
    password: "{{ iis_cluster_iusr_password }}"

- name: Or as the application pool's identity, every override below made to inherit
  webfarm.iis_cluster.anonymous_authentication:
    site: Shop
    applications: [/, /checkout]
    overrides: inherit
"""

RETURN = r"""
backup:
  description:
    - The IIS configuration backup made before the change (O(backup)), with its C(name), C(version),
      C(folder) and C(date) (UTC; null in check mode).
  returned: when O(backup) is given and the configuration changed (or would, in check mode)
  type: dict
  sample: {"name": "iissync", "version": 3, "folder": "iissync-3", "date": "2026-12-06T20:15:00Z"}
site:
  description: The site's location.
  returned: success
  type: str
  sample: Shop
user:
  description: The anonymous user asked for, or C(the application pool's identity). Never the password.
  returned: success
  type: str
  sample: WEBFARM\IUSR_web
logon_method:
  description: The logon method asked for.
  returned: success
  type: str
  sample: ClearText
overrides:
  description: The locations below the site that set an anonymous attribute themselves (before this task), each C(location) and C(attributes).
  returned: success, unless O(probe)
  type: list
  elements: dict
  sample: [{"location": "Shop/checkout", "attributes": ["userName"]}]
inherited:
  description: The locations made to inherit the site's anonymous user (O(overrides=inherit)); in check mode, the prediction.
  returned: success, unless O(probe)
  type: list
  elements: str
  sample: [Shop/checkout]
windows_error:
  description: The Windows error behind a failure, decoded.
  returned: failure on the host
  type: dict
  sample: {"code": 2147942402, "hex": "0x80070002", "symbol": "ERROR_FILE_NOT_FOUND",
           "message": "The system cannot find the file specified."}
"""
