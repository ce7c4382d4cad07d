# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converging sites' anonymous identity on a node (KB Q249603 step 6): one query and, when
something changes, one apply, for one site (``anonymous_identity``) or several
(``anonymous_identities``, the web and the FTP site of the step the ``anonymous_identity`` role
runs).

This is for internal collection use only; the API may change at any time.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ._changes import Change, instructions_of, render_diff
from ._iis_identity import (
    ANONYMOUS_PROPERTIES,
    OVERRIDES_INHERIT,
    logon_problem,
    overrides_below,
    plan_overrides,
    site_path,
    stale_overrides,
)
from ._metabase import SECRET_REF, DesiredProperty, PropertyState, metabase_path, normalize_path, plan_property, predicted
from ._metabase_backup import BACKUP_LIST, BackupFirst
from ._node_session import Instruction, NodeSession, Outcome

# HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND): the service's metabase key does not exist.
_PATH_NOT_FOUND = 0x80070003


@dataclasses.dataclass(frozen=True)
class SiteRequest:
    """One site whose anonymous user to set: ``site`` by number or name, of ``service``, at
    ``below`` (a path under the site) if given; ``skip_missing_service`` answers "not installed"
    instead of failing where the service is not installed."""

    site: str
    service: str
    below: str | None = None
    skip_missing_service: bool = False

    @property
    def numbered(self) -> bool:
        return self.site.isascii() and self.site.isdigit()


@dataclasses.dataclass(frozen=True)
class Identity:
    """What every site's anonymous user becomes: ``user`` with the password in the secrets under
    :data:`SECRET_REF`, what to do with ``overrides`` below each site, whether to ``verify`` that
    an anonymous request logs on, and the ``backup`` made before the first change."""

    user: str
    password: str
    overrides: str
    verify: bool
    backup: BackupFirst | None


@dataclasses.dataclass
class _Site:
    """A site's path and, once its query is answered, its plan."""

    request: SiteRequest
    path: str
    lead: list[Instruction]
    current: dict[str, PropertyState] = dataclasses.field(default_factory=dict)
    property_changes: dict[str, list[Change]] = dataclasses.field(default_factory=dict)
    changes: list[Change] = dataclasses.field(default_factory=list)
    overrides: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    override_checks: list[Instruction] = dataclasses.field(default_factory=list)
    logon: t.Mapping[str, t.Any] = dataclasses.field(default_factory=dict)
    override_logons: list[t.Any] = dataclasses.field(default_factory=list)

    @property
    def check(self) -> Instruction:
        return Instruction("anonymous_logon_check", {"path": self.path})

    def query(self, user: str) -> list[Instruction]:
        # The proof: the logon IIS will make with the new user and password at this key, made
        # before anything is written, so that a refusal leaves the site logging on as before.
        proof = Instruction("anonymous_logon_check", {"path": self.path, "user": user, "secret": SECRET_REF})
        return [
            *holding_query(self.path),
            *(Instruction("metabase_data_paths", {"path": self.path, "property": name}) for name in ANONYMOUS_PROPERTIES),
            self.check,
            proof,
        ]


def holding_query(path: str) -> list[Instruction]:
    """What a node answers about the anonymous identity at ``path`` (the password under
    :data:`SECRET_REF`): the properties, and whether the password is the one given."""
    return [
        Instruction("metabase_get", {"path": path, "properties": list(ANONYMOUS_PROPERTIES)}),
        Instruction("metabase_secret_matches", {"path": path, "property": "AnonymousUserPass", "secret": SECRET_REF}),
    ]


def holds_identity(path: str, user: str, answers: t.Sequence[t.Any]) -> bool:
    """Whether the node whose ``holding_query`` answered ``answers`` holds at ``path`` the
    anonymous identity step 6 sets (``user``, the password given, password sync off), so that
    step 6 would change nothing there."""
    report, password_matches = answers
    current = {name: PropertyState.from_report(name, entry) for name, entry in report["properties"].items()}
    return not any(
        plan_property(wanted, current[name], secret_matches=password_matches)
        for name, wanted in _desired(path, user).items()
    )


