"""Reading the collection's PowerShell through the tree-sitter grammar for PowerShell.

PowerShell cannot run where the unit tests run, so the tests read the source instead: syntax
errors, the op table of ``IisClusterInstructionSet.psm1`` (the hashtable literal assigned to
``$operations``), the functions each op's ``Run`` block calls,
constructs that would run a command string, and which files a module loads and which functions
each defines, exports and calls. Everything but the ``#AnsibleRequires`` lines (comments, read as
ansible-core's module_manifest.py reads them) works on the syntax tree, so comments and strings
never count as code.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t
from pathlib import Path

import tree_sitter
import tree_sitter_pwsh

POWERSHELL = tree_sitter.Language(tree_sitter_pwsh.language())

ROOT = Path(__file__).resolve().parents[2]
NODE_OPS = ROOT / "plugins" / "modules" / "node_ops.ps1"
"""The module that loads every util."""
MODULE_UTILS = ROOT / "plugins" / "module_utils"
INSTRUCTION_SET = MODULE_UTILS / "IisClusterInstructionSet.psm1"
"""The op table and the dispatcher every module of the instruction set runs."""
INSTRUCTION_SET_MODULES = sorted((ROOT / "plugins" / "modules").glob("node_ops*.ps1"))
"""node_ops.ps1 and the area modules, each its #AnsibleRequires lines and one call."""
COLLECTION_UTIL_PREFIX = "ansible_collections.webfarm.iis_cluster.plugins.module_utils."

OPERATIONS_VARIABLE = "$operations"
"""The variable that holds the op table; IisClusterInstructionSet.psm1 assigns it exactly once."""

# Cmdlets (and their aliases) that run a string as PowerShell or start a process from one.
_COMMAND_STRING_CMDLETS = frozenset({"invoke-expression", "iex", "start-process", "saps", "start"})
# Static and instance methods that turn a string into code.
_SCRIPT_FROM_STRING_TYPES = frozenset({"scriptblock", "system.management.automation.scriptblock"})
_SCRIPT_FROM_STRING_METHODS = frozenset({"invokescript", "newscriptblock", "addscript"})
# What makes the target of `&` or `.` a value computed at run time rather than a name or a block.
_COMPUTED = frozenset({"variable", "parenthesized_expression", "sub_expression", "array_expression"})


@dataclasses.dataclass(frozen=True)
class Finding:
    """Something found at one place of a PowerShell source."""

    line: int
    """1-based."""
    column: int
    """1-based."""
    what: str

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.what}"


@dataclasses.dataclass(frozen=True)
class OperationDeclaration:
    """One entry of the op table."""

    name: str
    writes: bool
    line: int


class OperationTableError(ValueError):
    """The op table is not in the form the tests (and reviewers) rely on."""


def parse(source: bytes) -> tree_sitter.Node:
    """The root of the syntax tree of ``source``."""
    return tree_sitter.Parser(POWERSHELL).parse(source).root_node


def syntax_errors(source: bytes) -> list[Finding]:
    """Every place the grammar could not parse (``ERROR``) or had to assume a token (missing)."""
    findings = []
    for node in _descendants(parse(source)):
        if node.is_missing:
            findings.append(_finding(node, f"missing {node.type!r}"))
        elif node.type == "ERROR":
            findings.append(_finding(node, f"cannot parse {_text(node)[:60]!r}"))
    return findings


def command_string_runners(source: bytes) -> list[Finding]:
    """Every construct that runs a command string or a computed command.

    That is ``Invoke-Expression`` and ``Start-Process`` (and their aliases), script blocks made
    from strings (``[scriptblock]::Create``, ``InvokeScript``, ``NewScriptBlock``, ``AddScript``)
    and ``&`` or ``.`` applied to a variable or an expression. Calling a literal script block
    (``& { ... }``) or a command by its name is fine.
    """
    findings = []
    for node in _descendants(parse(source)):
        if node.type == "command":
            findings.extend(_command_findings(node))
        elif node.type == "invocation_expression":
            findings.extend(_invocation_findings(node))
    return findings


