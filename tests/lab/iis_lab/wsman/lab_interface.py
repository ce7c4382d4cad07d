"""What the WinRM server needs from the simulated Windows hosts behind it."""

from __future__ import annotations

from typing import Any, Protocol

from .accounting import ExecutionTraffic


class LabBackend(Protocol):
    """The lab as the WinRM server sees it: hosts to log on to and a node_ops emulation.

    One address is one simulated host. Calls come from the server's threads at once: the
    implementation takes the locks each needs (commands on different hosts may run concurrently).
    """

    @property
    def addresses(self) -> list[str]:
        """The listener address of each host."""

    def authenticate(self, address: str, user: str, password: str) -> bool:
        """Whether ``user`` (``user``, ``DOMAIN\\user`` or ``user@dns.domain``) may log on to the host."""

    def ntlm_accounts(self, address: str) -> list[tuple[str, str, str]]:
        """Every ``(domain, user, password)`` an NTLM logon may name, in lookup order."""

    def runas_refusal(self, address: str, user: str, password: str) -> str | None:
        """Why the host refuses to start a process as ``user`` with ``password`` (runas become),
        as Ansible's become wrapper reports it; None when the logon succeeds."""

    def record_process(self, address: str, user: str, command_line: str) -> None:
        """Remember a process the host started, with its full command line."""

    def record_execution(self, address: str, traffic: ExecutionTraffic) -> None:
        """Remember the WinRM traffic of one finished execution on the host."""

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

    def save_changes(self) -> None:
        """Persist what a command changed, once it is done (nothing when it changed nothing)."""
