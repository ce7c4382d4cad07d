"""The collection's PowerShell avoids the Windows PowerShell 5.1 pitfalls of powershell_pitfalls.py,
and each rule finds its pitfall in a bad snippet and passes the corrected one."""

from __future__ import annotations

import pytest

import powershell_pitfalls as pitfalls
from powershell_ops import INSTRUCTION_SET, ROOT, instruction_set_scripts

# The node_ops* modules and every module_util they load (their #AnsibleRequires lines, followed).
POWERSHELL_FILES = instruction_set_scripts()


@pytest.mark.parametrize("path", POWERSHELL_FILES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_no_pitfall_in_the_collection(path):
    assert [str(finding) for finding in pitfalls.check(path.read_bytes())] == []


def test_the_instruction_set_defines_the_normaliser_its_results_pass_through():
    source = INSTRUCTION_SET.read_text()
    assert f"Function {pitfalls.NORMALISER} {{" in source
    assert f"{pitfalls.NORMALISER} -Value ($operation.Run.InvokeReturnAsIs(" in source


# (rule, bad snippet, the same code corrected): the findings of issue 10 and their kin.
CASES = {
    "result not normalised": (
        pitfalls.unnormalised_results,
        "$value = $operation.Run.InvokeReturnAsIs($arguments, $secrets)",
        f"$value = {pitfalls.NORMALISER} -Value ($operation.Run.InvokeReturnAsIs($arguments, $secrets))",
    ),
    "COM+ collection unrolled": (
        pitfalls.unrolled_collections,
        "Function Get-C { param($C, $P) $collection = if ($null -eq $P) { $C.GetCollection('A') } else { $P.GetCollection('A', 1) }\n"
        "$collection.Populate()\n$collection }",
        "Function Get-C { param($C, $P) $collection = if ($null -eq $P) { $C.GetCollection('A') } else { $P.GetCollection('A', 1) }\n"
        "$collection.Populate()\n, $collection }",
    ),
    "list returned unrolled": (
        pitfalls.unrolled_collections,
        "Function Get-L { $list = [System.Collections.Generic.List[Object]]::new(); return $list }",
        "Function Get-L { $list = [System.Collections.Generic.List[Object]]::new(); return , $list }",
    ),
    "New-Object list unrolled": (
        pitfalls.unrolled_collections,
        "Function Get-L { $list = New-Object -TypeName System.Collections.ArrayList\n$list }",
        "Function Get-L { $list = New-Object -TypeName System.Collections.ArrayList\n, $list }",
    ),
    "COM date shifted": (
        pitfalls.universal_time_conversions,
        "$date = ([datetime]$arguments[4]).ToUniversalTime().ToString('s')",
        "$date = ([datetime]$arguments[4]).ToString('s')",
    ),
    "version as a pattern": (
        pitfalls.version_pattern_tests,
        "$sync = $true -and (Get-IisVersion) -notlike '6.*'",
        "$sync = $true -and [version](Get-IisVersion) -ge [version]'7.0'",
    ),
    "version property as a pattern": (
        pitfalls.version_pattern_tests,
        "if ($os.Version -match '^10\\.') { 1 }",
        "if ([version]$os.Version -ge [version]'10.0') { 1 }",
    ),
    "$null on the right": (
        pitfalls.null_on_the_right,
        "if ($members -eq $null) { 1 }",
        "if ($null -eq $members) { 1 }",
    ),
    "$null on the right of -ne": (
        pitfalls.null_on_the_right,
        "if ($members -cne $null) { 1 }",
        "if ($null -cne $members) { 1 }",
    ),
    "COM error swallowed": (
        pitfalls.swallowed_errors,
        "$share = try { [string]$computer.Value('ReplicationShare') } catch { $null }",
        "$share = try { [string]$computer.Value('ReplicationShare') } catch {\n"
        "  if ($_.Exception.HResult -ne $E_ADS_PROPERTY_NOT_SUPPORTED) { throw }\n  $null }",
    ),
    "module util reads the module's variable": (
        pitfalls.unbound_variables,
        "$LIMIT = 5\nFunction Get-A { param($Items) [string[]]$names = @($Items); $names.Count -le $LIMIT -and $module }",
        "$LIMIT = 5\nFunction Get-A { param($Items, $Module) [string[]]$names = @($Items); $names.Count -le $LIMIT -and $Module }",
    ),
    "function reads another function's variable": (
        pitfalls.unbound_variables,
        "Function Get-A { $cache = @{} }\nFunction Get-B { foreach ($k in @(1)) { $cache[$k] } }",
        "$cache = @{}\nFunction Get-A { $cache.Clear() }\nFunction Get-B { foreach ($k in @(1)) { $cache[$k] } }",
    ),
    "COM error skipped": (
        pitfalls.swallowed_errors,
        "foreach ($n in $names) { try { $k.GetPropertyAttribObj($n) } catch { continue } }",
        "foreach ($n in $names) { try { $k.GetPropertyAttribObj($n) } catch { ConvertTo-WindowsError -Exception $_.Exception } }",
    ),
}


@pytest.mark.parametrize("rule, bad, good", CASES.values(), ids=CASES.keys())
def test_the_rule_finds_the_bad_snippet_and_passes_the_good_one(rule, bad, good):
    found = rule(bad.encode())
    assert len(found) == 1, found
    assert found[0].line >= 1
    assert rule(good.encode()) == []
    # check() runs every rule: the corrected snippet has no pitfall of any kind.
    assert pitfalls.check(good.encode()) == []


def test_a_comment_or_string_never_counts():
    source = b"# $x -eq $null and .ToUniversalTime()\n$message = 'use -like ''6.*'' and $y -eq $null'"
    assert pitfalls.check(source) == []
