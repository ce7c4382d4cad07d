# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Decisions about IIS's own identities (KB Q249603 steps 6 and 7): the anonymous user of a
site, the keys below it that override it, whether an anonymous request would log on, and when
the COM+ out-of-process applications need the WAM identity again (what synciwam.vbs does).

This is for internal collection use only; the API may change at any time.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ._changes import Change, Shown
from ._input import InvalidInput
from ._node_session import Instruction
from ._windows_errors import describe

ANONYMOUS_PROPERTIES = ("AnonymousUserName", "AnonymousUserPass", "AnonymousPasswordSync")
SERVICES = ("W3SVC", "MSFTPSVC")
OVERRIDES_REPORT = "report"
OVERRIDES_INHERIT = "inherit"

POOLED_PACKAGE_ID = "{3D14228D-FBE1-11D0-995D-00C04FD919C1}"
"""COM+ "IIS Out-Of-Process Pooled Applications", where every pooled application runs."""
APP_ISOLATED = 1

# LogonUser's errors, as the reason an operator acts on.
_ERROR_LOGON_FAILURE = 1326
_ERROR_ACCOUNT_DISABLED = 1331
_ERROR_LOGON_TYPE_NOT_GRANTED = 1385
# StartApplication's errors when COM cannot log a server application's identity on.
_CO_E_RUNAS_LOGON_FAILURE = 0x8000401A
_HRESULT_LOGON_TYPE_NOT_GRANTED = 0x80070000 | _ERROR_LOGON_TYPE_NOT_GRANTED

LOGON_TYPE_OF_METHOD = {0: "interactive", 1: "batch", 2: "network", 3: "network"}
"""The logon type (``account_logon_check``) of each LogonMethod (MD_LOGON_INTERACTIVE, _BATCH,
_NETWORK, _NETWORK_CLEARTEXT)."""
APPLICATION_LOGON_TYPE = "batch"
"""The logon COM+ makes for a server application's identity."""
# The right each logon type needs.
_RIGHT_OF_LOGON_TYPE = {
    "interactive": ("SeInteractiveLogonRight", "Log on locally"),
    "batch": ("SeBatchLogonRight", "Log on as a batch job"),
    "network": ("SeNetworkLogonRight", "Access this computer from the network"),
    "network_cleartext": ("SeNetworkLogonRight", "Access this computer from the network"),
    "service": ("SeServiceLogonRight", "Log on as a service"),
}


def site_path(service: str, site: str, sites: t.Sequence[t.Mapping[str, t.Any]] | None) -> str:
    """The metabase path of a site given by number (``1``) or by ServerComment; ``sites`` is
    ``metabase_sites_get`` of the service, needed only for a name."""
    if site.isascii() and site.isdigit():
        return f"{service}/{int(site)}"
    for candidate in sites or []:
        if candidate["server_comment"] == site:
            return str(candidate["path"])
    known = ", ".join(f"{entry['server_comment']!r} ({entry['path']})" for entry in sites or []) or "none"
    raise InvalidInput(f"site: no site of {service} has the ServerComment {site!r}; its sites are {known}")


def apphost_sites(service: str, sites: t.Sequence[t.Mapping[str, t.Any]]) -> list[dict[str, t.Any]]:
    """IIS 7-10's sites (``iis_sites_get``) as the metabase names them: ``<service>/<id>`` with
    the site's name as ServerComment, which is how IIS's metabase compatibility maps them; with
    the site's applications (``path``, ``pool``), whose locations and pools steps 6-7 set."""
    return [
        {
            "path": f"{service}/{int(site['id'])}",
            "server_comment": str(site["name"]),
            "applications": [{"path": str(app["path"]), "pool": str(app["pool"])} for app in site["applications"]],
        }
        for site in sites
    ]


def overrides_below(path: str, data_paths: t.Mapping[str, t.Sequence[str]]) -> dict[str, list[str]]:
    """The keys strictly below ``path`` that set an anonymous property themselves, each with
    those properties (IIS Manager's "Inheritance Overrides"), from ``metabase_data_paths``."""
    found: dict[str, list[str]] = {}
    prefix = path.lower() + "/"
    for name in ANONYMOUS_PROPERTIES:
        for key in data_paths.get(name, []):
            if key.lower().startswith(prefix):
                found.setdefault(key, []).append(name)
    return found


