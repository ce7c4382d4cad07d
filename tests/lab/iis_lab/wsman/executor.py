"""Run one WinRS command on a simulated host: record the process, decode it, emulate it."""

from __future__ import annotations

import json
from typing import Any

from ..node_ops.contract import contract_modules, op_util
from .lab_interface import LabBackend
from .powershell import DecodedCommand, MissingScript, ModuleInvocation, decode_command
from .shell import CommandResult

__all__ = ["INSTRUCTION_SET_MODULES", "NODE_OPS_MODULE", "CommandResult", "execute"]

NODE_OPS_MODULE = "webfarm.iis_cluster.node_ops"
COLLECTION_UTIL_PREFIX = "ansible_collections.webfarm.iis_cluster.plugins.module_utils."
INSTRUCTION_SET_MODULES = frozenset(f"webfarm.iis_cluster.{name}" for name in contract_modules())
"""node_ops and its area modules (docs/instruction-set.yml's ``modules``): one emulation, each
running only the ops whose util its manifest holds."""


def execute(lab: LabBackend, address: str, user: str, command_line: str, stdin: bytes) -> CommandResult:
    """Run ``command_line`` as ``user`` on the host at ``address`` and return what the process printed.

    Only the instruction set's modules are emulated. Anything else fails the way a PowerShell
    module fails (a JSON result with ``failed`` and exit code 1) so that Ansible shows the reason.
    """
    lab.record_process(address, user, command_line)
    try:
        return _run(lab, address, user, decode_command(command_line, stdin))
    finally:
        lab.save_changes()


def _run(lab: LabBackend, address: str, user: str, command: DecodedCommand) -> CommandResult:
    if isinstance(command, MissingScript):
        return _module_result({"failed": True, "msg": command.message})
    if isinstance(command, ModuleInvocation) and command.module in INSTRUCTION_SET_MODULES:
        module = command.module
        unloaded = unloaded_util(command)
        if unloaded is not None:
            return _module_result({"failed": True, "msg": unloaded}, module)
        if command.become_user and command.become_password is not None:
            refusal = lab.runas_refusal(address, command.become_user, command.become_password)
            if refusal is not None:
                return _module_result({"failed": True, "msg": refusal}, module)
        result = lab.run_node_ops(
            address,
            command.args,
            user=user,
            become_user=command.become_user,
            become_with_password=command.become_with_password,
        )
        return _module_result(result, module)
    return _module_result(
        {
            "failed": True,
            "msg": f"iis-lab emulates only the {NODE_OPS_MODULE}* modules; "
            f"this command asked for {command.description}",
        }
    )


def unloaded_util(command: ModuleInvocation) -> str | None:
    """Why a module of the instruction set refuses the call before any instruction runs: an op
    whose util (docs/instruction-set.yml) its manifest does not hold, so that on Windows its
    functions would not exist. The module's own words (IisClusterInstructionSet.psm1's
    Get-InstructionProblem, which asks Windows PowerShell which utils it imported); None when
    every op's util is loaded. An unknown op is the emulation's to refuse."""
    loaded = {
        name[len(COLLECTION_UTIL_PREFIX) :].removesuffix(".psm1")
        for name in command.powershell_modules
        if name.startswith(COLLECTION_UTIL_PREFIX)
    }
    instructions = command.args.get("instructions")
    for index, instruction in enumerate(instructions if isinstance(instructions, list) else []):
        op = instruction.get("op") if isinstance(instruction, dict) else None
        util = op_util(op) if isinstance(op, str) else None
        if util is not None and util not in loaded:
            return f"instructions[{index}].op: {op} runs in the module_util {util}, which {command.module} does not load"
    return None


def _module_result(result: dict[str, Any], module: str | None = None) -> CommandResult:
    """A module's JSON result as its process output; exit code 1 when it failed, as exec_wrapper.ps1 does."""
    return CommandResult(
        stdout=json.dumps(result).encode(),
        stderr=b"",
        exit_code=1 if result.get("failed") else 0,
        module=module,
    )
