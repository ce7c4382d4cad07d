"""The metabase ops: ``metabase_get``, ``metabase_set``, ``metabase_delete`` and
``metabase_secret_matches`` (ADSI IIS provider, ``IIS://localhost/<path>``)."""

from __future__ import annotations

import typing as t

from ..windows.errors import E_ADS_PROPERTY_NOT_SUPPORTED, MD_ERROR_DATA_NOT_FOUND, WindowsApiError
from ..windows.metabase import Metabase, Reading
from ..windows.metabase_schema import IIS_FTP_SERVER, IIS_WEB_SERVER, find_property
from ..windows.metabase_types import to_json
from ..windows.stored_secret import StoredSecret, same_secret
from .spec import Arg, ArgType, OpContext, OpSpec

_PATH = Arg("path", ArgType.STR, required=True)
_PROPERTY = Arg("property", ArgType.STR, required=True)


def metabase_get(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    metabase = context.host.open_metabase()
    key = metabase.key(args["path"])
    names = args.get("properties")
    if names is None:
        names = list(key.values)
    properties: dict[str, t.Any] = {}
    for name in names:
        reading = _read(metabase, args["path"], name)
        schema = find_property(name)
        assert schema is not None  # _read fails for a name the schema does not know
        entry: dict[str, t.Any] = {"type": schema.type.value, "secure": schema.secure}
        if reading is None:
            entry["source"] = "unset"
        else:
            entry["source"] = reading.source.value
            if not schema.secure:
                entry["value"] = to_json(schema.type, reading.value)
        properties[schema.name] = entry
    value: dict[str, t.Any] = {"path": key.adsi_path, "key_type": key.key_type, "properties": properties}
    if args["children"]:
        value["children"] = [child.name for child in key.children.values()]
    return value


def metabase_set(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    value = context.secret(args["secret"]) if "secret" in args else args["value"]
    context.host.open_metabase().write(args["path"], args["property"], value)


def metabase_delete(context: OpContext, args: t.Mapping[str, t.Any]) -> None:
    context.host.open_metabase().clear(args["path"], args["property"])


def metabase_secret_matches(context: OpContext, args: t.Mapping[str, t.Any]) -> bool:
    reading = _read(context.host.open_metabase(), args["path"], args["property"])
    if reading is None or not isinstance(reading.value, (str, StoredSecret)):
        return False
    # Ordinal, case-sensitive, as String.Equals compares on the host.
    return same_secret(reading.value, context.secret(args["secret"]))


def metabase_data_paths(context: OpContext, args: t.Mapping[str, t.Any]) -> list[str]:
    """GetDataPaths: the keys at or below ``path`` that set ``property`` themselves; none is an
    empty list (GetDataPaths' MD_ERROR_DATA_NOT_FOUND)."""
    metabase = context.host.open_metabase()
    schema = find_property(args["property"])
    if schema is None:
        raise WindowsApiError(E_ADS_PROPERTY_NOT_SUPPORTED, args["property"])
    return [key.adsi_path for key in metabase.keys(args["path"]) if schema.name in key.values]


def metabase_applications_get(context: OpContext, args: t.Mapping[str, t.Any]) -> list[dict[str, t.Any]]:
    """The application roots at or below ``path`` (keys that set AppIsolated), with their
    isolation and COM+ package, as synciwam.vbs collects them."""
    metabase = context.host.open_metabase()
    return [
        {
            "path": key.adsi_path,
            "app_isolated": key.values["AppIsolated"],
            "app_package_id": key.values.get("AppPackageID"),
        }
        for key in metabase.keys(args["path"])
        if "AppIsolated" in key.values
    ]


def metabase_sites_get(context: OpContext, args: t.Mapping[str, t.Any]) -> list[dict[str, t.Any]]:
    """The sites of a service (its IIsWebServer or IIsFtpServer keys) with their ServerComment."""
    service = context.host.open_metabase().key(args["service"])
    return [
        {"path": child.adsi_path, "server_comment": child.values.get("ServerComment")}
        for child in service.children.values()
        if child.key_type in (IIS_WEB_SERVER, IIS_FTP_SERVER)
    ]


def _read(metabase: Metabase, path: str, name: str) -> Reading | None:
    """The property's reading, or None when it has no value at ``path`` nor above
    (GetPropertyAttribObj answers MD_ERROR_DATA_NOT_FOUND: the contract's ``source: unset``)."""
    try:
        return metabase.read(path, name)
    except WindowsApiError as error:
        if error.error is MD_ERROR_DATA_NOT_FOUND:
            return None
        raise


OPS = (
    OpSpec(
        "metabase_get",
        write=False,
        args=(_PATH, Arg("properties", ArgType.STR_LIST), Arg("children", ArgType.BOOL, default=False)),
        run=metabase_get,
    ),
    OpSpec(
        "metabase_set",
        write=True,
        args=(_PATH, _PROPERTY, Arg("value", ArgType.ANY), Arg("secret", ArgType.SECRET)),
        run=metabase_set,
        exactly_one_of=(("value", "secret"),),
    ),
    OpSpec("metabase_delete", write=True, args=(_PATH, _PROPERTY), run=metabase_delete),
    OpSpec(
        "metabase_secret_matches",
        write=False,
        args=(_PATH, _PROPERTY, Arg("secret", ArgType.SECRET, required=True)),
        run=metabase_secret_matches,
    ),
    OpSpec("metabase_data_paths", write=False, args=(_PATH, _PROPERTY), run=metabase_data_paths),
    OpSpec("metabase_applications_get", write=False, args=(_PATH,), run=metabase_applications_get),
    OpSpec("metabase_sites_get", write=False, args=(Arg("service", ArgType.STR, required=True),), run=metabase_sites_get),
)
