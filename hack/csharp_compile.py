"""Compile the collection's C# with Mono's mcs the way Ansible compiles it on Windows PowerShell 5.1.

    python hack/csharp_compile.py     # make csharp; exit 1 on any compiler error or warning

Ansible's exec wrapper compiles every ``#AnsibleRequires -CSharpUtil`` of a module in one
``Add-CSharpType`` call -- the module's own, its PowerShell module_utils' (ansible-core follows
their ``#AnsibleRequires`` lines) and the C# utils those name with ``using`` -- and a script's own
``Add-CSharpType -References @'...'@`` blocks each in a call of their own (ansible/executor/powershell/exec_wrapper.ps1,
ansible/module_utils/powershell/Ansible.ModuleUtils.AddType.psm1). On Windows PowerShell 5.1
that means csc.exe of .NET Framework, C# 5, ``/optimize``, warnings as errors, ``/nowarn:1610``,
the symbols ``WINDOWS`` and ``AMD64`` (``X86`` in a 32-bit process), and references to
System.dll, System.Core.dll, System.Management.Automation.dll plus each ``//AssemblyReference
-Name ... [-CLR Framework]``. This script does the same with ``mcs -langversion:5``, once per
architecture symbol.

Limit: Mono has no System.Management.Automation (PowerShell) and no System.Web.Extensions
JavaScriptSerializer of .NET Framework's shape, so Ansible.Basic, which needs both, is left out of
the unit; no C# of the collection refers to it (the instruction set uses it from PowerShell only). A
util that names a PowerShell type fails to compile here and says so. Mono compiles P/Invoke
declarations without loading the DLLs, so a wrong entry point or signature is still only found on
Windows.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The unit tests' reader of #AnsibleRequires lines: one definition of what a module loads.
sys.path.insert(0, str(ROOT / "tests" / "unit"))
from powershell_ops import COLLECTION_UTIL_PREFIX, module_scripts, required_utils  # noqa: E402

MODULES = ROOT / "plugins" / "modules"
# Needs System.Management.Automation, which Mono lacks (see the module docstring).
UNAVAILABLE_UTILS = frozenset({"Ansible.Basic"})
ARCHITECTURES = ("AMD64", "X86")

# A C# util names another as ansible-core's module_manifest.py reads it.
_USING = re.compile(r"^using\s+((?:Ansible\.|ansible_collections\.)[\w.]+);\s*$", re.M)
_INLINE = re.compile(r"Add-CSharpType\b[^\n]*-References\s+@'\r?\n(.*?)\r?\n'@", re.S | re.I)
_ASSEMBLY_REFERENCE = re.compile(r"//\s*AssemblyReference\s+-(Name|Type)\s+(\S+)(?:\s+-CLR\s+(\w+))?", re.I)
_NO_WARN = re.compile(r"//\s*NoWarn\s+-Name\s+(?:CS)?(\d+)(?:\s+-CLR\s+(\w+))?", re.I)
# Add-Type references these by default (AddType.psm1), less PowerShell's own assembly.
_DEFAULT_ASSEMBLIES = ("System.dll", "System.Core.dll")


def ansible_csharp_dir() -> Path:
    """Where the installed ansible-core keeps its C# module utils."""
    import ansible.module_utils.csharp as csharp

    return Path(csharp.__file__).parent


def util_source(name: str) -> Path:
    """The file of the C# util ``#AnsibleRequires -CSharpUtil name`` loads."""
    if name.startswith(COLLECTION_UTIL_PREFIX):
        return ROOT / "plugins" / "module_utils" / f"{name[len(COLLECTION_UTIL_PREFIX):]}.cs"
    return ansible_csharp_dir() / f"{name}.cs"


def csharp_utils(module: Path) -> list[str]:
    """Every C# util Ansible sends with a module, in the order first named."""
    names = [name for script in module_scripts(module) for name in required_utils(script.read_bytes(), "csharp")]
    utils: list[str] = []
    for name in names:
        if name in utils:
            continue
        utils.append(name)
        if name not in UNAVAILABLE_UTILS:
            names.extend(_USING.findall(util_source(name).read_text(encoding="utf-8")))
    return utils


