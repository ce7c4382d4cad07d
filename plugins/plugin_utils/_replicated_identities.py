# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The identities a sync replicates, and whether they will work on every target (KB Q249603).

This is for internal collection use only; the API may change at any time.

IISSync copies the source's metabase and its COM+ applications by name: every AnonymousUserName
(web and FTP sites), WAMUserName and the identity of every replicated COM+ server application
arrive on each target as the same account *name*. They work there only when the name means the
same account there, a domain account (the KB's whole point): IIS setup's ``IUSR_<source>`` and
``IWAM_<source>`` are the source's own accounts, which no target has. So before a sync, each
name is resolved on the source and on every target (LookupAccountName, ``account_lookup``): it
must be an account of no node in particular, and every target must resolve it to the source's
SID. AnonymousPasswordSync lets IIS log on without the stored password for a node's own
accounts only, so a domain account with password sync set does not log on anywhere.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ._preflight import FAILED, PASSED, UNKNOWN, WARNING, Check
from ._sync_report import SERVICE_PARTS, NodeReport
from ._windows_errors import describe

INTERACTIVE_USER = "interactive user"
"""COM+'s identity for "whoever is logged on at the console": no account to resolve."""

REMEDY = (
    "Make them the domain IUSR and IWAM accounts first: run KB Q249603 steps 1-7 (playbooks/cluster_iis.yml "
    "--tags domain_accounts,node_access,anonymous_identity,wam_identity, or iis_cluster_steps without "
    "metabase_sync), then the sync"
)
_PASSWORD_SYNC_REMEDY = (
    "Set AnonymousPasswordSync False there and store the account's password (step 6, "
    "webfarm.iis_cluster.anonymous_identity, does)"
)


@dataclasses.dataclass(frozen=True)
class ReplicatedIdentity:
    """An account name the source's metabase or COM+ catalog gives IIS, where it does (``uses``),
    and the keys where AnonymousPasswordSync is True for it (``password_sync_at``). A name only a
    service's key sets (``dormant``) is no request's now, only that of sites created later."""

    name: str
    uses: tuple[str, ...]
    password_sync_at: tuple[str, ...] = ()
    dormant: bool = False

    def describe(self) -> str:
        return f"{self.name} ({'; '.join(self.uses)})"


def replicated_identities(report: NodeReport) -> list[ReplicatedIdentity] | None:
    """Every identity ``report``'s node would replicate, one per account name (names compare
    case-insensitively, as Windows does), or None when its identities or COM+ catalog could not
    be read. An anonymous user is named at the topmost keys where requests log it on."""
    identities, catalog = report.parts.get("identities"), report.parts.get("complus")
    if identities is None or catalog is None:
        return None
    found: dict[str, tuple[str, list[str], list[str]]] = {}

    def add(name: str, use: str) -> list[str]:
        entry = found.setdefault(name.lower(), (name, [], []))
        entry[1].append(use)
        return entry[2]

    anonymous: dict[str, tuple[str, list[str], list[str]]] = {}
    # Each distinct identity names the topmost of its keys: the topmost keys of a user among
    # those are the topmost of all its keys.
    for identity in identities["anonymous"]["identities"]:
        if identity["user"]:
            entry = anonymous.setdefault(str(identity["user"]).lower(), (str(identity["user"]), [], []))
            paths = [f"/LM/{path}" for path in identity["at"]]
            entry[1].extend(paths)
            if identity["password_sync"]:
                entry[2].extend(paths)
    for user, paths, syncs in anonymous.values():
        add(user, "AnonymousUserName at " + ", ".join(_topmost(paths))).extend(_topmost(syncs))
    services: dict[str, tuple[str, list[str]]] = {}
    for part, path in SERVICE_PARTS.items():
        value = ((report.parts.get(part) or {}).get("properties") or {}).get("AnonymousUserName") or {}
        if value.get("source") == "here" and value.get("value"):
            services.setdefault(str(value["value"]).lower(), (str(value["value"]), []))[1].append(f"/LM/{path}")
    dormant = {lowered for lowered in services if lowered not in found}
    for user, paths in services.values():
        add(user, f"AnonymousUserName at {', '.join(paths)}, inherited by sites created later")
    if identities.get("wam_user"):
        add(str(identities["wam_user"]), "WAMUserName at /LM/W3SVC")
    for application in catalog["applications"]:
        identity = application.get("identity")
        # COMREPL leaves the system applications alone, IIS's pooled package among them.
        if application["system"] or not application["server"] or not identity:
            continue
        if str(identity).lower() != INTERACTIVE_USER:
            add(str(identity), f"identity of COM+ application {application['name']!r}")
    return [
        ReplicatedIdentity(name, tuple(uses), tuple(syncs), name.lower() in dormant)
        for name, uses, syncs in found.values()
    ]


def _topmost(paths: t.Sequence[str]) -> list[str]:
    """The keys of ``paths`` that are below none of the others: a value set at a site is
    inherited by every key of it, which need not be named again."""
    return [
        path
        for path in paths
        if not any(path.lower().startswith(other.lower() + "/") for other in paths if other != path)
    ]


def replicated_names(report: NodeReport) -> list[str]:
    """The account names ``report``'s node would replicate, for the targets to resolve."""
    return [identity.name for identity in replicated_identities(report) or []]


def identity_checks(source: NodeReport, targets: t.Sequence[NodeReport], pending: t.Sequence[str]) -> list[Check]:
    """Whether every identity the source would replicate works on every target: the source
    resolves it to an account of no node in particular, without password sync, and each target
    resolves it to the same SID. ``source`` and ``targets`` hold the ``account_lookup`` of each
    name; ``pending`` names the identity changes the steps before the sync would make on the
    source and did not (check mode): the identities to replicate are then not yet known."""
    condition = "the identities the source replicates are domain accounts every target resolves to the same SID"
    if pending:
        found = f"steps 6-7 would change the source's identities first ({'; '.join(pending)}); the real run checks them"
        return [Check(condition, source.host, None, UNKNOWN, found)]
    identities = replicated_identities(source)
    if identities is None:
        return [Check(condition, source.host, None, UNKNOWN, "the source's identities could not be read")]
    checks: list[Check] = []
    for identity in identities:
        mine = _lookup(source, identity.name)
        check = _source_check(source, identity, mine)
        own = [check]
        # The targets' answers matter only for an account that could work on them.
        if check.outcome == PASSED and isinstance(mine, t.Mapping):
            own += [_target_check(target, identity, mine) for target in targets]
        # A name no request logs on with now breaks nothing today: a warning, not a refusal.
        if identity.dormant:
            own = [dataclasses.replace(entry, outcome=WARNING) if entry.outcome == FAILED else entry for entry in own]
        checks += own
    return checks


@dataclasses.dataclass(frozen=True)
class _Unresolved:
    """Why a node's principal for a name is not known: the outcome of the check and what was found."""

    outcome: str
    found: str
    remedy: str = ""


def _lookup(report: NodeReport, name: str) -> t.Mapping[str, t.Any] | _Unresolved | None:
    """``report``'s node's principal for ``name``; None when no account has that name there."""
    entry = next((value for key, value in report.accounts.items() if key.lower() == name.lower()), None)
    if entry is None:
        # Unchecked is not safe: the name came from the source after its names were collected.
        return _Unresolved(
            FAILED,
            f"{report.host} was not asked to resolve it",
            "Give every node's sync_node_info and the preflight the accounts the source's sync_node_info reports "
            "(replicated_identities); if they were given, the source changed during the run: run it again",
        )
    if entry.get("error"):
        error = entry["error"]
        return _Unresolved(UNKNOWN, f"{report.host} could not resolve it: {describe(error['code'], error['message'])}")
    return entry.get("principal")


def _source_check(source: NodeReport, identity: ReplicatedIdentity, mine: t.Any) -> Check:
    condition = f"{identity.describe()} is a domain account"
    if isinstance(mine, _Unresolved):
        return Check(condition, source.host, None, mine.outcome, mine.found, mine.remedy)
    if mine is None:
        return Check(condition, source.host, None, FAILED, f"no account has that name on {source.host}", REMEDY)
    authority = str(mine["name"]).partition("\\")[0]
    if authority.lower() == source.computer.lower():
        found = f"it is {mine['name']}, an account of {source.host} itself, which no other node has"
        return Check(condition, source.host, None, FAILED, found, REMEDY)
    if identity.password_sync_at:
        found = (
            f"AnonymousPasswordSync is True at {', '.join(identity.password_sync_at)}: IIS then logs {mine['name']} on "
            "without the stored password, which works for a node's own accounts only"
        )
        return Check(condition, source.host, None, FAILED, found, _PASSWORD_SYNC_REMEDY)
    return Check(condition, source.host, None, PASSED, f"{mine['name']} {mine['sid']}")


def _target_check(target: NodeReport, identity: ReplicatedIdentity, mine: t.Mapping[str, t.Any]) -> Check:
    condition = f"{target.host} resolves {identity.name} to the source's {mine['name']} {mine['sid']}"
    theirs = _lookup(target, identity.name)
    if isinstance(theirs, _Unresolved):
        return Check(condition, target.host, None, theirs.outcome, theirs.found, theirs.remedy)
    if theirs is None:
        return Check(condition, target.host, None, FAILED, f"no account has that name on {target.host}", REMEDY)
    if theirs["sid"] != mine["sid"]:
        found = f"it resolves it to {theirs['name']} {theirs['sid']}, another account"
        return Check(condition, target.host, None, FAILED, found, REMEDY)
    return Check(condition, target.host, None, PASSED, f"{theirs['name']} {theirs['sid']}")
