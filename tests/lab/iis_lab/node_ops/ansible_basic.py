"""What ``Ansible.Basic.AnsibleModule`` (ansible-core's C# module util) does with a module's
arguments before the module's own code runs, for the option types node_ops uses.

Mirrored from ansible-core 2.19's ``Ansible.Basic.cs``:

* ``_ansible_*`` keys are the controller's internal variables: removed from the parameters,
  ``_ansible_check_mode`` sets check mode, ``_ansible_module_name`` names the module in
  messages. (Ansible.Basic knows a fixed list of them, but it ships with the controller, so its
  list always matches what that controller sends: every ``_ansible_*`` key is accepted here.)
* Any other key not in the spec fails: ``Unsupported parameters for (<module>) module: ...``.
* Missing required options fail: ``missing required arguments: ...``; defaults fill the rest,
  and options left unset become null.
* Values are converted to the option's type (``ParseBool``, ``ParseList``, ``ParseDict``) or the
  module fails with ``argument for <name> is of type <.NET type> and we were unable to convert
  to <type>: <reason>``.
* ``no_log`` values are masked in ``msg`` and in ``invocation.module_args``
  (:func:`remove_no_log_values`). Ansible.Basic registers the *string form* of a no_log
  option: for a dict that is .NET's type name, so the values inside a no_log dict are not
  masked unless the module registers them itself.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import typing as t

NO_LOG_PLACEHOLDER = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
_BOOLEANS_TRUE = ("y", "yes", "on", "1", "true", "t", "1.0")
_BOOLEANS_FALSE = ("n", "no", "off", "0", "false", "f", "0.0")
_INTERNAL_PREFIX = "_ansible_"
_DEFAULT_MODULE_NAME = "undefined win module"


@dataclasses.dataclass(frozen=True)
class Option:
    """One entry of a module's argument spec (the keys node_ops uses)."""

    type: str  # "bool", "dict" or "list"
    required: bool = False
    default: t.Any = None
    no_log: bool = False


@dataclasses.dataclass(frozen=True)
class ParsedArguments:
    """The module's parameters after Ansible.Basic, and the internal variables it read."""

    params: dict[str, t.Any]
    check_mode: bool
    module_name: str


class ModuleFailure(Exception):
    """The module failed (``FailJson``) with ``msg``; ``params`` is what ``invocation`` shows."""

    def __init__(self, msg: str, params: t.Mapping[str, t.Any]) -> None:
        super().__init__(msg)
        self.msg = msg
        self.params = dict(params)


def parse_arguments(spec: t.Mapping[str, Option], module_args: t.Mapping[str, t.Any]) -> ParsedArguments:
    """Validate ``module_args`` against ``spec`` as Ansible.Basic does; raises
    :class:`ModuleFailure` where it would call ``FailJson``."""
    params = {key: value for key, value in module_args.items() if not key.startswith(_INTERNAL_PREFIX)}
    internal = {
        key[len(_INTERNAL_PREFIX) :]: value for key, value in module_args.items() if key.startswith(_INTERNAL_PREFIX)
    }
    module_name = str(internal.get("module_name") or _DEFAULT_MODULE_NAME)
    check_mode = parse_bool(internal.get("check_mode", False))

    unsupported = [key for key in params if key.lower() not in {name.lower() for name in spec}]
    if unsupported:
        raise ModuleFailure(
            f"Unsupported parameters for ({module_name}) module: {', '.join(unsupported)}. "
            f"Supported parameters include: {', '.join(spec)}",
            params,
        )
    # Ansible.Basic accepts an option in any case and renames it to the spec's spelling.
    by_lower = {name.lower(): name for name in spec}
    params = {by_lower[key.lower()]: value for key, value in params.items()}

    for name, option in spec.items():
        if option.default is not None and name not in params:
            params[name] = copy.deepcopy(option.default)
    missing = [name for name, option in spec.items() if option.required and name not in params]
    if missing:
        raise ModuleFailure(f"missing required arguments: {', '.join(missing)}", params)

    for name, option in spec.items():
        value = params.get(name)
        if value is None:
            params[name] = None
            continue
        try:
            params[name] = _CONVERTERS[option.type](value)
        except ValueError as error:
            raise ModuleFailure(
                f"argument for {name} is of type {_dotnet_type(value)} and we were unable to convert to "
                f"{option.type}: {error}",
                params,
            ) from None
    return ParsedArguments(params, check_mode, module_name)


