"""Shared Configuration on an IIS 7+ node: ``shared_config_get``, ``shared_config_export``
(Export-IISConfiguration), ``shared_config_enable`` (Enable-IISSharedConfig),
``shared_config_disable`` (Disable-IISSharedConfig -CopyRemoteConfigToLocalFiles)
(:mod:`~iis_lab.windows.shared_config`)."""

from __future__ import annotations

import typing as t

from ..windows import shared_config
from ..windows.errors import FILE_NOT_FOUND, WindowsApiError
from ..windows.security import require_administrator
from ..windows.was import IisServer, apply_configuration
from .spec import Arg, ArgType, OpContext, OpSpec


def _iis(context: OpContext) -> IisServer:
    host = context.host
    if host.iis is None:
        raise WindowsApiError(FILE_NOT_FOUND, f"{host.name} has no IIS 7+ (IISAdministration)")
    return host.iis


def shared_config_get(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    iis = _iis(context)
    redirection = iis.redirection
    error = shared_config.decrypt_error(iis.config)
    return {
        "enabled": redirection.enabled,
        "path": redirection.path,
        "user_name": redirection.user_name,
        "password_matches": (
            None
            if "secret" not in args or redirection.password is None
            else shared_config.password_matches(redirection, iis.local.keys, context.secret(args["secret"]))
        ),
        "decrypt_error": None if error is None else {"code": error.code, "message": error.message},
        # Offline Files can only cache the path redirection.config names.
        "offline_files": redirection.enabled and context.host.offline_files,
    }


def shared_config_export(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    iis = _iis(context)
    # Reading the configuration keys takes an administrator of this node.
    require_administrator(context.host, context.account)
    shared_config.export(
        iis.config,
        context.network.resolve,
        args["path"],
        context.secret(args["key_secret"]),
        context.account,
        context.network_credentials,
    )


def shared_config_enable(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    iis = _iis(context)
    require_administrator(context.host, context.account)
    shared_config.enable(
        context.host,
        iis.redirection,
        iis.local.keys,
        context.network.resolve,
        args["path"],
        args["user"],
        context.secret(args["secret"]),
        context.secret(args["key_secret"]),
    )
    # WAS now runs the shared configuration: new pools start, changed ones recycle.
    apply_configuration(context.host, iis)


def shared_config_disable(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    iis = _iis(context)
    require_administrator(context.host, context.account)
    iis.local = shared_config.disable(context.host, iis.redirection, iis.local, keep_keys=bool(args.get("keep_keys")))
    apply_configuration(context.host, iis)


OPS = (
    OpSpec("shared_config_get", write=False, args=(Arg("secret", ArgType.SECRET),), run=shared_config_get),
    OpSpec(
        "shared_config_export",
        write=True,
        args=(Arg("path", ArgType.STR, required=True), Arg("key_secret", ArgType.SECRET, required=True)),
        run=shared_config_export,
        reaches_other_hosts=True,
    ),
    OpSpec(
        "shared_config_enable",
        write=True,
        args=(
            Arg("path", ArgType.STR, required=True),
            Arg("user", ArgType.STR, required=True),
            Arg("secret", ArgType.SECRET, required=True),
            Arg("key_secret", ArgType.SECRET, required=True),
        ),
        run=shared_config_enable,
        reaches_other_hosts=True,
    ),
    OpSpec("shared_config_disable", write=True, args=(Arg("keep_keys", ArgType.BOOL),), run=shared_config_disable),
)
