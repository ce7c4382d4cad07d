# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Decisions about IIS 5/6 metabase properties: paths, typed values and what to change.

This is for internal collection use only; the API may change at any time.

Everything here is pure: it turns what the operator asked for and what a node reported
(``metabase_get``, ``metabase_secret_matches``; see ``docs/instruction-set.md``) into a plan.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

from ._changes import Change, Shown
from ._input import InvalidInput
from ._node_session import Instruction

SECRET_REF = "value"
"""The name under which a property's secret value travels in the ``secrets`` argument."""

_ADSI_PREFIX = re.compile(r"^IIS://(?P<server>[^/]*)(/|$)", re.IGNORECASE)
_PROPERTY_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_HEX = re.compile(r"^(?:[0-9a-fA-F]{2})*$")
_DWORD_MAX = 0xFFFFFFFF
ADSUTIL = "cscript adsutil.vbs"
_ADSUTIL_SECRET = '"**********"'  # what adsutil itself prints for a secure property


@dataclasses.dataclass(frozen=True)
class PropertyState:
    """A property as a node reported it at one key."""

    name: str
    type: str
    secure: bool
    source: str  # "here", "inherited" or "unset"
    value: t.Any = None

    @classmethod
    def from_report(cls, name: str, report: t.Mapping[str, t.Any]) -> PropertyState:
        return cls(
            name=name,
            type=str(report["type"]),
            secure=bool(report["secure"]),
            source=str(report["source"]),
            value=report.get("value"),
        )

    def shown(self) -> Shown:
        if self.source == "unset":
            return Shown.absent()
        return Shown.secret() if self.secure else Shown.value(self.value)

    def as_result(self) -> dict[str, t.Any]:
        """The property as modules return it: a secure value is never included."""
        result: dict[str, t.Any] = {"type": self.type, "secure": self.secure, "source": self.source}
        if not self.secure and self.source != "unset":
            result["value"] = self.value
        return result


@dataclasses.dataclass(frozen=True)
class DesiredProperty:
    """What the operator asked for one property at one key.

    With ``state="present"``, either ``value`` is the wanted value (typed by :func:`coerce`)
    or ``secret`` is True and the value is in the ``secrets`` argument under :data:`SECRET_REF`.
    """

    path: str
    name: str
    state: str = "present"
    value: t.Any = None
    secret: bool = False


def normalize_path(raw: str) -> str:
    """Return the ADSI form of a metabase key path (``W3SVC/1/ROOT``).

    Accepts what operators paste: ``/LM/W3SVC/1/ROOT``, ``LM\\W3SVC\\1``,
    ``IIS://localhost/W3SVC/1`` or ``w3svc/1/root/``.
    """
    path = raw.strip().replace("\\", "/")
    prefix = _ADSI_PREFIX.match(path)
    if prefix:
        if prefix.group("server").lower() not in ("localhost", ""):
            raise InvalidInput(
                f"path: {raw!r} names the server {prefix.group('server')!r}; the module always works on "
                "the task's host, so give the path below IIS://localhost (for example W3SVC/1/ROOT)"
            )
        path = path[prefix.end():]
    segments = [segment for segment in path.split("/") if segment]
    if segments and segments[0].upper() == "LM":
        segments = segments[1:]
    if not segments:
        raise InvalidInput(f"path: {raw!r} names no key below /LM; give a key such as W3SVC or W3SVC/1/ROOT")
    for segment in segments:
        if any(ord(char) < 32 for char in segment):
            raise InvalidInput(f"path: {raw!r} contains a control character")
    return "/".join(segments)


def metabase_path(path: str) -> str:
    """The ``/LM/...`` spelling of an ADSI path, as the metabase and its documentation write it."""
    return f"/LM/{path}"


def check_property_name(name: str) -> str:
    if not _PROPERTY_NAME.match(name):
        raise InvalidInput(
            f"name: {name!r} is not a metabase property name (letters and digits, starting with a letter, "
            "for example AnonymousUserName)"
        )
    return name


