"""The op table of the node_ops* modules (IisClusterInstructionSet.psm1), the lab's emulation of
it and the contract describe the same instruction set.

``docs/instruction-set.md`` is the contract. The PowerShell modules run it on Windows, the lab
(``iis_lab.node_ops``) runs it in every lab test: if the two disagreed on an op's name or on
whether it writes (refused in check mode, ``changed`` when it succeeds), the lab tests would prove
something about a module that does not exist.
"""

from __future__ import annotations

import re
import runpy

import pytest
import yaml
from iis_lab.node_ops import OPS

from powershell_ops import (
    INSTRUCTION_SET,
    ROOT,
    OperationTableError,
    command_string_runners,
    instruction_set_scripts,
    operation_arguments,
    operation_table,
)

CONTRACT = ROOT / "docs" / "instruction-set.md"
CONTRACT_DATA = ROOT / "docs" / "instruction-set.yml"

_OP_HEADING = re.compile(r"^### `(?P<name>[a-z_]+)`(?:\s+\((?P<kind>read|write)\))?", re.MULTILINE)


def contract_ops() -> dict[str, str | None]:
    """The ops the contract's "## Ops" section declares, with "read", "write" or None."""
    text = CONTRACT.read_text(encoding="utf-8")
    section = text[text.index("\n## Ops\n") + len("\n## Ops\n") :]
    following = re.search(r"^## ", section, re.MULTILINE)
    if following:
        section = section[: following.start()]
    return {match["name"]: match["kind"] for match in _OP_HEADING.finditer(section)}


@pytest.fixture(scope="module")
def powershell_ops():
    return operation_table(INSTRUCTION_SET.read_bytes())


def test_powershell_and_lab_have_the_same_ops(powershell_ops):
    assert sorted(powershell_ops) == sorted(OPS)


def test_powershell_and_lab_agree_on_which_ops_write(powershell_ops):
    assert {name: op.writes for name, op in powershell_ops.items()} == {name: spec.write for name, spec in OPS.items()}


def test_the_powershell_table_has_exactly_the_ops_of_the_contract(powershell_ops):
    declared = contract_ops()
    assert declared, f"no '### `op`' headings found under '## Ops' in {CONTRACT}"
    assert sorted(declared) == sorted(powershell_ops)


def test_the_contract_and_the_powershell_table_agree_on_which_ops_write(powershell_ops):
    labelled = {name: kind == "write" for name, kind in contract_ops().items() if kind is not None}
    assert labelled, "the contract labels no op (read) or (write)"
    assert labelled == {name: powershell_ops[name].writes for name in labelled}


@pytest.mark.parametrize("script", instruction_set_scripts(), ids=lambda path: path.name)
def test_node_ops_runs_no_command_string(script):
    assert command_string_runners(script.read_bytes()) == []


RUNS_A_COMMAND_STRING = {
    "Invoke-Expression": "Invoke-Expression -Command $text\n",
    "iex": "$text | iex\n",
    "Start-Process": "Start-Process -FilePath iissync.exe -ArgumentList $targets\n",
    "call operator on a variable": "& $command $argument\n",
    "call operator on a member": "& $operation.Run $argument\n",
    "call operator on an expandable string": '& "$tool.exe" /quiet\n',
    "dot-sourcing an expression": ". (Join-Path $folder 'x.ps1')\n",
    "ScriptBlock::Create": "$block = [ScriptBlock]::Create($text)\n",
    "full ScriptBlock type name": "[System.Management.Automation.ScriptBlock]::Create($text).Invoke()\n",
    "InvokeScript": "$ExecutionContext.InvokeCommand.InvokeScript($text)\n",
    "AddScript": "$null = [PowerShell]::Create().AddScript($text).Invoke()\n",
}

RUNS_NO_COMMAND_STRING = {
    "a cmdlet by name": "Get-CimInstance -ClassName Win32_ComputerSystem\n",
    "a literal script block": "& { param($x) $x } 1\n",
    "a script block from the op table, as a method": "$operation.Run.InvokeReturnAsIs($arguments, $secrets)\n",
    "the words in a comment and a string": "# never Invoke-Expression or iex\n$note = 'Start-Process is not used'\n",
}


