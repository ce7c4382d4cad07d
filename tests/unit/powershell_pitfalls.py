"""Windows PowerShell 5.1 pitfalls, found on the syntax tree of the collection's PowerShell.

No PowerShell runs where the tests run, so a defect in how PowerShell *behaves* is invisible to
the lab. Each rule here is a construct that behaves differently on Windows PowerShell 5.1 than it
reads, found by its shape in the tree (comments and strings never count):

* :func:`unnormalised_results` -- an op's result must leave through the one normaliser: a script
  block's ``InvokeReturnAsIs`` hands back PSObject-wrapped values, and ConvertTo-Json (which
  Ansible.Basic serialises results with) writes a wrapped array as ``{"value": [...], "Count": n}``
  (PowerShell/PowerShell#3222).
* :func:`unrolled_collections` -- a function that outputs a collection object without the unary
  comma hands its caller the items, not the collection (the pipeline enumerates it).
* :func:`universal_time_conversions` -- COM and WMI hand dates over as UTC already (or as local
  time with a kind PowerShell cannot know); ``ToUniversalTime()`` shifts them by the host's offset.
* :func:`version_pattern_tests` -- a version tested with a string pattern (``-like '6.*'``) says
  nothing about any other version; compare ``[version]`` values.
* :func:`null_on_the_right` -- ``$x -eq $null`` filters when ``$x`` is a collection instead of
  testing it; ``$null`` goes on the left.
* :func:`swallowed_errors` -- a catch that neither rethrows nor decides on the error's code or
  type hides a COM/ADSI failure's HRESULT from the error path. A catch passes when it contains
  ``throw``, is typed (``catch [SomeException]``), or reads the error's code (``HResult``,
  ``NativeErrorCode``, ``ErrorCode``) or its exception type (``-is``/``-isnot``) before deciding,
  or hands the error to the error path (``ConvertTo-WindowsError``, which reports its code).
* :func:`unbound_variables` -- a function reads a variable that neither it nor its file's script
  scope assigns. In a module_util that is the module-scope trap: ansible-core loads each util with
  ``New-Module | Import-Module -Scope Global``, so its functions see their own module's script
  variables and globals, never those of another file (IisClusterInstructionSet.psm1's ``$module``,
  the secrets).
  Without strict mode such a read is ``$null``, silently.
"""

from __future__ import annotations

import re
import typing as t

import tree_sitter

from powershell_ops import Finding, _child, _descendants, _finding, _text, parse

NORMALISER = "ConvertTo-PlainResult"
"""The function every op result passes through on its way to Ansible.Basic."""
ERROR_REPORTER = "ConvertTo-WindowsError"
"""The function that turns an exception into the instruction's error: Windows' code and text."""

# The methods that run a script block and hand back its output as PowerShell holds it.
_SCRIPT_BLOCK_RUNNERS = frozenset({"invokereturnasis"})
# Methods, and type names of constructors, that produce an enumerable collection object.
_COLLECTION_METHODS = frozenset({"getcollection"})
_COLLECTION_TYPE = re.compile(r"(^|\.)(List|ArrayList|HashSet|Queue|Stack|Collection|ObservableCollection)(`\d+)?(\[|$)", re.I)
_PATTERN_OPERATORS = frozenset(
    op + kind for op in ("-", "-i", "-c") for kind in ("like", "notlike", "match", "notmatch")
)
_EQUALITY_OPERATORS = frozenset(op + kind for op in ("-", "-i", "-c") for kind in ("eq", "ne"))
# Variables PowerShell defines itself (automatic and preference variables) that the code reads.
_AUTOMATIC_VARIABLES = frozenset(
    {"$_", "$psitem", "$null", "$true", "$false", "$args", "$input", "$this", "$matches", "$error",
     "$pscmdlet", "$psboundparameters", "$myinvocation", "$executioncontext", "$host", "$lastexitcode",
     "$psversiontable", "$psscriptroot", "$erroractionpreference"}
)
# Drive-qualified variables ($env:SystemRoot, ${function:Name}) read no script variable.
_DRIVE_VARIABLE = re.compile(r"^\$\{?(env|function|variable|alias):", re.I)
# The type constraints before an assigned variable, as in [string[]]$names.
_TYPE_CASTS = re.compile(r"^\s*(\[[\w.\[\], `]+\]\s*)*")
_SCOPE_PREFIX = re.compile(r"^\$(script|local|private):", re.I)
_ERROR_DECISIONS = re.compile(r"\b(hresult|nativeerrorcode|errorcode)\b|-isnot\b|-is\b", re.I)