def _desired(path: str, user: str) -> dict[str, DesiredProperty]:
    """The anonymous identity step 6 sets at ``path``."""
    return {
        "AnonymousUserName": DesiredProperty(path, "AnonymousUserName", value=user),
        "AnonymousUserPass": DesiredProperty(path, "AnonymousUserPass", secret=True),
        # IIS can sync the password of the node's own accounts only (legacy-iis.md).
        "AnonymousPasswordSync": DesiredProperty(path, "AnonymousPasswordSync", value=False),
    }


def converge_sites(
    session: NodeSession, requests: t.Sequence[SiteRequest], identity: Identity, *, check_mode: bool, diff_mode: bool
) -> list[dict[str, t.Any]]:
    """Each site's result, in order (a skipped one where its service is not installed), or only
    the refusal when a site's proof fails: every site read in one execution (a site given by name
    needs its service's site list first, in one more), any refusal found before anything is
    written, every change in one more execution, after the backup, made at most once."""
    secrets = {SECRET_REF: identity.password}
    results: dict[int, dict[str, t.Any]] = {}
    sites: dict[int, _Site] = {}
    named = list(dict.fromkeys(request.service for request in requests if not request.numbered))
    listed = (
        dict(zip(named, session.run([_listing(service) for service in named], stop_on_error=False))) if named else {}
    )
    for index, request in enumerate(requests):
        listing = None
        if not request.numbered:
            if request.skip_missing_service and _not_installed(listed[request.service]):
                results[index] = _missing(request, session.host)
                continue
            (listing,) = session.checked([listed[request.service]])
        path = site_path(request.service, request.site, listing)
        if request.below:
            path = f"{path}/{normalize_path(request.below)}"
        # A site given by number needs no listing first: whether the service is installed is then
        # asked at the head of its query, whose other answers are not read when it is not.
        lead = [_listing(request.service)] if request.skip_missing_service and request.numbered else []
        sites[index] = _Site(request, path, lead)

    queries = {index: [*site.lead, *site.query(identity.user)] for index, site in sites.items()}
    wants_backups = identity.backup is not None and bool(sites)
    batch = [instruction for query in queries.values() for instruction in query]
    outcomes = (
        session.run([*batch, *([BACKUP_LIST] if wants_backups else [])], secrets, stop_on_error=False) if sites else []
    )
    backups = session.checked(outcomes[len(batch) :])[0] if wants_backups else []
    for index, site in list(sites.items()):
        answered, outcomes = outcomes[: len(queries[index])], outcomes[len(queries[index]) :]
        if site.lead and _not_installed(answered[0]):
            results[index] = _missing(site.request, session.host)
            del sites[index]
            continue
        refusal = _plan(site, session.checked(answered[len(site.lead) :]), identity, session.host, check_mode)
        if refusal is not None:
            return [refusal]

    changed = [site for site in sites.values() if site.changes]
    backup_first = identity.backup.instructions(backups) if identity.backup and changed else []
    made = identity.backup.planned() if identity.backup and backup_first else None
    if changed and not check_mode:
        # The backup goes first in the batch that writes: if it fails, nothing is written.
        checks = [instruction for site in changed for instruction in (site.check, *site.override_checks)]
        applied = session.values(
            [*backup_first, *instructions_of([c for site in changed for c in site.changes]), *checks], secrets
        )
        made = applied[0] if backup_first else None
        answers = applied[len(applied) - len(checks) :]
        for site in changed:
            site.logon, *site.override_logons = answers[: 1 + len(site.override_checks)]
            answers = answers[1 + len(site.override_checks) :]
    # Overrides left in place on a site not written keep their own anonymous logon: read how it fares.
    unread = [site for site in sites.values() if site.override_checks and not (site.changes and not check_mode)]
    if unread:
        answers = session.values([instruction for site in unread for instruction in site.override_checks])
        for site in unread:
            site.override_logons, answers = answers[: len(site.override_checks)], answers[len(site.override_checks) :]

    for index, site in sites.items():
        results[index] = _result(site, identity, session.host, check_mode, diff_mode)
        # The backup is told by the first site it was made for, as when each site had a task.
        if made is not None and site.changes:
            results[index]["backup"], made = made, None
    return [results[index] for index in range(len(requests))]


