"""Work out what a WinRM client asked PowerShell to run.

Ansible runs a PowerShell module as ``PowerShell ... -EncodedCommand <bootstrap_wrapper.ps1>``
with a manifest on stdin: a JSON ``exec_wrapper`` part, then (after a line of four NUL
characters) the scripts and the actions to run, the last of which is ``module_wrapper.ps1``
holding the module's name and arguments. Everything else a client can send (raw PowerShell,
Ansible's file transfer wrappers) is described in a few words so the lab can say what it
refused. Become passwords are in the actions' ``secure_params``: kept only in memory, for the
host to check the runas logon (never in a repr or a record).

module_wrapper.ps1 loads the module's script, then each of its ``PowerShellModules``, then its
``CSharpModules``, each from the manifest's ``scripts`` by name (exec_wrapper.ps1's
Get-AnsibleScript); a name the manifest lacks fails the whole run before the module starts.
The lab checks the same, in the same order, and fails with the same text.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

# A line of bootstrap_wrapper.ps1 (ansible-core 2.16+); the script is not matched by its
# start because Ansible may prepend Set-StrictMode to commands it encodes.
BOOTSTRAP_MARKER = '$PSVersionTable.PSVersion -lt [Version]"5.1"'
PAYLOAD_SEPARATOR = b"\n\0\0\0\0\n"
MODULE_WRAPPER = "module_wrapper.ps1"
BECOME_WRAPPER = "become_wrapper.ps1"
ASYNC_WRAPPER = "async_wrapper.ps1"
_DESCRIPTION_WIDTH = 80


@dataclass(frozen=True)
class ModuleInvocation:
    """An Ansible module run through the bootstrap wrapper."""

    module: str
    """Fully qualified name, e.g. ``webfarm.iis_cluster.node_ops``."""
    args: dict[str, Any]
    """The module's ``complex_args``, including Ansible's ``_ansible_*`` keys."""
    become_user: str | None
    become_with_password: bool
    become_password: str | None = field(default=None, repr=False)
    powershell_modules: tuple[str, ...] = ()
    """The PowerShell utils module_wrapper.ps1 loads before the module, as the manifest names them
    (``ansible_collections.<ns>.<coll>.plugins.module_utils.<name>.psm1``)."""

    @property
    def description(self) -> str:
        """A few words saying what was asked for."""
        return f"ansible module {self.module}"


@dataclass(frozen=True)
class UnsupportedScript:
    """Anything that is not an Ansible module invocation."""

    description: str


@dataclass(frozen=True)
class MissingScript:
    """A module run whose manifest lacks a script module_wrapper.ps1 loads: Windows fails it."""

    name: str

    @property
    def message(self) -> str:
        """The failure exec_wrapper.ps1 reports (Write-AnsibleErrorJson around Get-AnsibleScript's error)."""
        return f"failure during exec_wrapper: Could not find the script '{self.name}'."


DecodedCommand = ModuleInvocation | UnsupportedScript | MissingScript


def decode_command(command_line: str, stdin: bytes) -> DecodedCommand:
    """Decode a command line (WinRS Command and Arguments joined) and the stdin it was given."""
    script = encoded_script(command_line)
    if script is None:
        return UnsupportedScript(f"raw command: {_first_line(command_line)}")
    if BOOTSTRAP_MARKER not in script:
        return UnsupportedScript(f"raw PowerShell: {_first_line(script)}")
    return decode_bootstrap_input(stdin)


def encoded_script(command_line: str) -> str | None:
    """The script passed with ``-EncodedCommand`` (base64 of UTF-16LE), or None if there is none."""
    arguments = command_line.split()
    for switch, value in zip(arguments, arguments[1:]):
        if _is_encoded_command_switch(switch):
            try:
                return base64.b64decode(value, validate=True).decode("utf-16-le")
            except (binascii.Error, UnicodeDecodeError):
                return None
    return None


def _is_encoded_command_switch(argument: str) -> bool:
    # powershell.exe takes '-' or '/' and any prefix of EncodedCommand (it checks this before
    # ExecutionPolicy, so '-e' is EncodedCommand), plus the alias 'ec'; case does not matter.
    if argument[:1] not in ("-", "/"):
        return False
    name = argument[1:].lower()
    return bool(name) and ("encodedcommand".startswith(name) or name == "ec")


def decode_bootstrap_input(stdin: bytes) -> DecodedCommand:
    """Decode the manifest Ansible pipes into bootstrap_wrapper.ps1."""
    parts = stdin.split(PAYLOAD_SEPARATOR)
    if len(parts) < 2:
        return UnsupportedScript("ansible bootstrap wrapper without a manifest on stdin")
    try:
        manifest = json.loads(parts[1])
        actions = {action["name"]: action for action in manifest["actions"]}
        last_action = manifest["actions"][-1]["name"]
    except (ValueError, KeyError, IndexError, TypeError):
        return UnsupportedScript("ansible bootstrap wrapper with an unreadable manifest")
    module = actions.get(MODULE_WRAPPER)
    if module is None:
        return UnsupportedScript(f"ansible wrapper {last_action}")
    params = module.get("params") or {}
    missing = _missing_script(params, manifest.get("scripts") or {})
    if missing is not None:
        return MissingScript(missing)
    return _module_invocation(params, actions)


def _missing_script(params: dict[str, Any], scripts: dict[str, Any]) -> str | None:
    """The first script module_wrapper.ps1 would load that the manifest does not hold."""
    wanted = [str(params.get("Script", "")), *(params.get("PowerShellModules") or []), *(params.get("CSharpModules") or [])]
    return next((name for name in wanted if name not in scripts), None)


def _module_invocation(params: dict[str, Any], actions: dict[str, dict[str, Any]]) -> DecodedCommand:
    name = module_name(str(params.get("Script", "")))
    if ASYNC_WRAPPER in actions:
        return UnsupportedScript(f"ansible module {name} run asynchronously")
    args = _complex_args(params)
    if args is None:
        return UnsupportedScript(f"ansible PowerShell script {name}")
    utils = tuple(str(util) for util in params.get("PowerShellModules") or [])
    become = actions.get(BECOME_WRAPPER)
    if become is None:
        return ModuleInvocation(
            module=name, args=args, become_user=None, become_with_password=False, powershell_modules=utils
        )
    password = (become.get("secure_params") or {}).get("BecomePassword")
    return ModuleInvocation(
        module=name,
        args=args,
        become_user=(become.get("params") or {}).get("BecomeUser"),
        become_with_password=bool(password),
        become_password=password if isinstance(password, str) and password else None,
        powershell_modules=utils,
    )


def _complex_args(params: dict[str, Any]) -> dict[str, Any] | None:
    # Scripts (ansible.builtin.script) get no Variables; modules get complex_args there.
    for variable in params.get("Variables") or []:
        if variable.get("Name") == "complex_args" and isinstance(variable.get("Value"), dict):
            return variable["Value"]
    return None


def module_name(script: str) -> str:
    """The fully qualified name of a module from module_wrapper's ``Script`` parameter.

    ``ansible_collections.ns.coll.plugins.modules.name.ps1`` is ``ns.coll.name``;
    ``ansible.modules.name.ps1`` is ``ansible.builtin.name``.
    """
    stem, _, _extension = script.rpartition(".")
    parts = (stem or script).split(".")
    if parts[0] == "ansible_collections" and parts[3:5] == ["plugins", "modules"]:
        return ".".join(parts[1:3] + parts[5:])
    if parts[:2] == ["ansible", "modules"]:
        return ".".join(["ansible", "builtin"] + parts[2:])
    return ".".join(parts)


def _first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(line) > _DESCRIPTION_WIDTH:
        return line[: _DESCRIPTION_WIDTH - 3] + "..."
    return line