def check(source: bytes) -> list[Finding]:
    """Every pitfall of every rule, in source order."""
    findings = [
        *unnormalised_results(source),
        *unrolled_collections(source),
        *universal_time_conversions(source),
        *version_pattern_tests(source),
        *null_on_the_right(source),
        *swallowed_errors(source),
        *unbound_variables(source),
    ]
    return sorted(findings, key=lambda finding: (finding.line, finding.column))


def unnormalised_results(source: bytes) -> list[Finding]:
    """Each ``InvokeReturnAsIs`` whose value does not go straight into the normaliser."""
    findings = []
    for node in _descendants(parse(source)):
        if node.type == "invocation_expression" and _member_name(node) in _SCRIPT_BLOCK_RUNNERS:
            if not _is_argument_of(node, NORMALISER):
                findings.append(_finding(node, f"the result of {_text(node)[:50]!r} does not pass through {NORMALISER}"))
    return findings


def unrolled_collections(source: bytes) -> list[Finding]:
    """Each function output of a variable holding a collection object, without the unary comma."""
    findings = []
    for function in (node for node in _descendants(parse(source)) if node.type == "function_statement"):
        collections = {
            _assigned_name(node)
            for node in _descendants(function)
            if node.type == "assignment_expression" and _makes_collection(_assigned_value(node))
        }
        collections.discard(None)
        for output in _outputs(function):
            name = _bare_variable(output)
            if name in collections:
                findings.append(_finding(output, f"{name} is a collection: output it as , {name}"))
    return findings


def universal_time_conversions(source: bytes) -> list[Finding]:
    """Each call of ``ToUniversalTime``."""
    return [
        _finding(node, "ToUniversalTime() shifts a date COM or WMI gave as UTC by the host's offset")
        for node in _descendants(parse(source))
        if node.type == "invocation_expression" and _member_name(node) == "touniversaltime"
    ]


def version_pattern_tests(source: bytes) -> list[Finding]:
    """Each string pattern test of a version: an operand names a version, or the pattern is one."""
    findings = []
    for node in _descendants(parse(source)):
        operator = _comparison_operator(node)
        if operator not in _PATTERN_OPERATORS:
            continue
        left, right = node.named_children[0], node.named_children[-1]
        if "version" in _text(left).lower() or re.fullmatch(r"""['"]\^?\d+(\\?\.(\d+|\*))*\\?\.?\*?['"]""", _text(right)):
            findings.append(_finding(node, f"{_text(node)[:60]!r} tests a version as a string: compare [version] values"))
    return findings


def null_on_the_right(source: bytes) -> list[Finding]:
    """Each equality test with ``$null`` as its right operand."""
    findings = []
    for node in _descendants(parse(source)):
        if _comparison_operator(node) in _EQUALITY_OPERATORS and _text(node.named_children[-1]).strip().lower() == "$null":
            findings.append(_finding(node, f"{_text(node)[:60]!r}: put $null on the left"))
    return findings


def swallowed_errors(source: bytes) -> list[Finding]:
    """Each catch that neither rethrows nor decides on the error's code or type."""
    findings = []
    for clause in (node for node in _descendants(parse(source)) if node.type == "catch_clause"):
        if _child(clause, "catch_type_list") is not None:
            continue
        body = _child(clause, "statement_block")
        rethrows = any(node.type == "throw" for node in _descendants(body))
        reports = any(_command_name(node) == ERROR_REPORTER.lower() for node in _descendants(body))
        if not rethrows and not reports and not _ERROR_DECISIONS.search(_code_text(body)):
            findings.append(_finding(clause, "this catch hides the error's HRESULT: rethrow, or decide on its code"))
    return findings


def unbound_variables(source: bytes) -> list[Finding]:
    """Each read, inside a function, of a variable that the function does not bind (a parameter,
    a ``foreach`` variable or an assignment anywhere in it) and the file's script scope does not
    assign, PowerShell's automatic variables aside."""
    root = parse(source)
    script_scope = {
        name
        for node in _descendants(root)
        if node.type == "assignment_expression" and not _inside(node, ("function_statement", "script_block_expression"))
        for name in _assigned_names(node)
    }
    findings = []
    for function in (node for node in _descendants(root) if node.type == "function_statement"):
        bound = set(script_scope) | _AUTOMATIC_VARIABLES
        for node in _descendants(function):
            if node.type == "assignment_expression":
                bound.update(_assigned_names(node))
            elif node.type in ("script_parameter", "foreach_statement"):
                variable = _child(node, "variable")
                if variable is not None:
                    bound.add(_variable_name(variable))
        for node in _descendants(function):
            if node.type != "variable" or _DRIVE_VARIABLE.match(_text(node)):
                continue
            name = _variable_name(node)
            if name not in bound:
                findings.append(_finding(node, f"{_text(node)} is not assigned in this function or its file's script scope"))
                bound.add(name)
    return findings


