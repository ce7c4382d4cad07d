"""How an op of the instruction set is described: its name, whether it writes, its arguments,
and the function that runs it on a simulated host."""

from __future__ import annotations

import dataclasses
import enum
import typing as t

from ..windows.host import Host
from ..windows.stored_secret import Secret


class ArgType(enum.Enum):
    """What an instruction argument must be."""

    STR = "a string"
    BOOL = "a boolean"
    INT = "an integer"
    STR_LIST = "a list of strings"
    ANY = "any JSON value"
    SECRET = "the name of a secret"

    def accepts(self, value: t.Any) -> bool:
        if self is ArgType.STR or self is ArgType.SECRET:
            return isinstance(value, str)
        if self is ArgType.BOOL:
            return isinstance(value, bool)
        if self is ArgType.INT:
            return isinstance(value, int) and not isinstance(value, bool)
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


class Network(t.Protocol):
    """What a host reaches beyond itself: the other hosts by name, the clock, and the record of
    the processes hosts start."""

    def resolve(self, name: str) -> Host | None:
        """The host a computer name (NetBIOS, DNS host name or FQDN) resolves to, if any."""

    def now(self) -> float:
        """Seconds on a monotonic clock shared by every host."""

    def record_process(self, host: Host, user: str, command_line: str) -> None:
        """Remember that ``host`` started a process as ``user``."""


SecretToken = t.Callable[[Secret], str]
"""The lab's stand-in for a secret a host holds, where an op must digest it
(:mod:`.metabase_digest_tree`): the same for the secret's text and its stored form, equal for equal
secrets on every host of a lab, and different for different secrets."""


@dataclasses.dataclass(frozen=True)
class OpContext:
    """What an op sees of the call: the host it runs on, the module's secrets, the logon the
    module runs under (``logon_user``, the WinRM user, unless ``become`` changed it), the
    network around the host and the lab's tokens for the secrets hosts hold."""

    host: Host
    secrets: t.Mapping[str, str]
    become: Become | None
    logon_user: str
    network: Network
    secret_token: SecretToken

    def secret(self, name: str) -> str:
        """The value of secret ``name`` (the module checked every name before running)."""
        return self.secrets[name]

    @property
    def account(self) -> str:
        """The account the module's process runs as."""
        return self.become.user if self.become is not None else self.logon_user

    @property
    def network_credentials(self) -> bool:
        """Whether the process's logon can authenticate to other machines: only a become
        (runas) logon made with a password can. A WinRM network logon (NTLM, or Kerberos
        without delegation) and a become without a password (S4U) cannot: the double hop."""
        return self.become is not None and self.become.with_password


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
    reaches_other_hosts: bool = False
    """It reads or changes other hosts than its own (through :class:`Network`): the lab runs it
    holding every host's lock, where an op of one host holds that host's only."""
