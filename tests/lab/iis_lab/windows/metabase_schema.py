"""The slice of the IIS 5/6 metabase schema the lab models.

Each property has a data type, a ``secure`` flag (METADATA_SECURE: never readable through
adsutil, replicated encrypted), an ``inherit`` flag (METADATA_INHERIT: keys below see the
value), a ``volatile`` flag (METADATA_VOLATILE: run-time state, never saved nor replicated) and
the ADSI classes (key types) whose schema lists it. The IIS ADSI provider checks
that list on every Get/Put/PutEx and answers E_ADS_PROPERTY_NOT_SUPPORTED for a property the
key's class does not list, even when a key above holds a value (``IIsSchema::ValidateProperty``).

A few BOOLEAN properties are not stored at all: they are single bits of a DWORD "flags"
property (``AccessRead`` is bit 0x1 of ``AccessFlags``), which is how ADSI exposes them
(IIS_SYNTAX_ID_BOOL_BITMASK).

Names, types, inheritance and locations follow Microsoft's metabase property reference and
``/work/shared/reference/legacy-iis.md``.
"""

from __future__ import annotations

import dataclasses
import types
import typing as t

from .metabase_types import PropertyType

# Key types (ADSI class names) the lab's metabase uses.
IIS_COMPUTER = "IIsComputer"
IIS_WEB_SERVICE = "IIsWebService"
IIS_WEB_SERVER = "IIsWebServer"
IIS_WEB_VIRTUAL_DIR = "IIsWebVirtualDir"
IIS_WEB_DIRECTORY = "IIsWebDirectory"
IIS_FTP_SERVICE = "IIsFtpService"
IIS_FTP_SERVER = "IIsFtpServer"
IIS_FTP_VIRTUAL_DIR = "IIsFtpVirtualDir"
# The class ADSI binds a key without a KeyType to; its schema lists every property.
IIS_OBJECT = "IIsObject"

KEY_TYPES = frozenset(
    {
        IIS_COMPUTER,
        IIS_WEB_SERVICE,
        IIS_WEB_SERVER,
        IIS_WEB_VIRTUAL_DIR,
        IIS_WEB_DIRECTORY,
        IIS_FTP_SERVICE,
        IIS_FTP_SERVER,
        IIS_FTP_VIRTUAL_DIR,
    }
)

_WEB_SITE = frozenset({IIS_WEB_SERVICE, IIS_WEB_SERVER})
_WEB_CONTENT = _WEB_SITE | {IIS_WEB_VIRTUAL_DIR, IIS_WEB_DIRECTORY}
_FTP_SITE = frozenset({IIS_FTP_SERVICE, IIS_FTP_SERVER})
_SERVERS = frozenset({IIS_WEB_SERVER, IIS_FTP_SERVER})
_VIRTUAL_DIRS = frozenset({IIS_WEB_VIRTUAL_DIR, IIS_FTP_VIRTUAL_DIR})


@dataclasses.dataclass(frozen=True)
class Bit:
    """Where a bitmask BOOLEAN lives: one bit of a DWORD flags property."""

    flags: str
    mask: int


@dataclasses.dataclass(frozen=True)
class PropertySchema:
    """One property of the metabase schema."""

    name: str
    type: PropertyType
    classes: frozenset[str]
    inherit: bool = True
    secure: bool = False
    volatile: bool = False
    bit: Bit | None = None

    def allowed_in(self, key_type: str) -> bool:
        """Whether the schema of class ``key_type`` lists this property."""
        return key_type == IIS_OBJECT or key_type in self.classes


def _stored(
    name: str,
    kind: PropertyType,
    classes: t.AbstractSet[str],
    *,
    inherit: bool = True,
    secure: bool = False,
    volatile: bool = False,
) -> PropertySchema:
    return PropertySchema(name, kind, frozenset(classes), inherit=inherit, secure=secure, volatile=volatile)


def _flags(name: str, classes: t.AbstractSet[str], bits: t.Mapping[str, int]) -> list[PropertySchema]:
    """A DWORD flags property and the BOOLEAN properties ADSI derives from its bits."""
    flags = _stored(name, PropertyType.INTEGER, classes)
    return [flags] + [
        PropertySchema(bit_name, PropertyType.BOOLEAN, flags.classes, bit=Bit(name, mask))
        for bit_name, mask in bits.items()
    ]


