"""Web Deploy: ``web_deploy_info`` (the product and its services on this node),
``web_deploy_preview`` and ``web_deploy_sync`` (this node the source, ``computer`` the target:
:mod:`iis_lab.windows.web_deploy`).

The API runs in the module's own process on the source: without Web Deploy there,
Microsoft.Web.Deployment.dll cannot load and the op fails with FileNotFoundException's HRESULT,
0x80070002 (COR_E_FILENOTFOUND, "FileNotFoundException Class", learn.microsoft.com/dotnet/api/system.io.filenotfoundexception),
as a missing Microsoft.Web.Administration.dll does. Every other failure is Web Deploy's, in the
value's ``errors``.
"""

from __future__ import annotations

import datetime
import typing as t

from ..windows.errors import FILE_NOT_FOUND, INVALID_PARAMETER, WindowsApiError
from ..windows.web_deploy import PROVIDERS, Caller, synchronize
from ..windows.web_deploy_install import NOT_INSTALLED
from .spec import Arg, ArgType, OpContext, OpSpec


def web_deploy_info(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    iis = context.host.iis
    return (NOT_INSTALLED if iis is None else iis.web_deploy).as_info()


def _run(context: OpContext, args: t.Mapping[str, t.Any], *, write: bool) -> dict[str, t.Any]:
    host = context.host
    if host.iis is None or not host.iis.web_deploy.installed:
        raise WindowsApiError(FILE_NOT_FOUND, f"Microsoft.Web.Deployment is not installed on {host.name}")
    if args["provider"] not in PROVIDERS:
        # DeploymentManager knows no such provider factory: a call the contract does not allow.
        raise WindowsApiError(INVALID_PARAMETER, f"provider must be one of {', '.join(PROVIDERS)}")
    summary = synchronize(
        host,
        args["computer"],
        context.network.resolve(args["computer"]),
        Caller(context.account, context.network_credentials),
        args["provider"],
        args.get("site"),
        args.get("skip") or [],
        bool(args.get("encrypt_secret") and context.secret(args["encrypt_secret"])),
        write=write,
        now=datetime.datetime.now(datetime.timezone.utc),
    )
    return summary.as_value()


def web_deploy_preview(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    return _run(context, args, write=False)


def web_deploy_sync(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    return _run(context, args, write=True)


_ARGS = (
    Arg("computer", ArgType.STR, required=True),
    Arg("provider", ArgType.STR, required=True),
    Arg("site", ArgType.STR),
    Arg("skip", ArgType.STR_LIST),
    Arg("encrypt_secret", ArgType.SECRET),
)

OPS = (
    OpSpec("web_deploy_info", write=False, args=(), run=web_deploy_info),
    OpSpec("web_deploy_preview", write=False, args=_ARGS, run=web_deploy_preview, reaches_other_hosts=True),
    OpSpec("web_deploy_sync", write=True, args=_ARGS, run=web_deploy_sync, reaches_other_hosts=True),
)
