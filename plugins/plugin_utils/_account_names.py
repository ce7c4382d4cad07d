# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Windows account names as operators write them, checked before anything reaches a node.

This is for internal collection use only; the API may change at any time.

An account is named ``user``, ``DOMAIN\\user`` (NetBIOS or DNS domain name) or ``user@dns.domain``.
The account part is a sAMAccountName: at most 20 characters for a user (the pre-Windows 2000
logon name), none of ``" / \\ [ ] : ; | = , + * ? < >`` nor a control character, not only dots
and spaces, and not ending with a dot ("Naming conventions in Active Directory", KB 909264).
"""

from __future__ import annotations

import dataclasses
import re

from ._input import InvalidInput

USER_NAME_MAX_LENGTH = 20
_FORBIDDEN = '"/\\[]:;|=,+*?<>'
_DNS_NAME = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
_NETBIOS_DOMAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!@#$%^&')(.{}~_-]{0,14}$")


@dataclasses.dataclass(frozen=True)
class AccountName:
    """An account name split into its parts; ``domain`` is None for a bare name."""

    account: str
    domain: str | None = None

    def qualified(self, netbios_domain: str) -> str:
        """``DOMAIN\\account`` with the domain's NetBIOS name, the form LSA and the metabase use."""
        return f"{netbios_domain}\\{self.account}"

    def __str__(self) -> str:
        return self.account if self.domain is None else f"{self.domain}\\{self.account}"


def parse_account_name(raw: str, field: str, max_length: int | None = None) -> AccountName:
    """Split and check ``raw``; ``max_length`` limits the account part (20 for a user).

    Raises :class:`InvalidInput` naming ``field`` and the rule broken.
    """
    text = raw.strip()
    domain: str | None = None
    if "\\" in text:
        domain, account = text.split("\\", 1)
        if not _NETBIOS_DOMAIN.match(domain) and not _DNS_NAME.match(domain):
            raise InvalidInput(f"{field}: {raw!r} has no valid domain before the backslash (DOMAIN\\user)")
    elif "@" in text:
        account, domain = text.rsplit("@", 1)
        if not _DNS_NAME.match(domain):
            raise InvalidInput(f"{field}: {raw!r} has no DNS domain name after the @ (user@dns.domain)")
    else:
        account = text
    check_account_part(account, raw, field, max_length)
    return AccountName(account, domain)


def check_account_part(account: str, raw: str, field: str, max_length: int | None) -> None:
    """The rules of a sAMAccountName, naming ``field`` when one is broken."""
    if not account:
        raise InvalidInput(f"{field}: {raw!r} names no account")
    if max_length is not None and len(account) > max_length:
        raise InvalidInput(
            f"{field}: {account!r} has {len(account)} characters; a user's logon name (sAMAccountName) "
            f"has at most {max_length}"
        )
    forbidden = sorted({char for char in account if char in _FORBIDDEN or ord(char) < 32})
    if forbidden:
        shown = " ".join(repr(char) for char in forbidden)
        raise InvalidInput(f"{field}: {account!r} contains {shown}; an account name may not contain {_FORBIDDEN}")
    if not account.strip(". ") or account.endswith("."):
        raise InvalidInput(f"{field}: {account!r} may not consist of dots and spaces only, nor end with a dot")


def check_same_domain(
    name: AccountName, field: str, netbios: str | None, dns: str | None, serves: str = "this domain controller serves"
) -> None:
    """Fail when ``name`` names a domain other than the node's (NetBIOS or DNS name): the account
    is never silently looked for in the node's domain instead."""
    if name.domain is None:
        return
    if name.domain.lower() not in {known.lower() for known in (netbios, dns) if known}:
        raise InvalidInput(
            f"{field}: {str(name)!r} names the domain {name.domain!r}, but {serves} "
            f"{netbios or 'no domain'}; give the account without a domain or with its own"
        )
