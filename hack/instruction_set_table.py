"""Write the op table of docs/instruction-set.md from the instruction set as data.

    python hack/instruction_set_table.py    # rewrite the table (make instruction-set-table)

docs/instruction-set.yml describes every op (arguments, result schema); the table between the
markers in docs/instruction-set.md is never edited by hand, and tests/unit/test_op_contract.py
fails when it no longer matches the data.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "docs" / "instruction-set.yml"
PAGE = ROOT / "docs" / "instruction-set.md"
BEGIN = "<!-- op table: generated from instruction-set.yml by hack/instruction_set_table.py, do not edit -->"
END = "<!-- end of op table -->"


def shape(schema: t.Mapping[str, t.Any]) -> str:
    """A short name of a result schema's shape: "object", "list of object", "string or null"..."""
    if "oneOf" in schema:
        return " or ".join(shape(choice) for choice in schema["oneOf"])
    kinds = schema.get("type")
    if kinds == "array":
        return f"list of {shape(schema.get('items', {}))}"
    if isinstance(kinds, list):
        return " or ".join(kinds)
    return kinds or "any"


def table(ops: t.Mapping[str, t.Mapping[str, t.Any]]) -> str:
    """The Markdown table of every op, in the data's order."""
    lines = ["| op | kind | arguments (* required) | value |", "|---|---|---|---|"]
    for name, op in ops.items():
        arguments = ", ".join(
            f"`{arg}`{'*' if settings.get('required') else ''} {settings['type']}" for arg, settings in op["args"].items()
        )
        if "one_of" in op:
            arguments += f" (one of {', '.join(op['one_of'])})"
        kind = "write" if op["write"] else "read"
        lines.append(f"| `{name}` | {kind} | {arguments or 'none'} | {shape(op['result'])} |")
    return "\n".join(lines)


def rendered(page: str, ops: t.Mapping[str, t.Mapping[str, t.Any]]) -> str:
    """``page`` with the text between the markers replaced by the table."""
    start, end = page.index(BEGIN) + len(BEGIN), page.index(END)
    return f"{page[:start]}\n{table(ops)}\n{page[end:]}"


def contract_data() -> t.Mapping[str, t.Mapping[str, t.Any]]:
    """Every op of docs/instruction-set.yml by name."""
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))["ops"]


if __name__ == "__main__":
    PAGE.write_text(rendered(PAGE.read_text(encoding="utf-8"), contract_data()), encoding="utf-8")
