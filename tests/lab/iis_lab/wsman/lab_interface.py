"""What the WinRM server needs from the simulated Windows hosts behind it."""

from __future__ import annotations

import threading
from typing import Any, Protocol


class LabBackend(Protocol):
    """The lab as the WinRM server sees it: hosts to log on to and a node_ops emulation.

    One address is one simulated host. Every call is made with ``lock`` held, so the
    implementation does not need its own locking against the server's threads.
    """

    lock: threading.RLock

    @property
    def addresses(self) -> list[str]:
        """The listener address of each host."""

    def authenticate(self, address: str, user: str, password: str) -> bool:
        """Whether ``user`` (``user``, ``DOMAIN\\user`` or ``user@dns.domain``) may log on to the host."""

    def ntlm_accounts(self) -> list[tuple[str, str, str]]:
        """Every ``(domain, user, password)`` an NTLM logon may name, in lookup order."""

    def runas_refusal(self, address: str, user: str, password: str) -> str | None:
        """Why the host refuses to start a process as ``user`` with ``password`` (runas become),
        as Ansible's become wrapper reports it; None when the logon succeeds."""

    def record_process(self, address: str, user: str, command_line: str) -> None:
        """Remember a process the host started, with its full command line."""

    def run_node_ops(
        self,
        address: str,
        module_args: dict[str, Any],
        *,
        user: str,
        become_user: str | None,
        become_with_password: bool,
    ) -> dict[str, Any]:
        """Run the node_ops emulation on the host for the logged-on ``user`` and return the
        module result."""

    def save(self) -> None:
        """Persist the lab state after a command."""
