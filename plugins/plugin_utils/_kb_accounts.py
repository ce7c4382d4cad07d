# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The names of the cluster's IIS accounts (KB Q249603), which every role uses.

This is for internal collection use only; the API may change at any time.
"""

from __future__ import annotations

import typing as t

from ._account_names import USER_NAME_MAX_LENGTH, check_account_part, check_same_domain, parse_account_name
from ._input import InvalidInput

GMSA_NAME_MAX_LENGTH = 15
"""The longest name of a group managed service account, without the "$" its sAMAccountName ends
in (New-ADServiceAccount: a computer-style account, whose NetBIOS name has at most 15 characters)."""


def gmsa_name_problem(account: str, field: str) -> str | None:
    """Why ``account`` (without domain or "$") cannot name the IWAM gMSA, given by ``field``."""
    if len(account) <= GMSA_NAME_MAX_LENGTH:
        return None
    return (
        f"{field}: {account!r} has {len(account)} characters; with iis_cluster_iwam_gmsa the IWAM identity is a group "
        f"managed service account, whose name has at most {GMSA_NAME_MAX_LENGTH}: give a shorter iis_cluster_iwam_name"
    )


def kb_account_names(
    source_facts: t.Mapping[str, t.Any],
    base: str | None = None,
    iusr_name: str | None = None,
    iwam_name: str | None = None,
    iwam_gmsa: bool = False,
) -> dict[str, t.Any]:
    """The IUSR and IWAM account names of the cluster, from ``node_info`` of the source node.

    With ``iwam_gmsa`` the IWAM identity is a group managed service account: its name (given
    with or without the trailing "$") has at most :data:`GMSA_NAME_MAX_LENGTH` characters, and
    ``iwam_qualified`` is ``DOMAIN\\name$``, as a pool's identity and a right's holder name it.

    An explicit name wins; else ``IUSR_<base>`` and ``IWAM_<base>``. Without either, KB Q249603's
    rule for clustered domain controllers applies: the accounts IIS setup made on the source node
    (``IUSR_<source>``, ``IWAM_<source>``) are already domain accounts, so they are used and
    ``from_iis_setup`` is true. On member servers those are local accounts, so a base or names
    must be given. An empty name or base counts as not given, as a blank optional answer in an
    AWX survey arrives.
    """
    base, iusr_name, iwam_name = (value or None for value in (base, iusr_name, iwam_name))
    domain = source_facts.get("domain")
    if not domain:
        raise InvalidInput(f"iis_cluster: the source node {source_facts.get('name')} is in no domain")
    uses_source_name = base is None and (iusr_name is None or iwam_name is None)
    if uses_source_name and not source_facts.get("is_domain_controller"):
        raise InvalidInput(
            "iis_cluster_account_base: give the base name of the domain accounts (IUSR_<base>, IWAM_<base>), or "
            "iis_cluster_iusr_name and iis_cluster_iwam_name; only clustered domain controllers reuse the "
            "accounts IIS setup made"
        )
    if base is not None:
        # A domain in the base would be split off each name: "x\\y" made both accounts "y".
        check_account_part(base, base, "iis_cluster_account_base", None)
    stem = base if base is not None else str(source_facts["name"])
    names, fields = {}, {}
    for role, given in (("iusr", iusr_name), ("iwam", iwam_name)):
        field = f"iis_cluster_{role}_name" if given is not None else "iis_cluster_account_base"
        raw = given if given is not None else f"{role.upper()}_{stem}"
        gmsa = iwam_gmsa and role == "iwam"
        name = parse_account_name(raw.strip().rstrip("$") if gmsa else raw, field, USER_NAME_MAX_LENGTH)
        problem = gmsa_name_problem(name.account, field) if gmsa else None
        if problem:
            raise InvalidInput(problem)
        # Honoured only when it is the nodes' own domain: the accounts are made and used there.
        check_same_domain(name, field, domain, source_facts.get("dns_domain"), "the cluster's nodes are in")
        names[role], fields[role] = name.account, field
    if names["iusr"].lower() == names["iwam"].lower():
        raise InvalidInput(
            f"{fields['iusr']}, {fields['iwam']}: both name the account {names['iusr']!r}; the anonymous "
            "user and the out-of-process identity must be two accounts (KB Q249603 steps 1-3), give two names"
        )
    return {
        **names,
        "domain": domain,
        "iusr_qualified": f"{domain}\\{names['iusr']}",
        "iwam_qualified": f"{domain}\\{names['iwam']}{'$' if iwam_gmsa else ''}",
        "iwam_gmsa": bool(iwam_gmsa),
        "from_iis_setup": base is None and iusr_name is None and iwam_name is None,
    }
