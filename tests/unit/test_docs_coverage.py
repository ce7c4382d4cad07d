"""The operator's pages keep up with the collection: docs/inventory.md documents every option of
every role's argument spec with its default and whether it is secret, and docs/kb-steps.md names
every role, every module and only operations the instruction set has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
ROLES = sorted(path.parent.parent.name for path in ROOT.glob("roles/*/meta/argument_specs.yml"))
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("[!_]*.py"))

_ROW = re.compile(r"^\|\s*`([a-z_]+)`\s*\|")


def _options() -> list[tuple[str, str, str, dict]]:
    """(role, entry point, option, spec) of every option of every role's argument spec."""
    found = []
    for role in ROLES:
        specs = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
        for entry_point, spec in specs.items():
            found += [(role, entry_point, name, option) for name, option in spec.get("options", {}).items()]
    return found


def _variable_rows() -> dict[str, list[str]]:
    """The variable tables of docs/inventory.md: name -> cells (meaning, default, secret)."""
    rows = {}
    for line in (DOCS / "inventory.md").read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            rows[match.group(1)] = cells[1:]
    return rows


def _shown(value: object) -> str:
    """A default as the page writes it."""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list):
        return f"`[{', '.join(str(item) for item in value)}]`"
    return f"`{value}`"


def test_every_role_has_options():
    assert {"domain_accounts", "node_access", "anonymous_identity", "wam_identity", "metabase_sync"} <= set(ROLES)
    assert len(_options()) > 30


@pytest.mark.parametrize(
    ("role", "entry_point", "name", "spec"), _options(), ids=lambda value: value if isinstance(value, str) else ""
)
def test_inventory_page_documents_the_option(role, entry_point, name, spec):
    rows = _variable_rows()
    assert name in rows, f"docs/inventory.md has no row for {name} ({role}, entry point {entry_point})"
    if len(rows[name]) != 3:
        pytest.fail(f"docs/inventory.md: the row of {name} needs the cells meaning, default, secret")
    _meaning, default, secret = rows[name]
    assert secret == ("yes" if spec.get("no_log") else "no"), f"{name}: no_log is {bool(spec.get('no_log'))}"
    value = spec.get("default")
    # A templated default is described in words; any other is written as it is.
    if value is not None and "{{" not in str(value):
        assert _shown(value) in default, f"{name}: the default is {value!r}"


def test_kb_steps_page_names_every_role_and_module():
    text = (DOCS / "kb-steps.md").read_text(encoding="utf-8")
    missing = [name for name in [*ROLES, *MODULES] if f"`{name}`" not in text]
    assert not missing, f"docs/kb-steps.md does not name {missing}"


def test_kb_steps_page_names_only_operations_of_the_instruction_set():
    ops = set(re.findall(r"^### `([a-z_]+)`", (DOCS / "instruction-set.md").read_text(encoding="utf-8"), re.M))
    paragraphs = re.findall(r"\*\*Operations\.\*\*(.*?)(?:\n\n|$)", (DOCS / "kb-steps.md").read_text(), re.S)
    named = {name for paragraph in paragraphs for name in re.findall(r"`([a-z_]+)`", paragraph)}
    assert len(paragraphs) == 6 and len(named) > 25
    assert named - set(MODULES) <= ops, f"not in docs/instruction-set.md: {sorted(named - set(MODULES) - ops)}"