def _variable_name(variable: tree_sitter.Node) -> str:
    """A variable's name as PowerShell looks it up: any case, without a $script: prefix or braces."""
    text = _text(variable).lower()
    if text.startswith("${") and text.endswith("}"):
        text = "$" + text[2:-1]
    return _SCOPE_PREFIX.sub("$", text)


def _assigned_names(assignment: tree_sitter.Node) -> set[str]:
    """The variables an assignment binds: ``$x = ...``, ``[string[]]$x = ...`` and ``$a, $b = ...``
    (not ``$x[i] = ...``)."""
    left = _child(assignment, "left_assignment_expression")
    if left is None:
        return set()
    targets = [left]
    listed = next((node for node in _descendants(left) if node.type == "array_literal_expression"), None)
    if listed is not None:
        targets = [child for child in listed.named_children]
    names = set()
    for target in targets:
        variables = [node for node in _descendants(target) if node.type == "variable"]
        if len(variables) == 1 and _TYPE_CASTS.sub("", _text(target)).lower() == _text(variables[0]).lower():
            names.add(_variable_name(variables[0]))
    return names


def _inside(node: tree_sitter.Node, types: tuple[str, ...]) -> bool:
    current = node.parent
    while current is not None:
        if current.type in types:
            return True
        current = current.parent
    return False


def _member_name(invocation: tree_sitter.Node) -> str:
    member = _child(invocation, "member_name")
    return _text(member).lower() if member is not None else ""


def _command_name(node: tree_sitter.Node) -> str | None:
    name = _child(node, "command_name") if node.type == "command" else None
    return _text(name).lower() if name is not None else None


def _comparison_operator(node: tree_sitter.Node) -> str | None:
    if node.type != "comparison_expression":
        return None
    operator = _child(node, "comparison_operator")
    return _text(operator).lower() if operator is not None else None


def _is_argument_of(node: tree_sitter.Node, command_name: str) -> bool:
    """Whether ``node`` lies inside an argument of a call of the command ``command_name``."""
    current = node.parent
    while current is not None:
        if _command_name(current) == command_name.lower():
            return True
        current = current.parent
    return False


def _assigned_name(assignment: tree_sitter.Node) -> str | None:
    left = _child(assignment, "left_assignment_expression")
    if left is None:
        return None
    variables = [node for node in _descendants(left) if node.type == "variable"]
    return _text(variables[0]).lower() if len(variables) == 1 and _text(left).strip().lower() == _text(variables[0]).lower() else None


def _assigned_value(assignment: tree_sitter.Node) -> tree_sitter.Node | None:
    """What an assignment assigns: an expression, or a statement such as ``if`` or ``try``."""
    return assignment.named_children[-1] if assignment.named_child_count >= 3 else None


def _makes_collection(value: tree_sitter.Node | None) -> bool:
    if value is None:
        return False
    for node in _descendants(value):
        if node.type == "invocation_expression":
            if _member_name(node) in _COLLECTION_METHODS:
                return True
            type_literal = _child(node, "type_literal")
            if _member_name(node) == "new" and type_literal is not None and _COLLECTION_TYPE.search(_text(type_literal).strip("[] ")):
                return True
        if _command_name(node) == "new-object" and _COLLECTION_TYPE.search(
                " ".join(_text(element) for element in node.named_children if element.type == "command_elements")
            ):
                return True
    return False


def _outputs(function: tree_sitter.Node) -> t.Iterator[tree_sitter.Node]:
    """The statements of a function whose value becomes its output: ``return x`` and bare pipelines."""
    for node in _descendants(function):
        if node.type == "flow_control_statement" and node.children and node.children[0].type == "return":
            pipeline = _child(node, "pipeline")
            if pipeline is not None:
                yield pipeline
        elif node.type == "pipeline" and node.parent is not None and node.parent.type == "statement_list":
            yield node


def _bare_variable(pipeline: tree_sitter.Node) -> str | None:
    """The variable a pipeline consists of, without any operator (so not ``, $x``)."""
    current = pipeline
    while current.type != "variable":
        if current.named_child_count != 1 or current.child_count != 1:
            return None
        current = current.named_children[0]
    return _text(current).lower()


def _code_text(node: tree_sitter.Node | None) -> str:
    """The text of ``node`` without its comments."""
    if node is None:
        return ""
    return " ".join(_text(leaf) for leaf in _descendants(node) if leaf.child_count == 0 and leaf.type != "comment")
