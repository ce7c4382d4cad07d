"""The slice of IIS 7+'s configuration schema (``inetsrv\\config\\schema\\IIS_schema.xml``) the lab
models: the sections the collection reads and writes, with their attributes' names, types,
enumerations, defaults and which are encrypted, their child elements and collections (item
element, key attributes, the ``*Defaults`` element that holds the collection's defaults).

Facts from IIS_schema.xml as IIS 10 ships it (sectionSchema system.applicationHost/applicationPools,
system.applicationHost/sites (of a site's logFile, the attributes a node's own settings use), system.webServer/security/authentication/anonymousAuthentication);
the per-section ``allowDefinition`` and ``overrideModeDefault`` are not schema but the
``<configSections>`` declarations of applicationHost.config, read from the document itself.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from .errors import INVALID_PARAMETER, WindowsApiError


@dataclasses.dataclass(frozen=True)
class AttributeSchema:
    name: str
    type: str
    """bool, uint, int, string, enum, timeSpan or flags."""
    default: str | None = None
    choices: tuple[str, ...] = ()
    encrypted: bool = False
    key: bool = False
    """isUniqueKey or isCombinedKey: it identifies an item of its collection."""


@dataclasses.dataclass(frozen=True)
class CollectionSchema:
    item: str
    """The addElement: the name of an item's element."""
    item_schema: ElementSchema
    defaults: str | None = None
    """The defaultElement (isCollectionDefault) whose attributes items inherit."""


@dataclasses.dataclass(frozen=True)
class ElementSchema:
    name: str
    attributes: t.Mapping[str, AttributeSchema] = dataclasses.field(default_factory=dict)
    children: t.Mapping[str, ElementSchema] = dataclasses.field(default_factory=dict)
    collection: CollectionSchema | None = None

    def attribute(self, name: str) -> AttributeSchema:
        """The schema of attribute ``name``; an unknown one fails as MWA does (E_INVALIDARG)."""
        schema = self.attributes.get(name)
        if schema is None:
            raise WindowsApiError(INVALID_PARAMETER, f"{self.name} has no attribute {name!r}")
        return schema

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(name for name, attribute in self.attributes.items() if attribute.key)


def _attributes(*attributes: AttributeSchema) -> dict[str, AttributeSchema]:
    return {attribute.name: attribute for attribute in attributes}


def _element(
    name: str,
    *attributes: AttributeSchema,
    children: t.Sequence[ElementSchema] = (),
    collection: CollectionSchema | None = None,
) -> ElementSchema:
    return ElementSchema(name, _attributes(*attributes), {child.name: child for child in children}, collection)


def _unkeyed(schema: ElementSchema, name: str) -> ElementSchema:
    """A collection's defaults element: the item's attributes, none of them a key."""
    attributes = {key: dataclasses.replace(value, key=False) for key, value in schema.attributes.items()}
    return ElementSchema(name, attributes, schema.children)


_BOOL = "bool"
IDENTITY_TYPES = ("LocalSystem", "LocalService", "NetworkService", "SpecificUser", "ApplicationPoolIdentity")
POOL_LOGON_TYPES = ("LogonBatch", "LogonService")
LOGON_METHODS = ("Interactive", "Batch", "Network", "ClearText")

_PROCESS_MODEL = _element(
    "processModel",
    AttributeSchema("identityType", "enum", "ApplicationPoolIdentity", IDENTITY_TYPES),
    AttributeSchema("userName", "string", ""),
    AttributeSchema("password", "string", "", encrypted=True),
    AttributeSchema("loadUserProfile", _BOOL, "false"),
    AttributeSchema("setProfileEnvironment", _BOOL, "true"),
    AttributeSchema("logonType", "enum", "LogonBatch", POOL_LOGON_TYPES),
    AttributeSchema("manualGroupMembership", _BOOL, "false"),
    AttributeSchema("idleTimeout", "timeSpan", "00:20:00"),
    AttributeSchema("maxProcesses", "uint", "1"),
    AttributeSchema("pingingEnabled", _BOOL, "true"),
)
_POOL = _element(
    "add",
    AttributeSchema("name", "string", key=True),
    AttributeSchema("queueLength", "uint", "1000"),
    AttributeSchema("autoStart", _BOOL, "true"),
    AttributeSchema("enable32BitAppOnWin64", _BOOL, "false"),
    AttributeSchema("managedRuntimeVersion", "string", ""),
    AttributeSchema("managedPipelineMode", "enum", "Integrated", ("Integrated", "Classic")),
    AttributeSchema("startMode", "enum", "OnDemand", ("OnDemand", "AlwaysRunning")),
    children=(_PROCESS_MODEL,),
)
APPLICATION_POOLS = _element(
    "applicationPools",
    children=(_unkeyed(_POOL, "applicationPoolDefaults"),),
    collection=CollectionSchema("add", _POOL, "applicationPoolDefaults"),
)