def plan_overrides(overrides: t.Mapping[str, t.Sequence[str]], mode: str) -> list[Change]:
    """With ``inherit``, clear every overriding value so that the keys inherit the site's again."""
    if mode != OVERRIDES_INHERIT:
        return []
    return [
        Change(
            f"/LM/{key}/{name}",
            Shown("(set here)"),
            Shown("(inherited)"),
            (Instruction("metabase_delete", {"path": key, "property": name}),),
            secret=name == "AnonymousUserPass",
        )
        for key, names in overrides.items()
        for name in names
    ]


def stale_overrides(checks: t.Sequence[t.Mapping[str, t.Any]]) -> list[dict[str, t.Any]]:
    """The override keys (their ``anonymous_logon_check``) whose anonymous logon fails: each
    with its path, user and why, e.g. an old password of the account set there."""
    return [
        {"path": check["path"], "user": check["user"], "problem": problem}
        for check in checks
        if (problem := logon_problem(check)) is not None
    ]


DOMAIN_CONTROLLER_ROLES = (4, 5)
"""Win32_ComputerSystem.DomainRole of a backup and a primary domain controller."""


def own_accounts_authority(facts: t.Mapping[str, t.Any]) -> str:
    """Whose accounts a node's own account database holds, from its ``host_facts``: the
    domain's on a domain controller (it has no other), the computer's on any other node. IIS's
    password sync sub-authenticator validates against that database only."""
    if facts.get("domain_role") in DOMAIN_CONTROLLER_ROLES and facts.get("domain"):
        return str(facts["domain"])
    return str(facts["name"])


def logon_problem(
    check: t.Mapping[str, t.Any], own_authority: str | None = None, password: str = "AnonymousUserPass"
) -> str | None:
    """Which of the conditions of an anonymous logon fails, from ``anonymous_logon_check``: the
    account exists, its password (``password`` names where it comes from) is the account's, it
    holds the right the logon type needs. With password sync, IIS logs on without the stored
    password, which works only for an account of the node's own database (``own_authority``, see
    :func:`own_accounts_authority`). None when the logon works."""
    user = check["user"]
    error = check["logon_error"]
    if check["password_sync"]:
        authority = str(check.get("account") or "").partition("\\")[0]
        if own_authority is None or authority.upper() != own_authority.upper():
            return (
                f"AnonymousPasswordSync is True, so IIS logs {user} on without the stored password, which works for "
                "accounts of the node itself only: set it False for a domain account"
            )
        if error is None or int(error["code"]) != _ERROR_ACCOUNT_DISABLED:
            return None
    if not check["exists"]:
        return f"the account {user} does not exist: create it (webfarm.iis_cluster.domain_account) or correct the name"
    method = int(check["logon_method"])
    return logon_error_problem(
        user, error, LOGON_TYPE_OF_METHOD.get(method, "network"), password, f"LogonMethod {method}"
    )


def logon_error_problem(
    user: str, error: t.Mapping[str, t.Any] | None, logon_type: str, password: str, needed_by: str
) -> str | None:
    """Why LogonUser refused ``user`` (an ``account_logon_check`` error), as cause and remedy;
    ``password`` names where the password came from, ``needed_by`` what makes that logon."""
    if error is None:
        return None
    code = int(error["code"])
    if code == _ERROR_LOGON_FAILURE:
        return (
            f"the password is wrong: {password} does not log {user} on (1326, or no such account); "
            "give the account's current password"
        )
    if code == _ERROR_ACCOUNT_DISABLED:
        return f"the account {user} is disabled (1331): enable it"
    if code == _ERROR_LOGON_TYPE_NOT_GRANTED:
        right, label = _RIGHT_OF_LOGON_TYPE[logon_type]
        return (
            f'{user} does not hold "{label}" ({right}), which {needed_by} needs (1385): '
            "grant it (webfarm.iis_cluster.user_right)"
        )
    return describe(code, str(error.get("message", "")))


def proof_problem(user: str, error: t.Mapping[str, t.Any] | None, logon_type: str, needed_by: str) -> str | None:
    """Why the password given does not log ``user`` on with ``logon_type`` (the proof made
    before writing it), or None."""
    return logon_error_problem(user, error, logon_type, "the password given", needed_by)