def no_log_strings(spec: t.Mapping[str, Option], params: t.Mapping[str, t.Any]) -> set[str]:
    """What Ansible.Basic itself masks: the string form of each no_log option's value. A dict
    or a list has no useful string form (.NET prints its type name), so it masks nothing."""
    strings: set[str] = set()
    for name, option in spec.items():
        value = params.get(name)
        if option.no_log and isinstance(value, (str, int, float)) and str(value):
            strings.add(_dotnet_str(value))
    return strings


def remove_no_log_values(value: t.Any, no_log: t.AbstractSet[str]) -> t.Any:
    """``value`` with every no_log string masked, as Ansible.Basic's ``RemoveNoLogValues``:
    a string equal to one becomes ``VALUE_SPECIFIED_IN_NO_LOG_PARAMETER``, a string containing
    one has it replaced by ``********``, a number or boolean whose text contains one is
    replaced whole; dict keys are left alone."""
    if isinstance(value, dict):
        return {key: remove_no_log_values(item, no_log) for key, item in value.items()}
    if isinstance(value, list):
        return [remove_no_log_values(item, no_log) for item in value]
    if value is None:
        return None
    text = _dotnet_str(value)
    if isinstance(value, (bool, int, float)):
        return NO_LOG_PLACEHOLDER if any(secret in text for secret in no_log) else value
    if text in no_log:
        return NO_LOG_PLACEHOLDER
    for secret in no_log:
        if secret in text:
            return text.replace(secret, "********")
    return text


def parse_bool(value: t.Any) -> bool:
    """``ParseBool``: a boolean, or one of the strings Ansible treats as booleans."""
    if isinstance(value, bool):
        return value
    text = _dotnet_str(value).lower().strip()
    if text in _BOOLEANS_TRUE:
        return True
    if text in _BOOLEANS_FALSE:
        return False
    valid = ", ".join(_BOOLEANS_TRUE + _BOOLEANS_FALSE)
    raise ValueError(f"The value '{text}' is not a valid boolean. Valid booleans include: {valid}")


def _parse_list(value: t.Any) -> list[t.Any]:
    """``ParseList``: a list, a comma-separated string, or a single integer."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [item.strip() for item in value.split(",")]
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    raise ValueError(f"{_dotnet_type(value)} cannot be converted to a list")


def _parse_dict(value: t.Any) -> dict[str, t.Any]:
    """``ParseDict``: a dict, a JSON object string, or ``key=value`` pairs."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}"):
            try:
                parsed = json.loads(value)
            except json.JSONDecodeError as error:
                raise ValueError(f"Invalid JSON: {error.msg}") from None
            if isinstance(parsed, dict):
                return parsed
        elif "=" in value:
            return _parse_key_value_pairs(value)
        raise ValueError("string cannot be converted to a dict, must either be a JSON string or in the key=value form")
    raise ValueError(f"{_dotnet_type(value)} cannot be converted to a dict")


def _parse_key_value_pairs(text: str) -> dict[str, t.Any]:
    """``k1=v1 k2='v 2'``: fields split on unquoted spaces and commas, backslash escapes."""
    fields: list[str] = []
    buffer: list[str] = []
    quote: str | None = None
    escaped = False
    for char in text:
        if escaped:
            buffer.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif quote is None and char in "'\"":
            quote = char
        elif quote is not None and char == quote:
            quote = None
        elif quote is None and char in ", ":
            if buffer:
                fields.append("".join(buffer))
            buffer = []
        else:
            buffer.append(char)
    if buffer:
        fields.append("".join(buffer))
    pairs: dict[str, t.Any] = {}
    for field in dict.fromkeys(fields):
        key, sep, item = field.partition("=")
        pairs[key] = item if sep else None
    return pairs


_CONVERTERS: dict[str, t.Callable[[t.Any], t.Any]] = {"bool": parse_bool, "dict": _parse_dict, "list": _parse_list}


def _dotnet_str(value: t.Any) -> str:
    """``value.ToString()`` for the scalar types JSON gives: .NET spells booleans True/False."""
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def _dotnet_type(value: t.Any) -> str:
    """The .NET type a JSON value has once the module wrapper has parsed it."""
    if isinstance(value, bool):
        return "System.Boolean"
    if isinstance(value, int):
        return "System.Int32" if -(2**31) <= value < 2**31 else "System.Int64"
    return {float: "System.Decimal", str: "System.String", dict: "System.Collections.Hashtable"}.get(
        type(value), "System.Object[]"
    )