_STRING, _EXPANDSZ, _INTEGER, _BOOLEAN, _LIST, _BINARY = (
    PropertyType.STRING,
    PropertyType.EXPANDSZ,
    PropertyType.INTEGER,
    PropertyType.BOOLEAN,
    PropertyType.LIST,
    PropertyType.BINARY,
)

_PROPERTIES: list[PropertySchema] = [
    _stored("KeyType", _STRING, KEY_TYPES, inherit=False),
    # Identities (Q249603 steps 6 and 7).
    _stored("AnonymousUserName", _STRING, _WEB_CONTENT | _FTP_SITE),
    _stored("AnonymousUserPass", _STRING, _WEB_CONTENT | _FTP_SITE, secure=True),
    _stored("AnonymousPasswordSync", _BOOLEAN, _WEB_CONTENT | _FTP_SITE),
    _stored("WAMUserName", _STRING, {IIS_WEB_SERVICE}),
    _stored("WAMUserPass", _STRING, {IIS_WEB_SERVICE}, secure=True),
    _stored("LogonMethod", _INTEGER, _WEB_CONTENT),
    _stored("DefaultLogonDomain", _STRING, _WEB_CONTENT | _FTP_SITE),
    _stored("UNCUserName", _STRING, _VIRTUAL_DIRS),
    _stored("UNCPassword", _STRING, _VIRTUAL_DIRS, secure=True),
    *_flags("AuthFlags", _WEB_CONTENT, {"AuthAnonymous": 0x1, "AuthBasic": 0x2, "AuthNTLM": 0x4}),
    # Applications.
    _stored("AppIsolated", _INTEGER, _WEB_CONTENT),
    _stored("AppRoot", _STRING, _WEB_CONTENT),
    _stored("AppPackageID", _STRING, _WEB_CONTENT),
    _stored("AppPackageName", _STRING, _WEB_CONTENT),
    _stored("AppFriendlyName", _STRING, _WEB_CONTENT),
    # Content.
    _stored("Path", _STRING, _VIRTUAL_DIRS),
    *_flags(
        "AccessFlags",
        _WEB_CONTENT | _FTP_SITE | {IIS_FTP_VIRTUAL_DIR},
        {"AccessRead": 0x1, "AccessWrite": 0x2, "AccessExecute": 0x4, "AccessScript": 0x200},
    ),
    _stored("DefaultDoc", _STRING, _WEB_CONTENT),
    *_flags("DirBrowseFlags", _WEB_CONTENT, {"EnableDirBrowsing": 0x80000000, "EnableDefaultDoc": 0x40000000}),
    # Sites.
    _stored("ServerComment", _STRING, _SERVERS),
    _stored("ServerBindings", _LIST, _SERVERS, inherit=False),
    _stored("SecureBindings", _LIST, {IIS_WEB_SERVER}, inherit=False),
    # The server's run state, which IIS keeps as volatile data.
    _stored("ServerState", _INTEGER, _SERVERS, inherit=False, volatile=True),
    _stored("ServerAutoStart", _BOOLEAN, _SERVERS),
    _stored("SSLCertHash", _BINARY, {IIS_WEB_SERVER}, inherit=False),
    _stored("MaxConnections", _INTEGER, _WEB_SITE | _FTP_SITE),
    _stored("ConnectionTimeout", _INTEGER, _WEB_SITE | _FTP_SITE),
    _stored("LogType", _INTEGER, _WEB_SITE | _FTP_SITE),
    _stored("LogFileDirectory", _EXPANDSZ, _WEB_SITE | _FTP_SITE),
    # FTP.
    _stored("AllowAnonymous", _BOOLEAN, _FTP_SITE),
    _stored("AnonymousOnly", _BOOLEAN, _FTP_SITE),
]

SCHEMA: t.Mapping[str, PropertySchema] = types.MappingProxyType({prop.name.lower(): prop for prop in _PROPERTIES})
"""Every property, keyed by its lower-case name (metabase property names are case-insensitive)."""


def find_property(name: str) -> PropertySchema | None:
    """The schema entry for ``name`` in any spelling, or None when the schema has no such property."""
    return SCHEMA.get(name.lower())
