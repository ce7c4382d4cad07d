# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Sending batches of instructions to one Windows node through the instruction set's modules.

This is for internal collection use only; the API may change at any time.

The wire format is described in ``docs/instruction-set.md``. One :meth:`NodeSession.run` is one
remote execution, whatever the number of instructions in it, of the smallest ``node_ops*``
module that runs every op of the batch (:mod:`._node_ops_modules`).
"""

from __future__ import annotations

import dataclasses
import json
import typing as t

from ansible.errors import AnsibleActionFail

from ._node_ops_modules import module_for
from ._windows_errors import describe

if t.TYPE_CHECKING:
    from ansible.plugins.action import ActionBase

NODE_OPS_MODULE = "webfarm.iis_cluster.node_ops"
"""The module that loads every util: the one for a batch whose ops the contract does not know (it
refuses them, naming the op)."""


@dataclasses.dataclass(frozen=True)
class Instruction:
    """One named operation for the node, with its arguments.

    Arguments never hold a secret: a secret is named by ``secret`` and its value travels in the
    module's ``no_log`` ``secrets`` argument, so an instruction is always safe to print.
    """

    op: str
    args: t.Mapping[str, t.Any] = dataclasses.field(default_factory=dict)

    def to_wire(self) -> dict[str, t.Any]:
        return {"op": self.op, "args": dict(self.args)}

    def __str__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.args.items())
        return f"{self.op}({shown})"


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What the node reported for one instruction."""

    instruction: Instruction
    status: str  # "ok", "failed" or "not_run"
    value: t.Any = None
    error_code: int | None = None
    error_message: str = ""


class NodeOpError(AnsibleActionFail):
    """An instruction failed on the node with a Windows error."""

    def __init__(self, host: str, outcome: Outcome) -> None:
        self.host = host
        self.outcome = outcome
        code = outcome.error_code if outcome.error_code is not None else 0
        super().__init__(f"{outcome.instruction} failed on {host}: {describe(code, outcome.error_message)}")

    @property
    def code(self) -> int:
        return self.outcome.error_code or 0


class NodeSession:
    """Runs instruction batches on the host of the current task.

    ``action`` is the action plugin the task runs; the session borrows its connection through
    ``_execute_module``, so become, check mode and the WinRM settings of the task all apply.
    """

    def __init__(self, action: ActionBase, task_vars: dict[str, t.Any]) -> None:
        self._action = action
        self._task_vars = task_vars

    @property
    def host(self) -> str:
        """The host the instructions run on: the one a task is delegated to (the domain
        controller, for steps 1-3), else the task's own."""
        task = getattr(self._action, "_task", None)
        return str(getattr(task, "delegate_to", None) or self._task_vars.get("inventory_hostname", "the node"))

    def run(
        self,
        instructions: t.Sequence[Instruction],
        secrets: t.Mapping[str, str] | None = None,
        *,
        stop_on_error: bool = True,
    ) -> list[Outcome]:
        """Run ``instructions`` in one remote execution, through the smallest module that runs
        them all, and return one outcome each.

        Raises :class:`~ansible.errors.AnsibleActionFail` when the module itself refuses the
        call (a malformed batch is a bug in this collection, not a Windows error).
        """
        module_args = {
            "instructions": [instruction.to_wire() for instruction in instructions],
            "secrets": dict(secrets or {}),
            "stop_on_error": stop_on_error,
        }
        module = batch_module(instructions)
        raw = self._action._execute_module(
            module_name=module,
            module_args=module_args,
            task_vars=self._task_vars,
        )
        if raw.get("failed"):
            raise AnsibleActionFail(f"{module} failed on {self.host}: {raw.get('msg', 'no message')}")
        reported = raw.get("results")
        if not isinstance(reported, list) or len(reported) != len(instructions):
            raise AnsibleActionFail(
                f"{module} on {self.host} returned {len(reported or [])} results for "
                f"{len(instructions)} instructions"
            )
        return [_outcome(instruction, entry) for instruction, entry in zip(instructions, reported)]

    def query(self, batches: t.Sequence[t.Sequence[Instruction]]) -> list[list[Outcome]]:
        """Run the read-only ``batches`` in one remote execution, each distinct instruction once,
        and return the outcomes of each batch: a step that composes several modules' queries
        pays one execution. No outcome stops the others; :meth:`checked` raises for a failed one
        of the batches the caller uses."""
        distinct: dict[str, Instruction] = {}
        for batch in batches:
            for instruction in batch:
                distinct.setdefault(_key(instruction), instruction)
        outcomes = dict(zip(distinct, self.run(list(distinct.values()), stop_on_error=False)))
        return [[outcomes[_key(instruction)] for instruction in batch] for batch in batches]

    def values(
        self,
        instructions: t.Sequence[Instruction],
        secrets: t.Mapping[str, str] | None = None,
    ) -> list[t.Any]:
        """Run ``instructions`` and return their values, raising :class:`NodeOpError` on the
        first that failed."""
        return self.checked(self.run(instructions, secrets))

    def checked(self, outcomes: t.Sequence[Outcome]) -> list[t.Any]:
        """The values of ``outcomes``, raising :class:`NodeOpError` for the first that failed."""
        for outcome in outcomes:
            if outcome.status != "ok":
                raise NodeOpError(self.host, outcome)
        return [outcome.value for outcome in outcomes]


def batch_module(instructions: t.Sequence[Instruction]) -> str:
    """The module a batch goes to: the smallest that loads the util of each of its ops, or
    ``node_ops`` for a batch naming an op the contract does not describe (which it refuses)."""
    try:
        return module_for(instruction.op for instruction in instructions)
    except LookupError:
        return NODE_OPS_MODULE


def _key(instruction: Instruction) -> str:
    return json.dumps(instruction.to_wire(), sort_keys=True)


def _outcome(instruction: Instruction, entry: t.Mapping[str, t.Any]) -> Outcome:
    error = entry.get("error") or {}
    return Outcome(
        instruction=instruction,
        status=str(entry.get("status", "failed")),
        value=entry.get("value"),
        error_code=error.get("code"),
        error_message=str(error.get("message", "")),
    )
