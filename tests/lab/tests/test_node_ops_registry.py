"""The registry of ops matches the contract in docs/instruction-set.md."""

from __future__ import annotations

import pathlib
import re

import pytest

from iis_lab.node_ops import OPS

CONTRACT = pathlib.Path(__file__).resolve().parents[3] / "docs" / "instruction-set.md"


def contract_ops() -> dict[str, bool]:
    """Each op the contract documents (``### `name` (read|write)``) and whether it writes."""
    headings = re.findall(r"^### `(\w+)` \((read|write)\)", CONTRACT.read_text(encoding="utf-8"), re.MULTILINE)
    return {name: kind == "write" for name, kind in headings}


def test_lab_implements_exactly_the_documented_ops_with_the_documented_kind() -> None:
    documented = contract_ops()

    assert documented, f"no ops found in {CONTRACT}"
    assert {name: spec.write for name, spec in OPS.items()} == documented


def test_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        OPS["shell"] = OPS["host_facts"]  # type: ignore[index]
