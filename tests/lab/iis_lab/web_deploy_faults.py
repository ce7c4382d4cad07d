"""The faults of the IIS 7-10 era that make Web Deploy fail (the page "Web Deploy error codes",
learn.microsoft.com/iis/publish/troubleshooting-web-deploy/web-deploy-error-codes), each with
the exact code it causes. They name a cluster node running IIS 7+; ``iis-lab fault`` and
:meth:`iis_lab.lab.Lab.change_fault` take them on and drop them as the IIS 5/6 faults
(:mod:`iis_lab.faults`), and a topology may list them under ``faults``.

``target_code`` is the code in a preview's or sync's ``errors`` when the faulty node is the
target; ``source_error`` the op error (a Windows HRESULT) when it is the source, if the fault
matters there. ``checkable``: whether a preview (the preflight) sees it; the preview connects to
the target as a sync does, so every connection fault shows, but a file in use only fails the
write, which what-if does not attempt (Microsoft calls what-if optimistic).

Conditions that are not faults of a node but of the call produce codes too (tests/lab/README.md):
an unknown computer name (ERROR_DESTINATION_INVALID), a caller without network credentials
(ERROR_USER_UNAUTHORIZED), appHostConfig of a site the source lacks (ERROR_SITE_DOES_NOT_EXIST)
or without a site (ERROR_INVALID_PATH), encrypted attributes without ``encrypt_secret`` (no code).
"""

from __future__ import annotations

import dataclasses
import typing as t

from .windows.host import Host
from .windows.was import IisServer
from .windows.accounts import Account
from .windows.web_deploy_install import RUNNING, STOPPED

ERROR_DESTINATION_NOT_REACHABLE = "ERROR_DESTINATION_NOT_REACHABLE"


@dataclasses.dataclass(frozen=True)
class WebDeployFaultKind:
    name: str
    target_code: str | None
    source_error: int | None
    checkable: bool
    apply: t.Callable[[Host], None]
    clear: t.Callable[[Host], None]
    description: str


def _iis(host: Host) -> IisServer:
    if host.iis is None:
        raise LookupError(f"{host.name} does not run IIS 7+: Web Deploy's faults are of IIS 7-10 nodes")
    return host.iis


def _stop_agent(host: Host) -> None:
    if _iis(host).web_deploy.agent_service == RUNNING:
        _iis(host).web_deploy.agent_service = STOPPED


def _start_agent(host: Host) -> None:
    if _iis(host).web_deploy.agent_service == STOPPED:
        _iis(host).web_deploy.agent_service = RUNNING


def _uninstall(host: Host) -> None:
    _iis(host).web_deploy.uninstall()


def _install(host: Host) -> None:
    if not _iis(host).web_deploy.installed:
        _iis(host).web_deploy.install()


def _hold_apphost(host: Host) -> None:
    _iis(host).apphost_in_use = True


def _release_apphost(host: Host) -> None:
    _iis(host).apphost_in_use = False


def _domain_admins_sid(host: Host) -> str:
    group = host.domain.accounts.find("Domain Admins")
    assert group is not None, "dcpromo creates Domain Admins"
    return group.sid


def _administrators(host: Host) -> Account:
    alias = host.aliases.find("Administrators")
    assert alias is not None and host.local_builtin is not None, "a member server has its own Administrators"
    return alias


def _remove_domain_admins(host: Host) -> None:
    _iis(host)
    members = _administrators(host).members
    if _domain_admins_sid(host) in members:
        members.remove(_domain_admins_sid(host))


def _restore_domain_admins(host: Host) -> None:
    _iis(host)
    members = _administrators(host).members
    if _domain_admins_sid(host) not in members:
        members.append(_domain_admins_sid(host))


_KINDS = (
    WebDeployFaultKind(
        "web_deploy_agent_stopped",
        ERROR_DESTINATION_NOT_REACHABLE,
        None,
        True,
        _stop_agent,
        _start_agent,
        "the Web Deployment Agent Service (MsDepSvc) is stopped on the host",
    ),
    WebDeployFaultKind(
        "web_deploy_not_installed",
        ERROR_DESTINATION_NOT_REACHABLE,
        0x80070002,
        True,
        _uninstall,
        _install,
        "Web Deploy is not installed on the host: as a target its agent does not answer; as the source "
        "Microsoft.Web.Deployment cannot load (the op fails with 0x80070002)",
    ),
    WebDeployFaultKind(
        "caller_not_admin",
        "ERROR_USER_NOT_ADMIN",
        None,
        True,
        _remove_domain_admins,
        _restore_domain_admins,
        "Domain Admins is taken out of the host's local Administrators: the domain administrator who "
        "calls is no administrator there",
    ),
    WebDeployFaultKind(
        "apphost_in_use",
        "ERROR_FILE_IN_USE",
        None,
        False,
        _hold_apphost,
        _release_apphost,
        "another process holds the host's applicationHost.config: a sync cannot write it (a preview "
        "does not write, so it cannot see this)",
    ),
)

WEB_DEPLOY_FAULT_KINDS: t.Mapping[str, WebDeployFaultKind] = {kind.name: kind for kind in _KINDS}
"""Every Web Deploy fault kind by name."""