_VIRTUAL_DIRECTORY = _element(
    "virtualDirectory",
    AttributeSchema("path", "string", key=True),
    AttributeSchema("physicalPath", "string", ""),
    AttributeSchema("userName", "string", ""),
    AttributeSchema("password", "string", "", encrypted=True),
    AttributeSchema("logonMethod", "enum", "ClearText", LOGON_METHODS),
    AttributeSchema("allowSubDirConfig", _BOOL, "true"),
)
_APPLICATION = _element(
    "application",
    AttributeSchema("path", "string", key=True),
    AttributeSchema("applicationPool", "string", ""),
    AttributeSchema("enabledProtocols", "string", "http"),
    AttributeSchema("preloadEnabled", _BOOL, "false"),
    children=(_unkeyed(_VIRTUAL_DIRECTORY, "virtualDirectoryDefaults"),),
    collection=CollectionSchema("virtualDirectory", _VIRTUAL_DIRECTORY, "virtualDirectoryDefaults"),
)
_BINDING = _element(
    "binding",
    AttributeSchema("protocol", "string", key=True),
    AttributeSchema("bindingInformation", "string", key=True),
    AttributeSchema("sslFlags", "uint", "0"),
)
# A site's log (sectionSchema system.applicationHost/sites, element logFile): the lab models the
# attributes a node's own settings use (metabase_sync_node_settings), not the field flags.
_LOG_FILE = _element(
    "logFile",
    AttributeSchema("logFormat", "enum", "W3C", ("IIS", "NCSA", "W3C", "Custom")),
    AttributeSchema("directory", "string", "%SystemDrive%\\inetpub\\logs\\LogFiles"),
    AttributeSchema("enabled", _BOOL, "true"),
    AttributeSchema("period", "enum", "Daily", ("MaxSize", "Daily", "Weekly", "Monthly", "Hourly")),
)
_SITE = _element(
    "site",
    AttributeSchema("name", "string", key=True),
    AttributeSchema("id", "uint"),
    AttributeSchema("serverAutoStart", _BOOL, "true"),
    children=(
        _element("bindings", collection=CollectionSchema("binding", _BINDING)),
        _LOG_FILE,
        _unkeyed(_APPLICATION, "applicationDefaults"),
        _unkeyed(_VIRTUAL_DIRECTORY, "virtualDirectoryDefaults"),
    ),
    collection=CollectionSchema("application", _APPLICATION, "applicationDefaults"),
)
SITES = _element(
    "sites",
    children=(
        _unkeyed(_SITE, "siteDefaults"),
        _unkeyed(_APPLICATION, "applicationDefaults"),
        _unkeyed(_VIRTUAL_DIRECTORY, "virtualDirectoryDefaults"),
    ),
    collection=CollectionSchema("site", _SITE, "siteDefaults"),
)
ANONYMOUS_AUTHENTICATION = _element(
    "anonymousAuthentication",
    AttributeSchema("enabled", _BOOL, "false"),
    AttributeSchema("userName", "string", "IUSR"),
    AttributeSchema("password", "string", "", encrypted=True),
    AttributeSchema("logonMethod", "enum", "ClearText", LOGON_METHODS),
)

SECTIONS: t.Mapping[str, ElementSchema] = {
    "system.applicationHost/applicationPools": APPLICATION_POOLS,
    "system.applicationHost/sites": SITES,
    "system.webServer/security/authentication/anonymousAuthentication": ANONYMOUS_AUTHENTICATION,
}
"""The modeled sections by path."""

_TIMESPAN = re.compile(r"^(\d+\.)?\d{1,2}:\d{2}:\d{2}(\.\d{1,7})?$")
_UINT_MAX = 2**32 - 1


def canonical(attribute: AttributeSchema, text: str) -> str:
    """``text`` in the spelling IIS writes for the attribute's type; a value that does not fit
    fails as MWA's conversion does (E_INVALIDARG)."""
    kind = attribute.type
    if kind == _BOOL:
        if text.lower() not in ("true", "false"):
            raise WindowsApiError(INVALID_PARAMETER, f"{attribute.name}: {text!r} is not true or false")
        return text.lower()
    if kind in ("uint", "int"):
        try:
            number = int(text, 10)
        except ValueError:
            number = -1 if kind == "uint" else None  # type: ignore[assignment]
        if number is None or (kind == "uint" and not 0 <= number <= _UINT_MAX):
            raise WindowsApiError(INVALID_PARAMETER, f"{attribute.name}: {text!r} is not a {kind}")
        return str(number)
    if kind == "enum":
        match = next((choice for choice in attribute.choices if choice.lower() == text.lower()), None)
        if match is None:
            raise WindowsApiError(
                INVALID_PARAMETER, f"{attribute.name}: {text!r} is not one of {', '.join(attribute.choices)}"
            )
        return match
    if kind == "timeSpan" and not _TIMESPAN.match(text):
        raise WindowsApiError(INVALID_PARAMETER, f"{attribute.name}: {text!r} is not a timespan")
    return text
