#!/usr/bin/python
# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# This module is implemented as an action plugin (plugins/action/anonymous_identities.py); this
# file holds its documentation.

DOCUMENTATION = r"""
---
module: anonymous_identities
short_description: KB Q249603 step 6 for several sites of a node - their anonymous user a domain account, in one batch
version_added: 0.2.0
description:
  - Step 6 of Microsoft KB Q249603 as one task, what the C(anonymous_identity) role runs on the
    sync source node for the web site and the FTP site. It does for each of O(sites) what
    M(webfarm.iis_cluster.anonymous_identity) does, with the same rules, results and messages,
    but reads every site in one remote execution (one when nothing changes) and writes every
    change in one more.
  - Every site's proof (an anonymous request would log on with the new user and password) is
    made before anything is written; a refusal fails the task and changes no site.
  - The backup of O(backup) is made once, first in the execution that writes, and only when a
    site changes.
options:
  sites:
    description:
      - The sites whose anonymous user to set.
    type: list
    elements: dict
    required: true
    suboptions:
      site:
        description:
          - The site, by number (V(1)) or by its C(ServerComment). Sites given by name cost one
            more remote execution, to find their numbers.
        type: str
        required: true
      service:
        description:
          - V(W3SVC) for a web site, V(MSFTPSVC) for an FTP site.
        type: str
        choices: [W3SVC, MSFTPSVC]
        default: W3SVC
      path:
        description:
          - A key below the site, for example V(ROOT/shop). By default the site's own key.
        type: str
      skip_missing_service:
        description:
          - Whether the site is skipped (its entry of RV(sites) says so), rather than the task
            failed, when its O(sites[].service) is not installed on the node.
        type: bool
        default: false
  user:
    description:
      - The anonymous user of every site, for example V(WEBFARM\\IUSR_web).
    type: str
    required: true
  password:
    description:
      - The account's password, from Ansible Vault or an AWX credential.
    type: str
    required: true
  overrides:
    description:
      - What to do with keys below each site that set their own anonymous user, password or
        password sync, as in M(webfarm.iis_cluster.anonymous_identity).
    type: str
    choices: [report, inherit]
    default: report
  verify:
    description:
      - Whether the task fails when an anonymous request to a site would not log on with the new
        identity, as in M(webfarm.iis_cluster.anonymous_identity).
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - webfarm.iis_cluster.backup_first
attributes:
  check_mode:
    support: full
    details: Predicts each site's changes and proves the new password as a real run does.
  diff_mode:
    support: full
    details: One diff per site; the password shows only as C((secret)).
  platform:
    platforms: windows
notes:
  - Costs one remote execution when nothing changes and two when something does, whatever the
    number of sites given by number; keys below a site that override its identity and are left
    in place cost one more when no site is written, to read how they log on.
seealso:
  - module: webfarm.iis_cluster.anonymous_identity
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: The clustered web and FTP sites' anonymous user (KB Q249603 step 6)
  webfarm.iis_cluster.anonymous_identities:
    sites:
      - site: "1"
      - site: "1"
        service: MSFTPSVC
        skip_missing_service: true
    user: WEBFARM\IUSR_web
    password: "{{ vault_iusr_password }}"
"""

RETURN = r"""
sites:
  description:
    - One entry per O(sites), in order, each the result M(webfarm.iis_cluster.anonymous_identity)
      would return for it; one whose service is not installed has only C(changed) (false),
      C(skipped) (true) and C(msg).
    - When a site's proof fails before anything is written, the only entry is that site's failed
      result.
  returned: always
  type: list
  elements: dict
backup:
  description:
    - The backup made before the first change (O(backup)), with C(name), C(version) and C(date)
      (UTC); in check mode C(version) and C(date) are null. It is also in the entry of RV(sites)
      of the first site that changed.
  returned: when O(backup) is given and a site changed (or would, in check mode)
  type: dict
  sample: {"name": "iissync", "version": 3, "date": "2026-12-06T20:15:00Z"}
windows_error:
  description: The Windows error behind a failure, decoded.
  returned: failure on the host
  type: dict
"""