def operation_table(source: bytes) -> dict[str, OperationDeclaration]:
    """The op table: each op's name and whether it writes, read from the hashtable literal
    assigned to ``$operations``.

    Raises :class:`OperationTableError` unless that variable is assigned exactly once, a hashtable
    literal whose keys are quoted op names and whose values are hashtable literals with
    ``Write = $true`` or ``Write = $false`` and a ``Run`` entry.
    """
    assignments = [
        node
        for node in _descendants(parse(source))
        if node.type == "assignment_expression" and _assigned_variable(node) == OPERATIONS_VARIABLE
    ]
    if len(assignments) != 1:
        raise OperationTableError(f"{OPERATIONS_VARIABLE} is assigned {len(assignments)} times, not once")
    table = _hash_literal(_child(assignments[0], "assignment_value"), OPERATIONS_VARIABLE)

    operations: dict[str, OperationDeclaration] = {}
    for key, value in _hash_entries(table):
        name = _string_value(key)
        where = f"line {_line(key)}: op {name!r}"
        if name in operations:
            raise OperationTableError(f"{where} is declared twice")
        # PowerShell hashtable keys are case-insensitive.
        entries = {_text(entry_key).lower(): entry for entry_key, entry in _hash_entries(_hash_literal(value, name))}
        if "run" not in entries:
            raise OperationTableError(f"{where} has no Run entry")
        writes = _text(entries["write"]).lower() if "write" in entries else None
        if writes not in ("$true", "$false"):
            raise OperationTableError(f"{where} needs Write = $true or Write = $false")
        operations[name] = OperationDeclaration(name=name, writes=writes == "$true", line=_line(key))
    return operations


@dataclasses.dataclass(frozen=True)
class OperationArguments:
    """What the op table declares about one op's arguments."""

    types: dict[str, str]
    """Each argument's type name (``Args``)."""
    required: list[str]
    one_of: list[str]
    util: str | None = None
    """The module_util of its area (``Util``), a quoted constant string."""
    run_calls: frozenset[str] = frozenset()
    """The commands its ``Run`` block calls."""


def operation_arguments(source: bytes) -> dict[str, OperationArguments]:
    """Each op's ``Args``, ``Required``, ``OneOf`` and ``Util`` entries and the commands its
    ``Run`` block calls, read from the op table literal (whose form :func:`operation_table` checks)."""
    assignment = next(
        node
        for node in _descendants(parse(source))
        if node.type == "assignment_expression" and _assigned_variable(node) == OPERATIONS_VARIABLE
    )
    table = _hash_literal(_child(assignment, "assignment_value"), OPERATIONS_VARIABLE)
    declared = {}
    for key, value in _hash_entries(table):
        entries = {_text(entry_key).lower(): entry for entry_key, entry in _hash_entries(_hash_literal(value, _text(key)))}
        types = {_text(name): _string_value(kind) for name, kind in _hash_entries(_hash_literal(entries["args"], "Args"))}
        declared[_string_value(key)] = OperationArguments(
            types=types,
            required=_string_list(entries.get("required")),
            one_of=_string_list(entries.get("oneof")),
            util=_string_value(entries["util"]) if "util" in entries else None,
            run_calls=frozenset(_commands_in(entries["run"])),
        )
    return declared


def _string_list(node: tree_sitter.Node | None) -> list[str]:
    """The quoted constant strings of an array literal such as ``@('path', 'property')``."""
    if node is None:
        return []
    return [_text(literal)[1:-1] for literal in _descendants(node) if literal.type == "string_literal"]


def module_options(source: bytes, spec_variable: str = "$spec") -> dict[str, dict[str, t.Any]]:
    """The options of an Ansible.Basic module: each option's settings (``type``, ``required``,
    ``default``, ``no_log``, ...) read from the ``options`` hashtable of the spec literal.

    String, boolean, integer and empty-hashtable settings are returned as Python values; any
    other setting as its source text.
    """
    assignments = [
        node
        for node in _descendants(parse(source))
        if node.type == "assignment_expression" and _assigned_variable(node) == spec_variable
    ]
    if len(assignments) != 1:
        raise OperationTableError(f"{spec_variable} is assigned {len(assignments)} times, not once")
    spec = dict(
        (_text(key).lower(), value)
        for key, value in _hash_entries(_hash_literal(_child(assignments[0], "assignment_value"), spec_variable))
    )
    if "options" not in spec:
        raise OperationTableError(f"{spec_variable} has no options")
    return {
        _text(name): {
            _text(setting).lower(): _literal(value)
            for setting, value in _hash_entries(_hash_literal(option, _text(name)))
        }
        for name, option in _hash_entries(_hash_literal(spec["options"], "options"))
    }


