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

# LogonUser's errors for an anonymous logon, as the reason an operator acts on.
_ERROR_LOGON_FAILURE = 1326
_ERROR_ACCOUNT_DISABLED = 1331
_ERROR_LOGON_TYPE_NOT_GRANTED = 1385
# The right each LogonMethod's logon type needs (MD_LOGON_INTERACTIVE, _BATCH, _NETWORK, _NETWORK_CLEARTEXT).
_RIGHT_OF_LOGON_METHOD = {
    0: ("SeInteractiveLogonRight", "Log on locally"),
    1: ("SeBatchLogonRight", "Log on as a batch job"),
    2: ("SeNetworkLogonRight", "Access this computer from the network"),
    3: ("SeNetworkLogonRight", "Access this computer from the network"),
}


def site_path(service: str, site: str, sites: t.Sequence[t.Mapping[str, t.Any]] | None) -> str:
    """The metabase path of a site given by number (``1``) or by ServerComment; ``sites`` is
    ``metabase_sites_get`` of the service, needed only for a name."""
    if site.isdigit():
        return f"{service}/{int(site)}"
    for candidate in sites or []:
        if candidate["server_comment"] == site:
            return str(candidate["path"])
    known = ", ".join(f"{entry['server_comment']!r} ({entry['path']})" for entry in sites or []) or "none"
    raise InvalidInput(f"site: no site of {service} has the ServerComment {site!r}; its sites are {known}")


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


def logon_problem(check: t.Mapping[str, t.Any]) -> str | None:
    """Which of the three conditions of an anonymous logon fails, from ``anonymous_logon_check``:
    the account exists, its password is the one the metabase holds, it holds the right the logon
    type needs. None when the logon works."""
    user = check["user"]
    if check["password_sync"]:
        return (
            f"AnonymousPasswordSync is True, so IIS logs {user} on without the stored password, which works for "
            "accounts of the node itself only: set it False for a domain account"
        )
    if not check["exists"]:
        return f"the account {user} does not exist: create it (webfarm.iis_cluster.domain_account) or correct the name"
    error = check["logon_error"]
    if error is None:
        return None
    code = int(error["code"])
    if code == _ERROR_LOGON_FAILURE:
        return f"the password is wrong: AnonymousUserPass does not log {user} on; give the account's password"
    if code == _ERROR_ACCOUNT_DISABLED:
        return f"the account {user} is disabled"
    if code == _ERROR_LOGON_TYPE_NOT_GRANTED:
        right, label = _RIGHT_OF_LOGON_METHOD.get(int(check["logon_method"]), ("", "the logon type's right"))
        return (
            f"{user} does not hold \"{label}\" ({right}), which LogonMethod {check['logon_method']} needs: "
            "grant it (webfarm.iis_cluster.user_right)"
        )
    return describe(code, str(error.get("message", "")))


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
    metabase_changed: bool, packages: t.Sequence[str], catalog: t.Sequence[ComApplication], user: str, secret: str
) -> tuple[list[Change], list[str]]:
    """The COM+ identity changes, and the packages the catalog lacks.

    The applications get the WAM identity again only when needed: when the metabase's WAM
    identity changed in this run (its password may be new, and COM+ cannot be asked for the one
    it holds), or when an application's identity is another account. Then every out-of-process
    application is set, as synciwam.vbs does.
    """
    by_id = {application.id.upper(): application for application in catalog}
    present = [by_id[package.upper()] for package in packages if package.upper() in by_id]
    missing = [package for package in packages if package.upper() not in by_id]
    differs = [app for app in present if (app.identity or "").lower() != user.lower()]
    if not metabase_changed and not differs:
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
