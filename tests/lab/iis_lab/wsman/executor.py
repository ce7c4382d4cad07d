"""Run one WinRS command on a simulated host: record the process, decode it, emulate it."""

from __future__ import annotations

import json
from typing import Any

from .lab_interface import LabBackend
from .powershell import DecodedCommand, MissingScript, ModuleInvocation, decode_command
from .shell import CommandResult

__all__ = ["NODE_OPS_MODULE", "CommandResult", "execute"]

NODE_OPS_MODULE = "webfarm.iis_cluster.node_ops"


def execute(lab: LabBackend, address: str, user: str, command_line: str, stdin: bytes) -> CommandResult:
    """Run ``command_line`` as ``user`` on the host at ``address`` and return what the process printed.

    Only the node_ops module is emulated. Anything else fails the way a PowerShell module
    fails (a JSON result with ``failed`` and exit code 1) so that Ansible shows the reason.
    """
    lab.record_process(address, user, command_line)
    try:
        return _run(lab, address, user, decode_command(command_line, stdin))
    finally:
        lab.save_changes()


def _run(lab: LabBackend, address: str, user: str, command: DecodedCommand) -> CommandResult:
    if isinstance(command, MissingScript):
        return _module_result({"failed": True, "msg": command.message})
    if isinstance(command, ModuleInvocation) and command.module == NODE_OPS_MODULE:
        if command.become_user and command.become_password is not None:
            refusal = lab.runas_refusal(address, command.become_user, command.become_password)
            if refusal is not None:
                return _module_result({"failed": True, "msg": refusal})
        result = lab.run_node_ops(
            address,
            command.args,
            user=user,
            become_user=command.become_user,
            become_with_password=command.become_with_password,
        )
        return _module_result(result)
    return _module_result(
        {
            "failed": True,
            "msg": f"iis-lab emulates only the {NODE_OPS_MODULE} module; "
            f"this command asked for {command.description}",
        }
    )


def _module_result(result: dict[str, Any]) -> CommandResult:
    """A module's JSON result as its process output; exit code 1 when it failed, as exec_wrapper.ps1 does."""
    return CommandResult(
        stdout=json.dumps(result).encode(),
        stderr=b"",
        exit_code=1 if result.get("failed") else 0,
    )