def _literal(node: tree_sitter.Node) -> t.Any:
    """The Python value of a constant PowerShell expression, or its source text."""
    text = _text(node).strip()
    lowered = text.lower()
    if lowered in ("$true", "$false"):
        return lowered == "$true"
    if text.replace(" ", "") == "@{}":
        return {}
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" and "$" not in text:
        return text[1:-1]
    try:
        return int(text)
    except ValueError:
        return text


# ansible-core's patterns (executor/powershell/module_manifest.py): one util per line, any case.
_REQUIRES = {
    "powershell": re.compile(r"^#\s*ansiblerequires\s+-powershell\s+([\w.]+)", re.I | re.M),
    "csharp": re.compile(r"^#\s*ansiblerequires\s+-csharputil\s+([\w.]+)", re.I | re.M),
}


def required_utils(source: bytes, kind: t.Literal["powershell", "csharp"]) -> list[str]:
    """The names of the utils of one kind a PowerShell file requires, in the order it names them."""
    return _REQUIRES[kind].findall(source.decode("utf-8"))


def collection_util(name: str, extension: str) -> Path | None:
    """The file of a util of this collection by the name a ``#AnsibleRequires`` line gives, or None
    for a util of ansible-core."""
    if not name.startswith(COLLECTION_UTIL_PREFIX):
        return None
    return MODULE_UTILS / f"{name[len(COLLECTION_UTIL_PREFIX):]}{extension}"


def module_scripts(module: Path = NODE_OPS) -> list[Path]:
    """The module and every PowerShell util of the collection it loads, following the
    ``#AnsibleRequires -PowerShell`` lines of each file as ansible-core does (recursively): the
    module first, then each util once, in the order first named."""
    scripts = [module]
    for script in scripts:
        for name in required_utils(script.read_bytes(), "powershell"):
            util = collection_util(name, ".psm1")
            if util is not None and util not in scripts:
                scripts.append(util)
    return scripts


def instruction_set_scripts() -> list[Path]:
    """Every module of the instruction set, then every util any of them loads, each once."""
    scripts = list(INSTRUCTION_SET_MODULES)
    for module in INSTRUCTION_SET_MODULES:
        scripts.extend(script for script in module_scripts(module)[1:] if script not in scripts)
    return scripts


def defined_functions(source: bytes) -> list[str]:
    """The names of the functions a file defines, in source order."""
    return [
        _text(_child(node, "function_name"))
        for node in _descendants(parse(source))
        if node.type == "function_statement" and _child(node, "function_name") is not None
    ]


def exported_functions(source: bytes) -> list[str] | None:
    """The functions ``Export-ModuleMember -Function a, b`` names, or None without that call."""
    exports = None
    for node in _descendants(parse(source)):
        if node.type != "command" or _text(_child(node, "command_name") or node).lower() != "export-modulemember":
            continue
        elements = _child(node, "command_elements")
        names = [_text(token) for token in _descendants(elements) if token.type == "generic_token"] if elements else []
        exports = (exports or []) + names
    return exports


# The grammar reads an `else` on the line after `$x = if (...) { }` as a command of that name.
_KEYWORDS = frozenset({"else", "elseif"})


def called_commands(source: bytes, *, outside_operations: bool = False) -> set[str]:
    """The names of the commands a file calls (cmdlets and functions alike); with
    ``outside_operations``, leaving out the op table's ``Run`` blocks (checked op by op against
    each op's util instead: :func:`operation_arguments`)."""
    root = parse(source)
    skipped = _operations_table(root) if outside_operations else None
    return set(_commands_in(root, skipped))


def _commands_in(root: tree_sitter.Node, skipped: tree_sitter.Node | None = None) -> t.Iterator[str]:
    stack = [root]
    while stack:
        node = stack.pop()
        if skipped is not None and node == skipped:
            continue
        if (
            node.type == "command"
            and (name := _child(node, "command_name")) is not None
            and _text(name).lower() not in _KEYWORDS
        ):
            yield _text(name)
        stack.extend(node.children)