def compile_units(module: Path) -> list[tuple[str, list[str]]]:
    """The C# units Ansible compiles for one module: (label, sources) in compile order."""
    units = []
    utils = [name for name in csharp_utils(module) if name not in UNAVAILABLE_UTILS]
    if utils:
        units.append((f"{module.name}: {', '.join(utils)}", [util_source(name).read_text(encoding="utf-8") for name in utils]))
    for script in module_scripts(module):
        text = script.read_text(encoding="utf-8")
        for match in _INLINE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            units.append((f"{script.name}:{line} inline Add-CSharpType", [match.group(1)]))
    return units


def compiler_arguments(sources: list[str], symbol: str) -> list[str]:
    """mcs options matching AddType.psm1's csc options for .NET Framework."""
    assemblies = list(_DEFAULT_ASSEMBLIES)
    no_warn = ["1610"]
    for source in sources:
        for kind, name, clr in _ASSEMBLY_REFERENCE.findall(source):
            if clr and clr.lower() != "framework":
                continue
            if kind.lower() == "type":
                raise SystemExit(f"//AssemblyReference -Type {name}: name the assembly (-Name) so mcs can find it")
            assemblies.append(name)
        no_warn.extend(code for code, clr in _NO_WARN.findall(source) if not clr or clr.lower() == "framework")
    return [
        "-langversion:5",
        "-target:library",
        "-optimize+",
        "-warnaserror+",
        f"-define:WINDOWS;{symbol}",
        f"-nowarn:{','.join(no_warn)}",
        *(f"-reference:{name}" for name in assemblies),
    ]


def run_mcs(mcs: str, work: Path, stem: str, sources: list[str], symbol: str) -> subprocess.CompletedProcess:
    """One compile of ``sources`` as one unit, as Add-CSharpType compiles them."""
    files = []
    for number, source in enumerate(sources):
        path = work / f"{stem}-{number}.cs"
        path.write_text(source, encoding="utf-8")
        files.append(str(path))
    command = [mcs, *compiler_arguments(sources, symbol), f"-out:{work / f'{stem}-{symbol}.dll'}", *files]
    return subprocess.run(command, capture_output=True, text=True, check=False)


# The gate must be able to fail: C# 6 syntax, a warning and the architecture symbol each decide.
_SELF_TEST = (
    ("clean C# 5", "public static class A { public static int B() { return 1; } }", True),
    ("C# 6 string interpolation", 'public static class A { public static string B(int c) { return $"{c}"; } }', False),
    ("warning CS0168", "public static class A { public static void B() { int unused; } }", False),
    ("architecture symbol", "#if !AMD64 && !X86\n#error no architecture\n#endif\npublic static class A { }", True),
)


def self_test(mcs: str, work: Path) -> bool:
    """Whether the compiler options accept clean C# 5 and refuse newer syntax and warnings."""
    passed = True
    for index, (label, source, accepted) in enumerate(_SELF_TEST):
        compiled = run_mcs(mcs, work, f"self-test-{index}", [source], ARCHITECTURES[0]).returncode == 0
        if compiled != accepted:
            passed = False
            print(f"self-test: {label} {'compiled' if compiled else 'failed'}, expected the opposite", file=sys.stderr)
    return passed


def main() -> int:
    mcs = shutil.which("mcs")
    if mcs is None:
        print("mcs not found: install the Debian packages mono-mcs and mono-devel (bindep.txt)", file=sys.stderr)
        return 1
    scripts = sorted(MODULES.glob("*.ps1"))
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        failed = not self_test(mcs, work)
        for script in scripts:
            for index, (label, sources) in enumerate(compile_units(script)):
                for symbol in ARCHITECTURES:
                    result = run_mcs(mcs, work, f"{script.stem}-{index}", sources, symbol)
                    print(f"mcs {symbol}: {label}: {'ok' if result.returncode == 0 else 'FAILED'}")
                    if result.returncode != 0:
                        failed = True
                        print(result.stdout + result.stderr, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
