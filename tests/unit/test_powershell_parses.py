"""Every PowerShell file of the collection parses: the node_ops* modules and each module_util they load.

PowerShell cannot run where these tests run, so a syntax error in a module would first show on a
Windows host. The tree-sitter grammar for PowerShell finds it here instead.
"""

from __future__ import annotations

import pytest

from powershell_ops import INSTRUCTION_SET, NODE_OPS, ROOT, instruction_set_scripts, syntax_errors

# The files Ansible sends with the node_ops* modules, found by following their #AnsibleRequires lines.
POWERSHELL_FILES = instruction_set_scripts()


def test_the_collection_has_powershell_to_check():
    # An empty list would turn the parametrized test below into a skip.
    assert NODE_OPS in POWERSHELL_FILES
    assert INSTRUCTION_SET in POWERSHELL_FILES
    assert len(POWERSHELL_FILES) > 1, "node_ops.ps1 loads no module_util"


@pytest.mark.parametrize("path", POWERSHELL_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_parses_without_errors(path):
    errors = syntax_errors(path.read_bytes())
    assert not errors, "\n".join(f"{path.relative_to(ROOT)}:{error}" for error in errors)


# Each pair: a small valid script, and the same script with one mistake a reviewer could miss.
FIXED_AND_BROKEN = {
    "unclosed block": (
        "Function Get-Thing {\n    param($Name)\n    if ($Name) {\n        $Name\n    }\n}\n",
        "Function Get-Thing {\n    param($Name)\n    if ($Name) {\n        $Name\n}\n",
    ),
    "unclosed hashtable": (
        "$table = @{\n    Write = $true\n    Run = { 'x' }\n}\n$other = 1\n",
        "$table = @{\n    Write = $true\n    Run = { 'x' }\n\n$other = 1\n",
    ),
    "unclosed string": (
        "$message = 'closed'\nWrite-Output $message\n",
        "$message = 'not closed\nWrite-Output $message\n",
    ),
    "unclosed try": (
        "try {\n    Get-Thing\n}\ncatch {\n    throw\n}\n",
        "try {\n    Get-Thing\n\ncatch {\n    throw\n}\n",
    ),
    "unclosed switch": (
        "switch ($type) {\n    'LIST' { 1 }\n    default { 2 }\n}\n",
        "switch ($type) {\n    'LIST' { 1 }\n    default { 2 }\n",
    ),
}


@pytest.mark.parametrize("fixed, broken", FIXED_AND_BROKEN.values(), ids=FIXED_AND_BROKEN.keys())
def test_the_check_reports_a_broken_script_and_passes_the_fixed_one(fixed, broken):
    assert syntax_errors(fixed.encode()) == []
    errors = syntax_errors(broken.encode())
    assert errors, "the grammar accepted a broken script"
    assert all(1 <= error.line <= broken.count("\n") + 1 for error in errors)
