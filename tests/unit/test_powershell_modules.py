"""The node_ops* modules are their #AnsibleRequires lines and one call; the op table and the
dispatcher are one util (IisClusterInstructionSet.psm1); each area of the Windows side is a
PowerShell module_util.

ansible-core sends a module the utils its ``#AnsibleRequires -PowerShell`` lines name, each
util's own requirements included, and module_wrapper.ps1 loads each with ``New-Module |
Import-Module -Scope Global`` before the module runs: a util's functions are visible to the
module and to other utils only when exported, and a function is there only when some file in the
chain requires the util that defines it. There is no PowerShell here, so these checks read the
syntax tree: a function that a file calls but no required util exports would first fail on a
Windows host, as "The term '...' is not recognized". An op's Run block calls functions of its
op's util (``Util``, and ``util`` in docs/instruction-set.yml), which the module running it loads.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from powershell_ops import (
    INSTRUCTION_SET,
    INSTRUCTION_SET_MODULES,
    MODULE_UTILS,
    ROOT,
    called_commands,
    collection_util,
    defined_functions,
    exported_functions,
    instruction_set_scripts,
    module_scripts,
    operation_arguments,
    required_utils,
)

MAX_UTIL_LINES = 400
"""One area per util: a file that grows past this holds more than one job."""
LONGER_UTILS = {"IisClusterInstructionSet.psm1": 900}
"""The op table is one table, every op's entry beside the others, and the dispatcher reads it."""
UTILS = sorted(MODULE_UTILS.glob("*.psm1"))
SCRIPTS = instruction_set_scripts()
CONTRACT = yaml.safe_load((ROOT / "docs" / "instruction-set.yml").read_text(encoding="utf-8"))
OPERATIONS = operation_arguments(INSTRUCTION_SET.read_bytes())
# The functions of ansible-core's PowerShell utils that the collection's files call, by util.
CORE_UTIL_FUNCTIONS = {"Ansible.ModuleUtils.ArgvParser": {"argv-tostring"}}
# Windows PowerShell 5.1's own cmdlets that the collection's files call, and those of Windows'
# SmbShare module (Server 2012 and later). A name here that is also a function of a util would
# hide it; a name missing here is a function nobody defines.
BUILTIN_CMDLETS = frozenset(
    name.lower()
    for name in (
        "Export-ModuleMember", "ForEach-Object", "Get-CimInstance", "Get-ItemProperty", "Join-Path",
        "Get-Module", "New-Object", "Select-Object", "Sort-Object", "Test-Path", "Where-Object",
        "Get-SmbShareAccess", "Grant-SmbShareAccess", "New-SmbShare", "Revoke-SmbShareAccess",
    )
)


