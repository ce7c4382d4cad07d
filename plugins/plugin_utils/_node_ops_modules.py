# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which of the instruction set's modules runs a batch.

This is for internal collection use only; the API may change at any time.

Every ``node_ops*`` module runs the same op table, but each loads only the module_utils of its
areas, and Ansible sends (and Windows compiles) with every execution exactly what the module
loads. The contract (``docs/instruction-set.yml``, shipped with the collection) names each op's
util and each module's utils, smallest module first: a batch goes to the first module that loads
the util of every op in it. ``node_ops`` loads every util, so any batch of known ops has one.
"""

from __future__ import annotations

import dataclasses
import functools
import typing as t
from pathlib import Path

from ._yaml_file import load_yaml_file

CONTRACT_FILE = Path(__file__).resolve().parents[2] / "docs" / "instruction-set.yml"
COLLECTION = "webfarm.iis_cluster"


@dataclasses.dataclass(frozen=True)
class InstructionSetModules:
    """The contract's op -> util table and its modules, smallest first."""

    op_utils: t.Mapping[str, str]
    module_utils: t.Mapping[str, frozenset[str]]
    """Each module's short name (``node_ops_accounts``) and the utils it loads, in contract order."""

    def module_for(self, ops: t.Iterable[str]) -> str:
        """The fully qualified name of the smallest module that runs every op of ``ops``.

        Raises :class:`LookupError` for an op the contract does not describe, or when no module
        loads every util the ops need (a contract without a catch-all module).
        """
        needed = set()
        for op in ops:
            if op not in self.op_utils:
                raise LookupError(f"{op} is not an op of the instruction set (docs/instruction-set.yml)")
            needed.add(self.op_utils[op])
        for name, utils in self.module_utils.items():
            if needed <= utils:
                return f"{COLLECTION}.{name}"
        raise LookupError(f"no module of the instruction set loads every util of {sorted(needed)}")


def from_contract(contract: t.Mapping[str, t.Any]) -> InstructionSetModules:
    """The modules the contract data (``docs/instruction-set.yml``, parsed) describes."""
    op_utils = {name: str(op["util"]) for name, op in contract["ops"].items()}
    modules = {name: frozenset(str(util) for util in module["utils"]) for name, module in contract["modules"].items()}
    return InstructionSetModules(op_utils=op_utils, module_utils=modules)


@functools.lru_cache(maxsize=1)
def shipped() -> InstructionSetModules:
    """The modules of the contract that ships with the collection (read once per process)."""
    return from_contract(load_yaml_file(CONTRACT_FILE))


# Read as the action plugins are imported: Ansible imports a task's action plugin in its main
# process before it forks the task's worker for each host, so every worker inherits the parsed
# contract instead of parsing it again for each execution.
shipped()


def module_for(ops: t.Iterable[str]) -> str:
    """The smallest module of the shipped contract that runs every op of ``ops``."""
    return shipped().module_for(ops)
