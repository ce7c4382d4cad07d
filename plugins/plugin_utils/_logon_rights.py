# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The logon right each IIS 7-10 identity needs, and whether it holds it (what KB Q249603's
step 5, "Log on locally", becomes on IIS 7 and later).

This is for internal collection use only; the API may change at any time.

The right follows the logon IIS makes. An application pool's worker is logged on by WAS with
``processModel.logonType``: LogonBatch (the default) needs "Log on as a batch job", LogonService
"Log on as a service". An anonymous request is logged on with ``anonymousAuthentication``'s
``logonMethod``: ClearText (the default) and Network are network logons ("Access this computer
from the network"), Interactive needs "Allow log on locally", Batch "Log on as a batch job".
WAS adds IIS_IUSRS to a worker's token at run time unless ``manualGroupMembership`` is true, so
a right IIS_IUSRS holds (it holds SeBatchLogonRight by default) counts for a pool's identity.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ._principals import Principal
from ._user_rights import Grant, Holder, Token, effective_grant

IIS_IUSRS = Principal("S-1-5-32-568", "BUILTIN\\IIS_IUSRS", "alias")

RIGHT_LABELS = {
    "SeBatchLogonRight": "Log on as a batch job",
    "SeServiceLogonRight": "Log on as a service",
    "SeNetworkLogonRight": "Access this computer from the network",
    "SeInteractiveLogonRight": "Allow log on locally",
}
POOL_LOGON_RIGHTS = {"LogonBatch": "SeBatchLogonRight", "LogonService": "SeServiceLogonRight"}
"""The right each processModel.logonType needs."""
ANONYMOUS_LOGON_RIGHTS = {
    "ClearText": "SeNetworkLogonRight",
    "Network": "SeNetworkLogonRight",
    "Interactive": "SeInteractiveLogonRight",
    "Batch": "SeBatchLogonRight",
}
"""The right each anonymousAuthentication.logonMethod needs."""
_BUILT_IN_ANONYMOUS = ("", "IUSR")  # the pool's identity, or the built-in IUSR: no logon with a password


@dataclasses.dataclass(frozen=True)
class LogonNeed:
    """A right an account needs for a logon IIS makes; ``pool_identity`` when WAS adds IIS_IUSRS
    to the token of that logon."""

    account: str
    right: str
    needed_by: str
    pool_identity: bool = False

    @property
    def label(self) -> str:
        return RIGHT_LABELS[self.right]


def pool_logon_need(pool: t.Mapping[str, t.Any]) -> LogonNeed | None:
    """The right an ``app_pools_get`` pool's identity needs; None for a built-in identity,
    which WAS does not log on with a password."""
    if pool["identity_type"] != "SpecificUser" or not pool.get("user_name"):
        return None
    return pool_identity_need(
        str(pool["user_name"]), str(pool["logon_type"]), bool(pool["manual_group_membership"]), f"application pool {pool['name']}"
    )


def pool_identity_need(account: str, logon_type: str, manual_group_membership: bool, pool: str) -> LogonNeed:
    """The right ``account`` needs as the identity of ``pool`` (words for messages) that logs
    on with ``logon_type``; IIS_IUSRS counts unless ``manual_group_membership``."""
    return LogonNeed(
        account=account,
        right=POOL_LOGON_RIGHTS[logon_type],
        needed_by=f"{pool} (logonType {logon_type})",
        pool_identity=not manual_group_membership,
    )


def anonymous_logon_need(location: str, user_name: str | None, logon_method: str) -> LogonNeed | None:
    """The right the anonymous user set at ``location`` needs; None for the built-in IUSR and
    for userName '' (requests run as the pool's identity, whose need :func:`pool_logon_need` says)."""
    if (user_name or "").rpartition("\\")[2].upper() in _BUILT_IN_ANONYMOUS:
        return None
    return LogonNeed(
        account=str(user_name),
        right=ANONYMOUS_LOGON_RIGHTS[logon_method],
        needed_by=f"anonymous requests to {location or 'the server'} (logonMethod {logon_method})",
    )


def rights_needed(needs: t.Iterable[LogonNeed]) -> dict[str, list[LogonNeed]]:
    """The needs grouped by right, each account once per right: the first need that names it,
    unless a later one gets no IIS_IUSRS (the account then needs the right without it)."""
    by_right: dict[str, list[LogonNeed]] = {}
    for need in needs:
        accounts = by_right.setdefault(need.right, [])
        known = next((index for index, seen in enumerate(accounts) if seen.account.lower() == need.account.lower()), None)
        if known is None:
            accounts.append(need)
        elif accounts[known].pool_identity and not need.pool_identity:
            accounts[known] = need
    return by_right


def logon_token(token: Token, need: LogonNeed) -> Token:
    """The token the logon gets: a pool identity's with IIS_IUSRS, as WAS adds it."""
    if not need.pool_identity or any(group.sid == IIS_IUSRS.sid for group in token.groups):
        return token
    return dataclasses.replace(token, groups=(*token.groups, IIS_IUSRS))


def logon_grant(token: Token, holders: t.Sequence[Holder], need: LogonNeed) -> Grant | None:
    """Where the logon of ``need`` gets its right from (IIS_IUSRS counted for a pool identity),
    or None when it would be refused (1385, ERROR_LOGON_TYPE_NOT_GRANTED)."""
    return effective_grant(logon_token(token, need), holders)
