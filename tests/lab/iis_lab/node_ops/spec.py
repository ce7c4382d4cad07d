"""How an op of the instruction set is described: its name, whether it writes, its arguments,
and the function that runs it on a simulated host."""

from __future__ import annotations

import dataclasses
import enum
import typing as t

from ..windows.host import Host


class ArgType(enum.Enum):
    """What an instruction argument must be."""

    STR = "a string"
    BOOL = "a boolean"
    STR_LIST = "a list of strings"
    ANY = "any JSON value"
    SECRET = "the name of a secret"

    def accepts(self, value: t.Any) -> bool:
        if self is ArgType.STR or self is ArgType.SECRET:
            return isinstance(value, str)
        if self is ArgType.BOOL:
            return isinstance(value, bool)
        if self is ArgType.STR_LIST:
            return isinstance(value, list) and all(isinstance(item, str) for item in value)
        return True


@dataclasses.dataclass(frozen=True)
class Arg:
    """One argument of an op. An optional argument left out takes ``default``."""

    name: str
    type: ArgType
    required: bool = False
    default: t.Any = None


@dataclasses.dataclass(frozen=True)
class Become:
    """How the module process was started when the task used ``become`` (runas)."""

    user: str
    with_password: bool
    """Whether a password was given: without one, Windows gives a token that cannot
    authenticate to another machine."""


@dataclasses.dataclass(frozen=True)
class OpContext:
    """What an op sees of the call: the host it runs on, the module's secrets, and the logon
    the module runs under."""

    host: Host
    secrets: t.Mapping[str, str]
    become: Become | None

    def secret(self, name: str) -> str:
        """The value of secret ``name`` (the module checked every name before running)."""
        return self.secrets[name]


OpFunction = t.Callable[[OpContext, t.Mapping[str, t.Any]], t.Any]
"""Runs an op with its validated arguments and returns its ``value``; a Windows failure is
raised as :class:`~iis_lab.windows.errors.WindowsApiError`."""


@dataclasses.dataclass(frozen=True)
class OpSpec:
    """One op of the instruction set.

    ``exactly_one_of`` lists groups of arguments of which an instruction must give exactly one
    (``metabase_set`` takes ``value`` or ``secret``).
    """

    name: str
    write: bool
    args: tuple[Arg, ...]
    run: OpFunction
    exactly_one_of: tuple[tuple[str, ...], ...] = ()
