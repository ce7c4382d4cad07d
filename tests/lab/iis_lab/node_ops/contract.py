"""The instruction set as data, ``docs/instruction-set.yml``, as the lab holds itself to it.

Every value an op returns is checked against the op's ``result`` JSON Schema before it leaves the
lab, so a lab op that answers in a shape the contract does not describe (an array wrapped as
``{"value": [...], "Count": n}``, a field too many or missing) fails the test that called it, in
the lab's own tests and under the real ansible-playbook alike. The lab's argument declarations
(:class:`~.spec.OpSpec`), which check every call's arguments, are tested equal to ``args``.
"""

from __future__ import annotations

import functools
import typing as t
from pathlib import Path

import jsonschema
import yaml

CONTRACT_FILE = Path(__file__).resolve().parents[4] / "docs" / "instruction-set.yml"


class ContractViolation(AssertionError):
    """The lab answered outside the contract: a defect of the lab (or of the contract)."""


@functools.cache
def _contract() -> t.Mapping[str, t.Any]:
    # Parsed once per lab, with libyaml where PyYAML has it: every lab a test starts reads it.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return t.cast(t.Mapping[str, t.Any], yaml.load(CONTRACT_FILE.read_text(encoding="utf-8"), Loader=loader))  # noqa: S506


def contract_ops() -> t.Mapping[str, t.Mapping[str, t.Any]]:
    """Every op of the contract by name: ``write``, ``util``, ``args``, ``one_of`` and ``result``."""
    return t.cast(t.Mapping[str, t.Mapping[str, t.Any]], _contract()["ops"])


@functools.cache
def contract_modules() -> t.Mapping[str, frozenset[str]]:
    """Every module of the instruction set (``node_ops_accounts``, ...) and the PowerShell utils of
    the collection it loads (``IisClusterMetabase``, ...)."""
    return {name: frozenset(module["utils"]) for name, module in _contract()["modules"].items()}


def op_util(op: str) -> str | None:
    """The util an op runs in (its ``util``), or None for an op the contract does not describe."""
    spec = contract_ops().get(op)
    return None if spec is None else str(spec["util"])


@functools.cache
def _result_validator(op: str) -> jsonschema.protocols.Validator:
    if op not in contract_ops():
        raise ContractViolation(f"{op} is not in docs/instruction-set.yml: describe its args and result there")
    schema = contract_ops()[op]["result"]
    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    validator_class.check_schema(schema)
    return validator_class(schema)


def check_result(op: str, value: t.Any) -> None:
    """Raise :class:`ContractViolation` when ``op`` is not in the contract or ``value`` is
    outside its result schema."""
    validator = _result_validator(op)
    error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "the value"
        raise ContractViolation(f"{op}: {where}: {error.message} (docs/instruction-set.yml)")
