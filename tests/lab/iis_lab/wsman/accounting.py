"""The lab's own account of the WinRM traffic of each execution: HTTP body bytes in and out.

An execution is one WinRS command (one process Ansible starts on the host to run a module).
Every HTTP body a host's listener receives or sends is added to an execution of that host:

* a request naming a shell (Command, Send, Receive, Signal, Delete) counts towards the latest
  command started in that shell; the Command request itself starts a new execution;
* a body before any command of its shell (the shell's Create, the empty POST that completes an
  NTLM logon) is held for the host and counts towards the next execution the host starts.

Bytes are counted as they travel, sealed when the connection seals (NTLM message encryption).
An execution's account is complete when its shell is deleted (or, for a shell never deleted,
when the listener stops); then :meth:`WireAccounting.close_shell` hands it to ``record``.
Only counts, times and the name of the module an execution ran (once its output is received)
are kept: no body, header or command line.
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
from collections.abc import Callable


def now() -> str:
    """The current UTC time in ISO 8601, to the millisecond (as the process record's times)."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


@dataclasses.dataclass
class ExecutionTraffic:
    """The traffic of one execution: when its Command request arrived and its last exchange
    ended, how many requests it took, the HTTP body bytes received and sent, and the Ansible
    module it ran (``webfarm.iis_cluster.node_ops_accounts``; None when it ran none)."""

    started: str
    ended: str
    requests: int = 0
    request_bytes: int = 0
    response_bytes: int = 0
    module: str | None = None


class WireAccounting:
    """The traffic account of one host's listener (its requests come from several threads)."""

    def __init__(self, record: Callable[[ExecutionTraffic], None]) -> None:
        self._record = record
        self._lock = threading.Lock()
        self._held = ExecutionTraffic(started="", ended="")
        # The executions of each open shell, oldest first.
        self._shells: dict[str, list[ExecutionTraffic]] = {}

    def exchange(
        self, shell_id: str | None, starts_command: bool, received: int, sent: int, *, module: str | None = None
    ) -> None:
        """Count one request of ``received`` body bytes and its response of ``sent``; ``module``
        is the module whose output the response delivered, if any."""
        with self._lock:
            stamp = now()
            executions = self._shells.setdefault(shell_id, []) if shell_id else None
            if executions is not None and starts_command:
                # The bytes held for the host (shell creation, logon) belong to this execution.
                execution = dataclasses.replace(self._held, started=stamp)
                self._held = ExecutionTraffic(started="", ended="")
                executions.append(execution)
            elif executions:
                execution = executions[-1]
            else:
                execution = self._held
            execution.ended = stamp
            if module is not None:
                execution.module = module
            execution.requests += 1
            execution.request_bytes += received
            execution.response_bytes += sent

    def close_shell(self, shell_id: str) -> None:
        """Record the executions of a deleted shell."""
        with self._lock:
            executions = self._shells.pop(shell_id, [])
        for execution in executions:
            self._record(execution)

    def close(self) -> None:
        """Record the executions of every shell still open (the listener stops)."""
        with self._lock:
            shell_ids = list(self._shells)
        for shell_id in shell_ids:
            self.close_shell(shell_id)