def _ids(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _direct_utils(script: Path) -> list[Path]:
    names = required_utils(script.read_bytes(), "powershell")
    return [util for name in names if (util := collection_util(name, ".psm1")) is not None]


def _calls(script: Path) -> set[str]:
    """What a file calls; the op table's Run blocks are the ops' utils' business (below)."""
    return called_commands(script.read_bytes(), outside_operations=script == INSTRUCTION_SET)


def _op_callers(util: Path) -> list[str]:
    """What the Run blocks of the ops whose util is ``util`` call."""
    return [name for op in OPERATIONS.values() if op.util == util.stem for name in op.run_calls]


def test_node_ops_loads_every_util_and_each_exists():
    assert UTILS, "no PowerShell module_util in plugins/module_utils"
    scripts = module_scripts()
    assert all(path.exists() for path in scripts), [str(path) for path in scripts if not path.exists()]
    assert sorted(scripts[1:]) == UTILS, "a util that no file of node_ops.ps1 requires is dead code"


def test_the_modules_of_the_contract_are_the_node_ops_modules():
    assert sorted(CONTRACT["modules"]) == sorted(module.stem for module in INSTRUCTION_SET_MODULES)


@pytest.mark.parametrize("module", INSTRUCTION_SET_MODULES, ids=_ids)
def test_each_module_loads_the_utils_the_contract_lists(module):
    loaded = [script.stem for script in module_scripts(module)[1:]]
    assert sorted(loaded) == sorted(CONTRACT["modules"][module.stem]["utils"])
    assert loaded[0] == INSTRUCTION_SET.stem, "the instruction set comes first: the module calls it"


def _sent_bytes(module: Path) -> int:
    """The bytes of the module and of the collection's PowerShell and C# utils it loads."""
    scripts = module_scripts(module)
    csharp = {
        util
        for script in scripts
        for name in required_utils(script.read_bytes(), "csharp")
        if (util := collection_util(name, ".cs")) is not None
    }
    csharp |= {  # a C# util requires another with `using`
        util
        for path in list(csharp)
        for name in re.findall(r"^using (ansible_collections\.[\w.]+);", path.read_text(), re.M)
        if (util := collection_util(name, ".cs")) is not None
    }
    return sum(path.stat().st_size for path in [*scripts, *csharp])


def test_the_contract_lists_the_modules_smallest_first():
    sizes = {name: _sent_bytes(ROOT / "plugins" / "modules" / f"{name}.ps1") for name in CONTRACT["modules"]}
    assert list(CONTRACT["modules"]) == sorted(sizes, key=sizes.get), sizes


@pytest.mark.parametrize("module", INSTRUCTION_SET_MODULES, ids=_ids)
def test_each_module_is_its_requirements_and_one_call(module):
    source = module.read_bytes()
    assert defined_functions(source) == []
    assert called_commands(source) == {"Invoke-InstructionSet"}
    assert f"-ModuleName 'webfarm.iis_cluster.{module.stem}'".encode() in source


def test_each_op_names_the_util_the_contract_gives():
    assert {name: op.util for name, op in OPERATIONS.items()} == {
        name: op["util"] for name, op in CONTRACT["ops"].items()
    }


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_each_op_runs_only_functions_its_util_exports(name):
    op = OPERATIONS[name]
    util = MODULE_UTILS / f"{op.util}.psm1"
    assert util.exists(), f"{name}: no util {op.util}"
    exported = {function.lower() for function in exported_functions(util.read_bytes()) or []}
    calls = [call for call in op.run_calls if call.lower() not in BUILTIN_CMDLETS]
    assert calls, f"{name}: its Run block calls no function of {op.util}"
    assert sorted(call for call in calls if call.lower() not in exported) == []


@pytest.mark.parametrize("util", UTILS, ids=_ids)
def test_each_util_is_under_the_size_limit(util):
    limit = LONGER_UTILS.get(util.name, MAX_UTIL_LINES)
    assert len(util.read_text(encoding="utf-8").splitlines()) <= limit


@pytest.mark.parametrize("util", UTILS, ids=_ids)
def test_each_util_exports_only_functions_it_defines_and_others_call(util):
    exported = exported_functions(util.read_bytes())
    assert exported, f"{util.name} has no Export-ModuleMember -Function: New-Module would export every helper"
    defined = {name.lower() for name in defined_functions(util.read_bytes())}
    assert [name for name in exported if name.lower() not in defined] == []
    callers = [script for script in SCRIPTS if util in _direct_utils(script)]
    called = {name.lower() for script in callers for name in _calls(script)}
    called |= {name.lower() for name in _op_callers(util)}
    assert [name for name in exported if name.lower() not in called] == [], "exported but called by no requiring file"


def test_no_two_files_define_the_same_function():
    # Every util is imported into the global scope: a second definition would shadow the first.
    owners: dict[str, list[str]] = {}
    for script in SCRIPTS:
        for name in defined_functions(script.read_bytes()):
            owners.setdefault(name.lower(), []).append(script.name)
    assert {name: files for name, files in owners.items() if len(files) > 1} == {}


@pytest.mark.parametrize("script", SCRIPTS, ids=_ids)
def test_every_call_reaches_a_function_the_file_defines_or_requires(script):
    source = script.read_bytes()
    reachable = {name.lower() for name in defined_functions(source)} | BUILTIN_CMDLETS
    for util in _direct_utils(script):
        reachable.update(name.lower() for name in exported_functions(util.read_bytes()) or [])
    for name in required_utils(source, "powershell"):
        reachable.update(CORE_UTIL_FUNCTIONS.get(name, set()))
    assert sorted(name for name in _calls(script) if name.lower() not in reachable) == []


def test_the_instruction_set_is_dispatch_only():
    # Its functions check and run instructions; every Windows call is in a util.
    assert sorted(defined_functions(INSTRUCTION_SET.read_bytes())) == [
        "ConvertTo-PlainResult", "Get-CallProblem", "Get-InstructionArgument", "Get-InstructionProblem",
        "Get-LoadedUtil", "Invoke-InstructionSet", "Test-ArgumentType",
    ]


def test_the_readers_see_what_they_should():
    source = b"""#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.A
#ansiblerequires -csharputil Ansible.Process
# #AnsibleRequires -PowerShell not.at.line.start
Function Get-A { Get-B; $x = if ($y) { 1 }
    else { 2 } }
Export-ModuleMember -Function Get-A,
    Get-C
"""
    assert required_utils(source, "powershell") == ["ansible_collections.webfarm.iis_cluster.plugins.module_utils.A"]
    assert required_utils(source, "csharp") == ["Ansible.Process"]
    assert defined_functions(source) == ["Get-A"]
    assert exported_functions(source) == ["Get-A", "Get-C"]
    assert exported_functions(b"Function Get-A { }") is None
    assert called_commands(source) == {"Get-B", "Export-ModuleMember"}


def test_the_contract_page_names_every_util():
    page = (ROOT / "docs" / "instruction-set.md").read_text(encoding="utf-8")
    assert [util.name for util in UTILS if f"`{util.name}`" not in page] == []
