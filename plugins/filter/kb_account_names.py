# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter webfarm.iis_cluster.kb_account_names: the cluster's IUSR and IWAM account names."""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._kb_accounts import kb_account_names
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput

DOCUMENTATION = r"""
name: kb_account_names
short_description: The IUSR and IWAM domain account names of an IIS cluster
version_added: 0.1.0
description:
  - The names every role of the collection uses for the accounts of KB Q249603.
  - An explicit name wins; else C(IUSR_<base>) and C(IWAM_<base>). Without either, and only when
    the source node is a domain controller, the accounts IIS setup made there
    (C(IUSR_<source>), C(IWAM_<source>)) are used, as the KB says for clustered domain
    controllers; C(from_iis_setup) is then true.
  - Fails, naming the variable, when no name can be made or a name breaks the rules of a logon
    name (at most 20 characters); when a name names a domain other than the source node's
    (C(EVILCORP\\IUSR_x) is never rewritten into the nodes' domain); when the base is not a bare
    name (C(x\\y)); and when IUSR and IWAM would be one account (names compare case-insensitively).
positional: base, iusr_name, iwam_name, iwam_gmsa
options:
  _input:
    description: The result of M(webfarm.iis_cluster.node_info) on the sync source node.
    type: dict
    required: true
  base:
    description: The base name, usually C(iis_cluster_account_base).
    type: str
  iusr_name:
    description: The anonymous user's logon name, usually C(iis_cluster_iusr_name).
    type: str
  iwam_name:
    description: The out-of-process identity's logon name, usually C(iis_cluster_iwam_name).
    type: str
  iwam_gmsa:
    description:
      - Whether the IWAM identity is a group managed service account, usually C(iis_cluster_iwam_gmsa).
      - Its name then has at most 15 characters (a trailing C($) is accepted) and C(iwam_qualified)
        is C(DOMAIN\\name$).
    type: bool
    default: false
author:
  - webfarm maintainers (@webfarm)
"""

EXAMPLES = r"""
- name: Name the accounts from the base name web
  ansible.builtin.debug:
    msg: "{{ (source_node | webfarm.iis_cluster.kb_account_names('web')).iusr_qualified }}"
"""

RETURN = r"""
_value:
  description:
    - C(iusr) and C(iwam), the logon names; C(domain), the NetBIOS domain name; C(iusr_qualified)
      and C(iwam_qualified), as C(DOMAIN\\name); C(from_iis_setup), whether they are the accounts
      IIS setup made on a domain controller; C(iwam_gmsa), whether the IWAM identity is a group
      managed service account.
  type: dict
"""


def _kb_account_names(
    source_facts: t.Mapping[str, t.Any],
    base: str | None = None,
    iusr_name: str | None = None,
    iwam_name: str | None = None,
    iwam_gmsa: bool = False,
) -> dict[str, t.Any]:
    try:
        return kb_account_names(source_facts, base, iusr_name, iwam_name, boolean(iwam_gmsa, strict=True))
    except InvalidInput as error:
        raise AnsibleFilterError(str(error)) from None


class FilterModule:
    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"kb_account_names": _kb_account_names}
