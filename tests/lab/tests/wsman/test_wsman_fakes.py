"""A fake lab and a running-server helper shared by the wsman tests (no tests here).

The fake has three hosts on 127.0.0.201-203, a domain administrator valid everywhere and a
local administrator of the second host only; its node_ops emulation echoes the call.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from iis_lab.wsman import RunningLab, start
from iis_lab.wsman.accounting import ExecutionTraffic

ADDRESSES = ["127.0.0.201", "127.0.0.202", "127.0.0.203"]
DOMAIN_PASSWORD = "Dom-Adm1n!pass"
LOCAL_PASSWORD = "N0de2-local!pass"
DOMAIN_ADMIN = "WEBFARM\\Administrator"
DOMAIN_ADMIN_UPN = "Administrator@webfarm.test"
LOCAL_ADMIN = "NODE2\\localadmin"


@dataclass(frozen=True)
class NodeOpsCall:
    address: str
    module_args: dict[str, Any]
    user: str
    become_user: str | None
    become_with_password: bool


class FakeLab:
    """Implements the Lab interface the WinRM server codes against, and records every call."""

    def __init__(self, node_ops_result: dict[str, Any] | None = None) -> None:
        self.addresses = list(ADDRESSES)
        self.node_ops_result = node_ops_result
        self.processes: list[tuple[str, str, str]] = []
        self.node_ops_calls: list[NodeOpsCall] = []
        self.saves = 0
        self.executions: list[tuple[str, ExecutionTraffic]] = []

    def authenticate(self, address: str, user: str, password: str) -> bool:
        domain_admin = user.casefold() in (DOMAIN_ADMIN.casefold(), DOMAIN_ADMIN_UPN.casefold())
        local_admin = user.casefold() == LOCAL_ADMIN.casefold() and address == ADDRESSES[1]
        return (domain_admin and password == DOMAIN_PASSWORD) or (local_admin and password == LOCAL_PASSWORD)

    def ntlm_accounts(self, address: str) -> list[tuple[str, str, str]]:
        return [
            ("WEBFARM", "Administrator", DOMAIN_PASSWORD),
            ("", DOMAIN_ADMIN_UPN, DOMAIN_PASSWORD),
            ("NODE2", "localadmin", LOCAL_PASSWORD),
        ]

    def runas_refusal(self, address: str, user: str, password: str) -> str | None:
        return None

    def record_process(self, address: str, user: str, command_line: str) -> None:
        self.processes.append((address, user, command_line))

    def run_node_ops(
        self,
        address: str,
        module_args: dict[str, Any],
        *,
        user: str,
        become_user: str | None,
        become_with_password: bool,
    ) -> dict[str, Any]:
        self.node_ops_calls.append(
            NodeOpsCall(address, module_args, user, become_user, become_with_password)
        )
        if self.node_ops_result is not None:
            return self.node_ops_result
        return {"changed": False, "results": [{"op": "host_facts", "status": "ok", "value": {"address": address}}]}

    def save_changes(self) -> None:
        self.saves += 1

    def record_execution(self, address: str, traffic: ExecutionTraffic) -> None:
        self.executions.append((address, traffic))


def free_port() -> int:
    """A TCP port that was free a moment ago (the hosts' addresses all share it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(lab: FakeLab) -> Iterator[RunningLab]:
    """The WinRM server for ``lab`` on a free port, stopped afterwards."""
    running = start(lab, free_port())
    try:
        yield running
    finally:
        running.stop()


def endpoint(running: RunningLab, address: str) -> str:
    return f"http://{address}:{running.port}/wsman"
