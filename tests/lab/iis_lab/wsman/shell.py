"""The Windows Remote Shells (WinRS) of one host: shells, their commands, stdin and output.

A command behaves like the process WinRS would start: it runs once its stdin is complete
(or, when the client sent no stdin, as soon as the client asks for output), independently
of the client's requests, and a Receive waits for it at most the request's OperationTimeout.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from . import faults

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandResult:
    """What a finished process left: its output streams and exit code."""

    stdout: bytes
    stderr: bytes
    exit_code: int
    module: str | None = None
    """The Ansible module the process ran, when it ran one (for the traffic account)."""


Runner = Callable[[str, bytes], CommandResult]
"""Runs one command line with its complete stdin, as the user who started it."""


@dataclass
class _Command:
    command_id: str
    command_line: str
    runner: Runner
    stdin: bytearray = field(default_factory=bytearray)
    stdin_closed: bool = False
    finished: threading.Event = field(default_factory=threading.Event)
    result: CommandResult | None = None
    delivered: bool = False


@dataclass
class _Shell:
    shell_id: str
    owner: str
    commands: dict[str, _Command] = field(default_factory=dict)


def _new_id() -> str:
    return str(uuid.uuid4()).upper()


class ShellRegistry:
    """Every open shell of one host, each visible only to the user who created it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shells: dict[str, _Shell] = {}

    def create_shell(self, owner: str) -> str:
        """Open a shell for ``owner`` and return its ShellId."""
        shell = _Shell(shell_id=_new_id(), owner=owner)
        with self._lock:
            self._shells[shell.shell_id] = shell
        return shell.shell_id

    def delete_shell(self, owner: str, shell_id: str) -> None:
        """Close a shell; its commands are abandoned."""
        with self._lock:
            self._shell(owner, shell_id)
            del self._shells[shell_id]

    def start_command(self, owner: str, shell_id: str, command_line: str, runner: Runner) -> str:
        """Create a command in a shell and return its CommandId; it runs once its stdin is complete."""
        command = _Command(command_id=_new_id(), command_line=command_line, runner=runner)
        with self._lock:
            self._shell(owner, shell_id).commands[command.command_id] = command
        return command.command_id

    def send_input(self, owner: str, shell_id: str, command_id: str, data: bytes, end: bool) -> None:
        """Append to a command's stdin; the chunk marked ``end`` closes it and starts the command."""
        with self._lock:
            command = self._command(owner, shell_id, command_id)
            if command.stdin_closed:
                raise faults.input_already_closed(command_id)
            command.stdin += data
            command.stdin_closed = end
            if end:
                self._start(command)

    def receive(self, owner: str, shell_id: str, command_id: str, timeout: float) -> CommandResult:
        """The command's output once it has exited (empty streams after the first time).

        Raises the TimedOut fault when the command is still running after ``timeout`` seconds.
        """
        with self._lock:
            command = self._command(owner, shell_id, command_id)
            if not command.stdin and not command.stdin_closed:
                command.stdin_closed = True
                self._start(command)
        if not command.finished.wait(timeout):
            raise faults.operation_timed_out()
        with self._lock:
            result = command.result
            first_delivery = not command.delivered
            command.delivered = True
        assert result is not None  # set before ``finished``
        if first_delivery:
            return result
        return CommandResult(stdout=b"", stderr=b"", exit_code=result.exit_code, module=result.module)

    def terminate(self, owner: str, shell_id: str, command_id: str) -> None:
        """Signal terminate: forget the command (an emulated process cannot be killed mid-run)."""
        with self._lock:
            self._command(owner, shell_id, command_id)
            del self._shells[shell_id].commands[command_id]

    def _shell(self, owner: str, shell_id: str) -> _Shell:
        shell = self._shells.get(shell_id)
        # WinRS looks shells up per user: another user's shell does not exist for this one.
        if shell is None or shell.owner.casefold() != owner.casefold():
            raise faults.shell_not_found(shell_id)
        return shell

    def _command(self, owner: str, shell_id: str, command_id: str) -> _Command:
        command = self._shell(owner, shell_id).commands.get(command_id)
        if command is None:
            raise faults.command_not_found(shell_id, command_id)
        return command

    def _start(self, command: _Command) -> None:
        # Called once per command: when its stdin closes (or is found to be unused).
        threading.Thread(target=self._run, args=(command,), name=f"winrs-{command.command_id}", daemon=True).start()

    def _run(self, command: _Command) -> None:
        try:
            result = command.runner(command.command_line, bytes(command.stdin))
        except Exception:  # noqa: BLE001 - a crashed emulation must still end the process for the client
            logger.exception("command %s failed inside the lab", command.command_id)
            result = CommandResult(
                stdout=b"",
                stderr=b"iis-lab failed while running this command (internal error); see the lab's log.\r\n",
                exit_code=1,
            )
        with self._lock:
            command.result = result
        command.finished.set()