def coerce(metabase_type: str, value: t.Any, field: str = "value") -> t.Any:
    """Return ``value`` as the JSON value of a property of ``metabase_type``.

    Raises :class:`InvalidInput` naming ``field`` when it cannot be one.
    """
    if metabase_type in ("STRING", "EXPANDSZ"):
        if isinstance(value, (list, dict)) or value is None:
            raise InvalidInput(f"{field}: the property is a {metabase_type}; give a single string")
        return str(value)
    if metabase_type == "INTEGER":
        if isinstance(value, bool):
            raise InvalidInput(f"{field}: the property is an INTEGER; give a number, not {value!r}")
        try:
            number = int(str(value).strip(), 0) if isinstance(value, str) else int(value)
        except (TypeError, ValueError):
            raise InvalidInput(f"{field}: the property is an INTEGER; {value!r} is not a whole number") from None
        if not 0 <= number <= _DWORD_MAX:
            raise InvalidInput(f"{field}: the property is an INTEGER (DWORD); {number} is outside 0..{_DWORD_MAX}")
        return number
    if metabase_type == "BOOLEAN":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in BOOLEANS_TRUE:
            return True
        if text in BOOLEANS_FALSE:
            return False
        raise InvalidInput(f"{field}: the property is a BOOLEAN; {value!r} is neither true nor false")
    if metabase_type == "LIST":
        items = value if isinstance(value, list) else [value]
        if any(isinstance(item, (list, dict)) or item is None for item in items):
            raise InvalidInput(f"{field}: the property is a LIST; give a list of strings")
        return [str(item) for item in items]
    if metabase_type == "BINARY":
        if not isinstance(value, str) or not _HEX.match(value.strip()):
            raise InvalidInput(f"{field}: the property is BINARY; give its bytes as a hex string such as '0a1b'")
        return value.strip().lower()
    raise InvalidInput(f"{field}: properties of metabase type {metabase_type} cannot be set by this module")


def plan_property(
    desired: DesiredProperty,
    current: PropertyState,
    *,
    secret_matches: bool | None = None,
    parent: PropertyState | None = None,
) -> list[Change]:
    """What to change so that the property at ``desired.path`` is as asked.

    ``present`` means *set at this key*: an equal value inherited from above is not enough,
    because the key would then follow a later change of its parent. ``absent`` means *not set
    at this key*, so the key inherits again; ``parent`` (the property at the parent key) says
    what it will inherit. ``secret_matches`` is the node's answer to "does the property hold
    the secret?" and is only consulted for a secret value.
    """
    subject = f"{metabase_path(desired.path)}/{current.name}"
    args = {"path": desired.path, "property": current.name}
    if desired.state == "absent":
        if current.source != "here":
            return []
        after = inherited_from(current, parent)
        return [Change(subject, current.shown(), after.shown(), (Instruction("metabase_delete", args),), current.secure)]

    if desired.secret:
        if current.type not in ("STRING", "EXPANDSZ"):
            raise InvalidInput(
                f"secret_value: {current.name} is a {current.type} property; secret_value is for string properties"
            )
        if current.source == "here" and secret_matches:
            return []
        instruction = Instruction("metabase_set", {**args, "secret": SECRET_REF})
        return [Change(subject, current.shown(), Shown.secret(), (instruction,), secret=True)]

    if current.secure:
        raise InvalidInput(
            f"value: {current.name} is a secure metabase property; give it in secret_value, which is never logged"
        )
    wanted = coerce(current.type, desired.value)
    if current.source == "here" and current.value == wanted:
        return []
    instruction = Instruction("metabase_set", {**args, "value": wanted})
    return [Change(subject, current.shown(), Shown.value(wanted), (instruction,))]


def inherited_from(current: PropertyState, parent: PropertyState | None) -> PropertyState:
    """The property at a key once its own value is removed: whatever the parent key has."""
    if parent is None or parent.source == "unset":
        return dataclasses.replace(current, source="unset", value=None)
    return dataclasses.replace(current, source="inherited", value=parent.value)


def predicted(changes: t.Sequence[Change], current: PropertyState, parent: PropertyState | None) -> PropertyState:
    """The property as it will be once ``changes`` (a plan for it) are applied."""
    if not changes:
        return current
    instruction = changes[-1].instructions[-1]
    if instruction.op == "metabase_delete":
        return inherited_from(current, parent)
    return dataclasses.replace(current, source="here", value=instruction.args.get("value"))


def parent_path(path: str) -> str | None:
    """The key above ``path``, or None for a key directly below /LM."""
    return path.rpartition("/")[0] or None


def adsutil_command(change_instruction: Instruction, metabase_type: str) -> str:
    """The adsutil.vbs command line that does what ``change_instruction`` does, for the record.

    A secret is masked the way adsutil masks secure properties.
    """
    target = f"{change_instruction.args['path']}/{change_instruction.args['property']}"
    if change_instruction.op == "metabase_delete":
        return f"{ADSUTIL} DELETE {target}"
    if "secret" in change_instruction.args:
        return f"{ADSUTIL} SET {target} {_ADSUTIL_SECRET}"
    value = change_instruction.args["value"]
    if metabase_type == "LIST":
        shown = " ".join(f'"{item}"' for item in value)
    elif metabase_type == "BOOLEAN":
        shown = str(value)
    elif metabase_type in ("STRING", "EXPANDSZ"):
        shown = f'"{value}"'
    else:
        shown = str(value)
    return f"{ADSUTIL} SET {target} {shown}"
