r"""The IIS 7-10 ops: applicationHost.config through Microsoft.Web.Administration
(``web_config_*``), and the sites and application pools WAS runs (``iis_sites_get``,
``app_pools_get``, ``app_pool_identity_set``, ``app_pool_recycle``).

On a host without IIS 7+, %windir%\system32\inetsrv\Microsoft.Web.Administration.dll does not
exist: loading it fails with FileNotFoundException, HRESULT 0x80070002 (COR_E_FILENOTFOUND).
"""

from __future__ import annotations

import typing as t

from ..windows.apphost_schema import IDENTITY_TYPES, POOL_LOGON_TYPES
from ..windows.config_encryption import encrypt, provider_for
from ..windows.errors import FILE_NOT_FOUND, INVALID_PARAMETER, ErrorCode, WindowsApiError
from ..windows.security import require_administrator
from ..windows.shared_config import require_access
from ..windows.stored_secret import same_secret
from ..windows.was import (
    POOLS,
    SITES,
    STARTED,
    IisServer,
    application_element,
    apply_configuration,
    pool_element,
    process_model,
    remember_configuration,
    site_element,
    start_pool,
)
from .spec import Arg, ArgType, OpContext, OpSpec


def server(context: OpContext, *, write: bool = False) -> IisServer:
    """IIS on the op's host, once Microsoft.Web.Administration can read its configuration (and,
    with ``write``, commit to it): every op reaches the configuration through this, then
    ``.config`` (:class:`~iis_lab.windows.was.IisServer`). Under Shared Configuration the file is
    on a share: read as the reader, written as the caller (:mod:`~iis_lab.windows.shared_config`)."""
    host = context.host
    if host.iis is None:
        raise WindowsApiError(FILE_NOT_FOUND, f"{host.name} has no IIS 7+ (Microsoft.Web.Administration)")
    if write:
        # applicationHost.config is writable by Administrators and SYSTEM only.
        require_administrator(host, context.account)
    iis = host.iis
    require_access(
        host, iis.redirection, iis.local.keys, context.account, context.network_credentials, write=write
    )
    return iis