def _plan(
    site: _Site, answers: list[t.Any], identity: Identity, host: str, check_mode: bool
) -> dict[str, t.Any] | None:
    """Plan ``site`` from its query's ``answers``; the failed result when its proof refuses."""
    report, password_matches, *data_paths, logon, proven = answers
    refused = logon_problem(proven, password="the password given")
    # In check mode the earlier steps changed nothing either (the account may not exist yet):
    # the refusal is told in the result, not final.
    if refused is not None and identity.verify and not check_mode:
        return {
            "changed": False,
            "failed": True,
            "path": site.path,
            "metabase_path": metabase_path(site.path),
            "user": identity.user,
            "anonymous_logon": _logon_result(proven, refused),
            "msg": f"anonymous requests to {metabase_path(site.path)} on {host} would not log on: {refused}; "
            "nothing was changed",
        }
    site.current = {name: PropertyState.from_report(name, entry) for name, entry in report["properties"].items()}
    wanted = _desired(site.path, identity.user)
    site.property_changes = {
        name: plan_property(wanted[name], site.current[name], secret_matches=password_matches)
        for name in ANONYMOUS_PROPERTIES
    }
    site.overrides = overrides_below(site.path, dict(zip(ANONYMOUS_PROPERTIES, data_paths)))
    site.changes = [change for name in ANONYMOUS_PROPERTIES for change in site.property_changes[name]]
    site.changes += plan_overrides(site.overrides, identity.overrides)
    # Overrides left in place (report mode) keep their own anonymous logon: read how it fares.
    kept = [] if identity.overrides == OVERRIDES_INHERIT else list(site.overrides)
    site.override_checks = [Instruction("anonymous_logon_check", {"path": key}) for key in kept]
    # Until a write reads it back: the logon as it is, or in check mode as the proof found it.
    site.logon = proven if site.changes else logon
    return None


def _result(site: _Site, identity: Identity, host: str, check_mode: bool, diff_mode: bool) -> dict[str, t.Any]:
    after = {name: predicted(site.property_changes[name], site.current[name], None) for name in ANONYMOUS_PROPERTIES}
    problem = logon_problem(site.logon)
    stale = stale_overrides(site.override_logons)
    result: dict[str, t.Any] = {
        "changed": bool(site.changes),
        "path": site.path,
        "metabase_path": metabase_path(site.path),
        "user": identity.user,
        "before": {name: state.as_result() for name, state in site.current.items()},
        "after": {name: state.as_result() for name, state in after.items()},
        "overrides": [{"path": key, "properties": names} for key, names in site.overrides.items()],
        "overrides_removed": bool(site.overrides) and identity.overrides == OVERRIDES_INHERIT,
        "stale_overrides": stale,
        "anonymous_logon": _logon_result(site.logon, problem),
    }
    if stale:
        result["warnings"] = [
            f"anonymous requests to /LM/{entry['path']} on {host} do not log on: {entry['problem']}; "
            "that key overrides the site's anonymous identity: set overrides=inherit to clear it"
            for entry in stale
        ]
    if diff_mode:
        result["diff"] = render_diff(site.changes, f"{host}:{metabase_path(site.path)}")
    if identity.verify and not check_mode and problem is not None:
        result["failed"] = True
        result["msg"] = f"anonymous requests to {metabase_path(site.path)} on {host} would not log on: {problem}"
    return result


def _listing(service: str) -> Instruction:
    return Instruction("metabase_sites_get", {"service": service})


def _missing(request: SiteRequest, host: str) -> dict[str, t.Any]:
    return {"changed": False, "skipped": True, "msg": f"{request.service} is not installed on {host}"}


def _not_installed(listed: Outcome) -> bool:
    """Whether ``metabase_sites_get`` found no key for the service: it is not installed."""
    return listed.status != "ok" and listed.error_code == _PATH_NOT_FOUND


def _logon_result(logon: t.Mapping[str, t.Any], problem: str | None) -> dict[str, t.Any]:
    return {
        "account": logon.get("account"),
        "logon_method": logon["logon_method"],
        "works": problem is None,
        "problem": problem,
    }