def _operations_table(root: tree_sitter.Node) -> tree_sitter.Node | None:
    assignment = next(
        (
            node
            for node in _descendants(root)
            if node.type == "assignment_expression" and _assigned_variable(node) == OPERATIONS_VARIABLE
        ),
        None,
    )
    return None if assignment is None else _child(assignment, "assignment_value")


def _command_findings(command: tree_sitter.Node) -> list[Finding]:
    name = _child(command, "command_name")
    if name is not None and _text(name).lower() in _COMMAND_STRING_CMDLETS:
        return [_finding(command, f"{_text(name)} runs a command string")]
    operator = _child(command, "command_invocation_operator")
    target = _child(command, "command_name_expr")
    if operator is None or target is None:
        return []
    computed = [node for node in _descendants(target) if node.type in _COMPUTED]
    if target.named_children[0].type != "script_block_expression" and computed:
        return [_finding(command, f"{_text(operator)} runs the computed command {_text(target)}")]
    return []


def _invocation_findings(invocation: tree_sitter.Node) -> list[Finding]:
    member = _child(invocation, "member_name")
    method = _text(member).lower() if member is not None else ""
    if method in _SCRIPT_FROM_STRING_METHODS:
        return [_finding(invocation, f"{_text(member)} makes a script from a string")]
    type_literal = _child(invocation, "type_literal")
    if method == "create" and type_literal is not None:
        if _text(type_literal).strip("[]").strip().lower() in _SCRIPT_FROM_STRING_TYPES:
            return [_finding(invocation, f"{_text(type_literal)}::Create makes a script block from a string")]
    return []


def _assigned_variable(assignment: tree_sitter.Node) -> str | None:
    left = _child(assignment, "left_assignment_expression")
    return _text(left).strip().lower() if left is not None else None


def _hash_literal(node: tree_sitter.Node | None, owner: str) -> tree_sitter.Node:
    """The hashtable literal that ``node`` (an assigned or entry value) consists of."""
    current = node
    # An assigned or entry value wraps its expression in single-child pipeline nodes.
    while current is not None and current.type != "hash_literal_expression" and current.named_child_count == 1:
        current = current.named_children[0]
    if current is None or current.type != "hash_literal_expression":
        where = f"line {_line(node)}: " if node is not None else ""
        raise OperationTableError(f"{where}the value of {owner} is not a hashtable literal")
    return current


def _hash_entries(hash_literal: tree_sitter.Node) -> list[tuple[tree_sitter.Node, tree_sitter.Node]]:
    """The (key_expression, value) pairs of a hashtable literal, in source order."""
    body = _child(hash_literal, "hash_literal_body")
    if body is None:
        return []
    pairs = []
    for entry in body.named_children:
        if entry.type != "hash_entry":
            continue
        key = _child(entry, "key_expression")
        value = next((child for child in entry.named_children if child.type not in ("key_expression", "comment")), None)
        if key is None or value is None:
            raise OperationTableError(f"line {_line(entry)}: cannot read the entry {_text(entry)[:60]!r}")
        pairs.append((key, value))
    return pairs


def _string_value(key: tree_sitter.Node) -> str:
    """The value of a quoted key without variables (``'host_facts'`` or ``"host_facts"``)."""
    literal = next((node for node in _descendants(key) if node.type == "string_literal"), None)
    if literal is None or any(node.type in _COMPUTED for node in _descendants(literal)):
        raise OperationTableError(f"line {_line(key)}: op name {_text(key)} is not a quoted constant string")
    return _text(literal)[1:-1]


def _child(node: tree_sitter.Node, node_type: str) -> tree_sitter.Node | None:
    return next((child for child in node.named_children if child.type == node_type), None)


def _descendants(node: tree_sitter.Node) -> t.Iterator[tree_sitter.Node]:
    """``node`` and every node below it, depth first, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def _line(node: tree_sitter.Node) -> int:
    return node.start_point.row + 1


def _finding(node: tree_sitter.Node, what: str) -> Finding:
    return Finding(line=_line(node), column=node.start_point.column + 1, what=what)