def web_config_get(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    config = server(context).config
    location = args.get("location") or ""
    readings = config.get(args["section"], location, args.get("element"), args.get("attributes"))
    if readings is None:
        return None
    return {
        "section": args["section"],
        "location": location,
        "element": args.get("element") or "",
        "override_allowed": config.override_allowed(args["section"], location),
        "attributes": [
            {"name": reading.name, "value": reading.value, "origin": reading.origin, "encrypted": reading.encrypted}
            for reading in readings
        ],
    }


def web_config_set(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    value = context.secret(args["secret"]) if "secret" in args else args["value"]
    iis = server(context, write=True)
    iis.config.set(args["section"], args.get("location") or "", args.get("element"), args["attribute"], value)
    apply_configuration(context.host, iis)


def web_config_clear(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    iis = server(context, write=True)
    iis.config.clear(args["section"], args.get("location") or "", args.get("element"), args["attribute"])
    apply_configuration(context.host, iis)


def web_config_secret_matches(context: OpContext, args: t.Mapping[str, t.Any]) -> bool:
    """Decrypts the attribute in effect on the node and compares it with the secret; the clear
    text never leaves (NTE_BAD_DATA when this machine cannot decrypt it)."""
    held = server(context).config.clear_text(
        args["section"], args.get("location") or "", args.get("element"), args["attribute"]
    )
    return same_secret(held or "", context.secret(args["secret"]))


def web_config_element_add(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    iis = server(context, write=True)
    iis.config.add_item(
        args["section"], args.get("location") or "", args.get("element"), args["item"], args["attributes"]
    )
    apply_configuration(context.host, iis)


def web_config_element_remove(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    iis = server(context, write=True)
    iis.config.remove_item(args["section"], args.get("location") or "", args["element"])
    apply_configuration(context.host, iis)


def iis_sites_get(context: OpContext, args: t.Mapping[str, t.Any]) -> list[dict[str, t.Any]]:
    iis = server(context)
    sites = []
    for name in iis.site_names():
        site = site_element(name)
        [site_id] = t.cast(list, iis.config.get(SITES, "", site, ["id"]))
        applications = []
        for path in iis.application_paths(name):
            [pool] = t.cast(list, iis.config.get(SITES, "", f"{site}/{application_element(path)}", ["applicationPool"]))
            applications.append({"path": path, "pool": pool.value or ""})
        sites.append(
            {
                "name": name,
                "id": int(site_id.value or 0),
                "state": iis.site_states.get(name, "Stopped"),
                "applications": applications,
            }
        )
    return sites


def app_pools_get(context: OpContext, args: t.Mapping[str, t.Any]) -> list[dict[str, t.Any]]:
    iis = server(context)
    wanted = {name.casefold() for name in args["names"]} if args.get("names") else None
    pools = []
    for name in iis.pool_names():
        if wanted is not None and name.casefold() not in wanted:
            continue
        model = process_model(iis, name)
        # Telling whether a password is stored decrypts it (never shown): another machine's
        # ciphertext fails here with NTE_BAD_DATA.
        password = iis.config.clear_text(POOLS, "", f"{pool_element(name)}/processModel", "password")
        pools.append(
            {
                "name": name,
                "state": iis.pool_states.get(name, "Stopped"),
                "identity_type": model["identityType"].value,
                "user_name": model["userName"].value or None,
                "logon_type": model["logonType"].value,
                "manual_group_membership": model["manualGroupMembership"].value == "true",
                "password_set": bool(password),
            }
        )
    return pools


_IDENTITY_ATTRIBUTES = ("identityType", "userName", "password", "logonType")


def app_pool_identity_set(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """processModel's identity in one commit; then, with recycle, a start of the worker, and
    on failure the previous attributes put back (one commit) and the pool started again."""
    iis = server(context, write=True)
    name = args["name"]
    identity_type = _choice(args["identity_type"], IDENTITY_TYPES, "identity_type")
    logon_type = _choice(args["logon_type"], POOL_LOGON_TYPES, "logon_type") if args.get("logon_type") else None
    gmsa = str(args.get("user", "")).endswith("$")
    if identity_type == "SpecificUser" and not args.get("user"):
        raise WindowsApiError(INVALID_PARAMETER, "SpecificUser needs user")
    if identity_type == "SpecificUser" and gmsa == ("secret" in args):
        raise WindowsApiError(INVALID_PARAMETER, "a gMSA takes no secret, any other user one")
    if identity_type != "SpecificUser" and ("user" in args or "secret" in args):
        raise WindowsApiError(INVALID_PARAMETER, "user and secret go with SpecificUser only")
    element = f"{pool_element(name)}/processModel"
    # What the pool's own processModel element holds (not what it inherits), to put back as it was.
    previous = {
        attribute: reading.raw if reading.origin == "set" else None
        for attribute, reading in process_model(iis, name).items()
        if attribute in _IDENTITY_ATTRIBUTES
    }
    # An attribute the identity does not use goes: a built-in identity's user and password, a
    # gMSA's password.
    wanted: dict[str, str | None] = {"identityType": identity_type, "userName": None, "password": None}
    if identity_type == "SpecificUser":
        wanted["userName"] = args["user"]
        if not gmsa:
            wanted["password"] = encrypt(iis.config.keys, provider_for(POOLS), context.secret(args["secret"]))
    if logon_type is not None:
        wanted["logonType"] = logon_type
    _commit(iis, element, wanted)
    if args.get("recycle") is False:
        # The op does not wait; WAS still follows the change (a started pool recycles).
        apply_configuration(context.host, iis)
        return {"state": iis.pool_states.get(name, "Stopped"), "start_error": None, "restored": False}
    error = start_pool(context.host, iis, name)
    if error is not None:
        _commit(iis, element, previous)
        start_pool(context.host, iis, name)
    remember_configuration(iis)
    if error is None:
        return {"state": STARTED, "start_error": None, "restored": False}
    return {"state": iis.pool_states[name], "start_error": _error(error), "restored": True}


def app_pool_recycle(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    # Starting a worker needs an administrator, and writes no configuration.
    require_administrator(context.host, context.account)
    iis = server(context)
    process_model(iis, args["name"])
    error = start_pool(context.host, iis, args["name"])
    remember_configuration(iis)
    return {"state": iis.pool_states[args["name"]], "start_error": _error(error), "restored": False}


def _commit(iis: IisServer, element: str, attributes: t.Mapping[str, str | None]) -> None:
    """Attributes as the file will hold them (ciphertext included; None: not set here)."""
    for attribute, raw in attributes.items():
        if raw is None:
            iis.config.clear(POOLS, "", element, attribute)
        elif attribute == "password":
            iis.config.set_raw(POOLS, "", element, attribute, raw)
        else:
            iis.config.set(POOLS, "", element, attribute, raw)


def _choice(value: str, choices: t.Sequence[str], name: str) -> str:
    if value not in choices:
        raise WindowsApiError(INVALID_PARAMETER, f"{name} {value!r}: one of {', '.join(choices)}")
    return value


def _error(error: ErrorCode | None) -> dict[str, t.Any] | None:
    return None if error is None else {"code": error.code, "message": error.message}


_SECTION = Arg("section", ArgType.STR, required=True)
_LOCATION = Arg("location", ArgType.STR)
_ELEMENT = Arg("element", ArgType.STR)
_ATTRIBUTE = Arg("attribute", ArgType.STR, required=True)

OPS = (
    OpSpec(
        "web_config_get",
        write=False,
        args=(_SECTION, _LOCATION, _ELEMENT, Arg("attributes", ArgType.STR_LIST)),
        run=web_config_get,
    ),
    OpSpec(
        "web_config_set",
        write=True,
        args=(_SECTION, _LOCATION, _ELEMENT, _ATTRIBUTE, Arg("value", ArgType.STR), Arg("secret", ArgType.SECRET)),
        run=web_config_set,
        exactly_one_of=(("value", "secret"),),
    ),
    OpSpec("web_config_clear", write=True, args=(_SECTION, _LOCATION, _ELEMENT, _ATTRIBUTE), run=web_config_clear),
    OpSpec(
        "web_config_secret_matches",
        write=False,
        args=(_SECTION, _LOCATION, _ELEMENT, _ATTRIBUTE, Arg("secret", ArgType.SECRET, required=True)),
        run=web_config_secret_matches,
    ),
    OpSpec(
        "web_config_element_add",
        write=True,
        args=(
            _SECTION,
            _LOCATION,
            _ELEMENT,
            Arg("item", ArgType.STR, required=True),
            Arg("attributes", ArgType.ANY, required=True),
        ),
        run=web_config_element_add,
    ),
    OpSpec(
        "web_config_element_remove",
        write=True,
        args=(_SECTION, _LOCATION, Arg("element", ArgType.STR, required=True)),
        run=web_config_element_remove,
    ),
    OpSpec("iis_sites_get", write=False, args=(), run=iis_sites_get),
    OpSpec("app_pools_get", write=False, args=(Arg("names", ArgType.STR_LIST),), run=app_pools_get),
    OpSpec(
        "app_pool_identity_set",
        write=True,
        args=(
            Arg("name", ArgType.STR, required=True),
            Arg("identity_type", ArgType.STR, required=True),
            Arg("user", ArgType.STR),
            Arg("secret", ArgType.SECRET),
            Arg("logon_type", ArgType.STR),
            Arg("recycle", ArgType.BOOL),
        ),
        run=app_pool_identity_set,
    ),
    OpSpec("app_pool_recycle", write=True, args=(Arg("name", ArgType.STR, required=True),), run=app_pool_recycle),
)
