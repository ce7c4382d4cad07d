"""node_ops.ps1 is dispatch only; each area of the Windows side is a PowerShell module_util.

ansible-core sends a module the utils its ``#AnsibleRequires -PowerShell`` lines name, each
util's own requirements included, and module_wrapper.ps1 loads each with ``New-Module |
Import-Module -Scope Global`` before the module runs: a util's functions are visible to the
module and to other utils only when exported, and a function is there only when some file in the
chain requires the util that defines it. There is no PowerShell here, so these checks read the
syntax tree: a function that a file calls but no required util exports would first fail on a
Windows host, as "The term '...' is not recognized".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from powershell_ops import (
    MODULE_UTILS,
    NODE_OPS,
    ROOT,
    called_commands,
    collection_util,
    defined_functions,
    exported_functions,
    module_scripts,
    required_utils,
)

MAX_UTIL_LINES = 400
"""One area per util: a file that grows past this holds more than one job."""
UTILS = sorted(MODULE_UTILS.glob("*.psm1"))
SCRIPTS = module_scripts()
# The functions of ansible-core's PowerShell utils that the collection's files call, by util.
CORE_UTIL_FUNCTIONS = {"Ansible.ModuleUtils.ArgvParser": {"argv-tostring"}}
# Windows PowerShell 5.1's own cmdlets that the collection's files call, and those of Windows'
# SmbShare module (Server 2012 and later). A name here that is also a function of a util would
# hide it; a name missing here is a function nobody defines.
BUILTIN_CMDLETS = frozenset(
    name.lower()
    for name in (
        "Export-ModuleMember", "ForEach-Object", "Get-CimInstance", "Get-ItemProperty", "Join-Path",
        "New-Object", "Select-Object", "Sort-Object", "Test-Path", "Where-Object",
        "Get-SmbShareAccess", "Grant-SmbShareAccess", "New-SmbShare", "Revoke-SmbShareAccess",
    )
)


def _ids(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _direct_utils(script: Path) -> list[Path]:
    names = required_utils(script.read_bytes(), "powershell")
    return [util for name in names if (util := collection_util(name, ".psm1")) is not None]


def test_node_ops_loads_every_util_and_each_exists():
    assert UTILS, "no PowerShell module_util in plugins/module_utils"
    assert all(path.exists() for path in SCRIPTS), [str(path) for path in SCRIPTS if not path.exists()]
    assert sorted(SCRIPTS[1:]) == UTILS, "a util that no file of node_ops.ps1 requires is dead code"


@pytest.mark.parametrize("util", UTILS, ids=_ids)
def test_each_util_is_under_the_size_limit(util):
    assert len(util.read_text(encoding="utf-8").splitlines()) <= MAX_UTIL_LINES


@pytest.mark.parametrize("util", UTILS, ids=_ids)
def test_each_util_exports_only_functions_it_defines_and_others_call(util):
    exported = exported_functions(util.read_bytes())
    assert exported, f"{util.name} has no Export-ModuleMember -Function: New-Module would export every helper"
    defined = {name.lower() for name in defined_functions(util.read_bytes())}
    assert [name for name in exported if name.lower() not in defined] == []
    callers = [script for script in SCRIPTS if util in _direct_utils(script)]
    called = {name.lower() for script in callers for name in called_commands(script.read_bytes())}
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
    assert sorted(name for name in called_commands(source) if name.lower() not in reachable) == []


def test_node_ops_is_dispatch_only():
    # Its functions check and run instructions; every Windows call is in a util.
    assert sorted(defined_functions(NODE_OPS.read_bytes())) == [
        "ConvertTo-PlainResult", "Get-CallProblem", "Get-InstructionArgument", "Get-InstructionProblem",
        "Test-ArgumentType",
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