@pytest.mark.parametrize("snippet", RUNS_A_COMMAND_STRING.values(), ids=RUNS_A_COMMAND_STRING.keys())
def test_the_check_finds_each_way_of_running_a_command_string(snippet):
    findings = command_string_runners(snippet.encode())
    assert len(findings) == 1, findings
    assert findings[0].line == 1


@pytest.mark.parametrize("snippet", RUNS_NO_COMMAND_STRING.values(), ids=RUNS_NO_COMMAND_STRING.keys())
def test_the_check_accepts_code_that_runs_no_command_string(snippet):
    assert command_string_runners(snippet.encode()) == []


def test_the_op_table_is_read_from_the_tree():
    source = b"""
# $operations = @{ 'in_a_comment' = @{ Write = $true; Run = {} } }
$operations = @{
    'reads' = @{
        Write = $false  # a comment
        Run = { param($Arguments, $Secrets) 'value' }
    }
    "writes" = @{ Run = ${function:Set-Thing}; write = $TRUE }
}
"""
    table = operation_table(source)
    assert {name: op.writes for name, op in table.items()} == {"reads": False, "writes": True}
    assert (table["reads"].line, table["writes"].line) == (4, 8)


@pytest.mark.parametrize(
    "source, problem",
    [
        (b"$ops = @{}\n", "assigned 0 times"),
        (b"$operations = @{}\n$operations = @{}\n", "assigned 2 times"),
        (b"$operations = Get-Operations\n", "not a hashtable literal"),
        (b"$operations = @{ reads = @{ Write = $false; Run = {} } }\n", "not a quoted constant string"),
        (b'$operations = @{ "$name" = @{ Write = $false; Run = {} } }\n', "not a quoted constant string"),
        (b"$operations = @{ 'reads' = @{ Write = 'no'; Run = {} } }\n", "Write = $true or Write = $false"),
        (b"$operations = @{ 'reads' = @{ Run = {} } }\n", "Write = $true or Write = $false"),
        (b"$operations = @{ 'reads' = @{ Write = $false } }\n", "no Run entry"),
        (b"$operations = @{ 'reads' = $readOp }\n", "not a hashtable literal"),
        (
            b"$operations = @{\n 'reads' = @{ Write = $false; Run = {} }\n 'reads' = @{ Write = $true; Run = {} }\n}\n",
            "declared twice",
        ),
    ],
)
def test_an_op_table_in_another_form_is_refused(source, problem):
    with pytest.raises(OperationTableError, match=re.escape(problem)):
        operation_table(source)


def test_the_op_table_declares_the_arguments_the_contract_data_gives():
    contract = yaml.safe_load(CONTRACT_DATA.read_text(encoding="utf-8"))["ops"]
    declared = operation_arguments(INSTRUCTION_SET.read_bytes())
    assert sorted(declared) == sorted(contract)
    for name, arguments in declared.items():
        expected = contract[name]
        assert arguments.types == {arg: settings["type"] for arg, settings in expected["args"].items()}, name
        assert sorted(arguments.required) == sorted(
            arg for arg, settings in expected["args"].items() if settings.get("required")
        ), name
        assert arguments.one_of == expected.get("one_of", []), name


# The generator's functions, without running it as a script (runpy gives it another __name__).
GENERATOR = runpy.run_path(str(ROOT / "hack" / "instruction_set_table.py"))


def test_the_op_table_of_the_contract_page_is_generated_from_the_data():
    page = CONTRACT.read_text(encoding="utf-8")

    assert GENERATOR["rendered"](page, GENERATOR["contract_data"]()) == page, "stale: run make instruction-set-table"


def test_the_table_follows_the_data():
    rendered, ops = GENERATOR["rendered"], GENERATOR["contract_data"]()
    page = CONTRACT.read_text(encoding="utf-8")

    edited = page.replace("| `host_facts` | read |", "| `host_facts` | write |")
    assert edited != page
    assert rendered(edited, ops) == page
    assert rendered(page, {**ops, "host_facts": {**ops["host_facts"], "write": True}}) == edited