def application_problem(application: t.Mapping[str, t.Any]) -> str | None:
    """Why COM+ cannot start an out-of-process application (``iis_identities_check``), or None."""
    error = application["start_error"]
    if error is None:
        return None
    code = int(error["code"])
    name, identity = application["name"], application["identity"]
    if code == _CO_E_RUNAS_LOGON_FAILURE:
        return (
            f"COM+ cannot log {identity} on with the password it holds for {name!r} (CO_E_RUNAS_LOGON_FAILURE): "
            "set the identity again with the account's password (webfarm.iis_cluster.wam_identity)"
        )
    if code == _HRESULT_LOGON_TYPE_NOT_GRANTED:
        return (
            f'{identity} does not hold "Log on as a batch job" (SeBatchLogonRight), which COM+ needs to start '
            f"{name!r} (0x80070569): grant it (webfarm.iis_cluster.user_right; the node_access step does)"
        )
    return f"COM+ cannot start {name!r}: {describe(code, str(error.get('message', '')))}"


def failing_key_problem(identity: t.Mapping[str, t.Any], own_authority: str) -> str:
    """Why IIS's anonymous logon fails for an identity its node found failing (an entry of
    ``iis_identities_check``'s ``anonymous.identities``). The node judges password sync against
    its own account database; without its facts the controller may take another authority for
    it, and then tells what password sync needs."""
    return (
        logon_problem(identity, own_authority)
        or logon_problem(identity)
        or f"IIS cannot log {identity['user']} on there"
    )


def function_problems(report: t.Mapping[str, t.Any], own_authority: str) -> list[str]:
    """What does not work on a node, from its ``iis_identities_check`` and whose accounts its
    own database holds (:func:`own_accounts_authority`): every key whose anonymous logon fails,
    every out-of-process application that does not start or does not run as WAMUserName."""
    identities = report["anonymous"]["identities"]
    found = [
        f"anonymous requests to /LM/{key['path']} do not log on: "
        + failing_key_problem({**identities[key["identity"]], "user": key["user"]}, own_authority)
        for key in report["anonymous"]["failing"]
    ]
    wam_user = str(report.get("wam_user") or "")
    for application in report["applications"]:
        problem = application_problem(application)
        if problem is not None:
            found.append(problem)
        if wam_user and str(application["identity"]).lower() != wam_user.lower():
            found.append(
                f"COM+ application {application['name']!r} runs as {application['identity']}, not as WAMUserName "
                f"{wam_user}: set it (webfarm.iis_cluster.wam_identity on this node)"
            )
    return found


@dataclasses.dataclass(frozen=True)
class ComApplication:
    """A COM+ application as ``complus_catalog`` reports it."""

    id: str
    name: str
    identity: str | None

    @classmethod
    def from_report(cls, report: t.Mapping[str, t.Any]) -> ComApplication:
        return cls(str(report["id"]), str(report["name"]), report.get("identity"))


def out_of_process_packages(applications: t.Sequence[t.Mapping[str, t.Any]]) -> list[str]:
    """The COM+ packages synciwam.vbs sets: the pooled package, and the package of every
    isolated application (AppIsolated 1) that names one."""
    packages = [POOLED_PACKAGE_ID]
    for application in applications:
        package = application.get("app_package_id")
        if application["app_isolated"] == APP_ISOLATED and package and package.upper() not in (
            known.upper() for known in packages
        ):
            packages.append(package)
    return packages


def plan_resync(
    metabase_changed: bool,
    packages: t.Sequence[str],
    catalog: t.Sequence[ComApplication],
    user: str,
    secret: str,
    failing: t.Collection[str] = (),
) -> tuple[list[Change], list[str]]:
    """The COM+ identity changes, and the packages the catalog lacks.

    The applications get the WAM identity again only when needed: when the metabase's WAM
    identity changes in this run (its password may be new, and COM+ cannot be asked for the one
    it holds), when an application's identity is another account, or when one of them
    (``failing``, application IDs) does not start because COM+ cannot log its identity on: the
    names may agree while the password COM+ holds is an old one. Then every out-of-process
    application is set, as synciwam.vbs does.
    """
    by_id = {application.id.upper(): application for application in catalog}
    present = [by_id[package.upper()] for package in packages if package.upper() in by_id]
    missing = [package for package in packages if package.upper() not in by_id]
    differs = [app for app in present if (app.identity or "").lower() != user.lower()]
    broken = {application_id.upper() for application_id in failing}
    if not metabase_changed and not differs and not any(app.id.upper() in broken for app in present):
        return [], missing
    changes = [
        Change(
            f"COM+ {application.name} identity",
            Shown.value(application.identity),
            Shown.value(user),
            (Instruction("comadmin_application_set_identity", {"id": application.id, "identity": user, "secret": secret}),),
        )
        for application in present
    ]
    return changes, missing
