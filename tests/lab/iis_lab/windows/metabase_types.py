"""The metabase's data types, and conversion between their JSON and stored forms.

The type names are adsutil's (``STRING``, ``EXPANDSZ``, ``INTEGER``, ``BOOLEAN``, ``LIST``,
``BINARY``). On the wire (``docs/instruction-set.md``) an INTEGER is an unsigned DWORD, a LIST a
list of strings and a BINARY a lowercase hex string; in memory a LIST is a tuple and a BINARY
bytes, so a stored value can never be changed behind the metabase's back.
"""

from __future__ import annotations

import enum
import typing as t

from .errors import E_ADS_CANT_CONVERT_DATATYPE, WindowsApiError
from .stored_secret import StoredSecret

StoredValue = t.Union[str, int, bool, tuple[str, ...], bytes, StoredSecret]
"""A property value as the metabase holds it (a secure value of a resumed lab is a
:class:`~iis_lab.windows.stored_secret.StoredSecret`)."""

_DWORD_MIN = -(2**31)  # ADSI hands a DWORD to scripts as a signed VT_I4; both forms are accepted
_DWORD_MAX = 2**32 - 1


class PropertyType(enum.Enum):
    """A metabase property's data type, named as adsutil.vbs prints it."""

    STRING = "STRING"
    EXPANDSZ = "EXPANDSZ"
    INTEGER = "INTEGER"
    BOOLEAN = "BOOLEAN"
    LIST = "LIST"
    BINARY = "BINARY"


def from_json(kind: PropertyType, value: t.Any, name: str) -> StoredValue:
    """Convert a JSON ``value`` into the stored form of ``kind``.

    A value of the wrong JSON type fails as ADSI's ``Put`` does when it cannot convert the
    variant to the property's syntax: E_ADS_CANT_CONVERT_DATATYPE. ``name`` only labels the
    error.
    """
    if kind in (PropertyType.STRING, PropertyType.EXPANDSZ) and isinstance(value, str):
        return value
    if kind is PropertyType.BOOLEAN and isinstance(value, bool):
        return value
    if kind is PropertyType.INTEGER and _is_dword(value):
        return int(value) & 0xFFFFFFFF
    if kind is PropertyType.LIST and isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    if kind is PropertyType.BINARY and isinstance(value, str):
        try:
            return bytes.fromhex(value)
        except ValueError:
            pass
    # The value itself stays out of the error: it may be a secret.
    raise WindowsApiError(E_ADS_CANT_CONVERT_DATATYPE, f"{name} ({kind.value}) cannot hold a {type(value).__name__}")


def to_json(kind: PropertyType, value: StoredValue) -> t.Any:
    """The JSON form of a stored value of ``kind``."""
    if kind is PropertyType.LIST:
        return list(t.cast(tuple[str, ...], value))
    if kind is PropertyType.BINARY:
        return t.cast(bytes, value).hex()
    return value


def _is_dword(value: t.Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and _DWORD_MIN <= value <= _DWORD_MAX
