"""Decoding of what Ansible asks PowerShell to run, on payloads built by ansible-core itself.

ansible-core's payload code needs its collection loader, which is process-wide state, so
the payloads are built in a child process (this file run as a script) and the tests decode
them here.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest

from iis_lab.wsman.powershell import ModuleInvocation, UnsupportedScript, decode_command, encoded_script, module_name

NODE_OPS_FQN = "ansible_collections.webfarm.iis_cluster.plugins.modules.node_ops"
NODE_OPS_SOURCE = b"#!powershell\n#AnsibleRequires -CSharpUtil Ansible.Basic\n$module = [Ansible.Basic.AnsibleModule]::Create($args, @{})\n"
NODE_OPS_ARGS = {
    "instructions": [{"op": "host_facts", "args": {}}],
    "secrets": {"iusr": "Iusr-Secret-1"},
    "_ansible_check_mode": True,
}
BECOME_PASSWORD = "Become-Secret-2"


def _build_payloads(collections_dir: str) -> dict[str, dict[str, str]]:
    """Child process: every payload the tests decode, as ansible-core 2.19 builds it."""
    from ansible.executor.powershell.module_manifest import _bootstrap_powershell_script, _create_powershell_wrapper
    from ansible.plugins.loader import become_loader, init_plugin_loader, shell_loader

    init_plugin_loader([collections_dir])
    shell = shell_loader.get("powershell")
    pipelined_module = shell.build_module_command("", "#!powershell", "")

    def module(name: str = NODE_OPS_FQN, become: dict[str, str] | None = None, **options: object) -> dict[str, str]:
        runas = None
        if become is not None:
            runas = become_loader.get("runas")
            runas.set_options(direct=become)
        manifest = {
            "name": name,
            "module_data": NODE_OPS_SOURCE,
            "module_path": f"/collection/{name.rpartition('.')[2]}.ps1",
            "module_args": NODE_OPS_ARGS,
            "environment": {},
            "async_timeout": 0,
            "become_plugin": runas,
            "substyle": "powershell",
            "task_vars": {},
            "profile": "legacy",
        } | options
        return {
            "command_line": pipelined_module,
            "stdin": base64.b64encode(_create_powershell_wrapper(**manifest)).decode(),
        }

    def wrapper(name: str, params: dict[str, object], has_input: bool = False) -> dict[str, str]:
        script, stdin = _bootstrap_powershell_script(name, params, has_input=has_input)
        command_line = shell._encode_script(script, strict_mode=False, preserve_rc=False)
        return {"command_line": command_line, "stdin": base64.b64encode(stdin).decode()}

    mkdtemp = shell._mkdtemp2(basefile="ansible-tmp-1", tmpdir="%TEMP%")
    return {
        "node_ops": module(),
        "node_ops_become_password": module(become={"become_user": "WEBFARM\\svc-iis", "become_pass": BECOME_PASSWORD}),
        "node_ops_become_no_password": module(become={"become_user": "SYSTEM"}),
        "node_ops_async": module(async_timeout=30, environment={"ANSIBLE_ASYNC_DIR": "%USERPROFILE%\\.ansible_async"}),
        "other_module": module(name="ansible_collections.ansible.windows.plugins.modules.win_ping"),
        "script": module(name="setup_site", substyle="script"),
        "mkdtemp": {"command_line": mkdtemp.command, "stdin": base64.b64encode(mkdtemp.input_data).decode()},
        "put_file": wrapper("winrm_put_file.ps1", {"Path": "C:\\Windows\\Temp\\x"}, has_input=True),
        "raw": {"command_line": shell._encode_script("Get-Date", strict_mode=False, preserve_rc=False), "stdin": ""},
    }


@pytest.fixture(scope="module")
def payloads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, bytes]]:
    home = tmp_path_factory.mktemp("home")
    collections = tmp_path_factory.mktemp("collections")
    for collection in ("webfarm/iis_cluster", "ansible/windows"):  # ansible-core imports their packages
        (collections / "ansible_collections" / collection).mkdir(parents=True)
    built = subprocess.run(
        [sys.executable, __file__, str(collections)],
        env=os.environ | {"HOME": str(home), "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        name: (payload["command_line"], base64.b64decode(payload["stdin"]))
        for name, payload in json.loads(built.stdout).items()
    }


def test_node_ops_invocation_carries_module_name_and_arguments(payloads: dict[str, tuple[str, bytes]]) -> None:
    decoded = decode_command(*payloads["node_ops"])

    assert isinstance(decoded, ModuleInvocation)
    assert decoded.module == "webfarm.iis_cluster.node_ops"
    assert decoded.args["instructions"] == NODE_OPS_ARGS["instructions"]
    assert decoded.args["secrets"] == NODE_OPS_ARGS["secrets"]
    assert decoded.args["_ansible_check_mode"] is True
    assert (decoded.become_user, decoded.become_with_password) == (None, False)


def test_become_user_is_kept_and_become_password_only_as_a_flag(payloads: dict[str, tuple[str, bytes]]) -> None:
    command_line, stdin = payloads["node_ops_become_password"]
    assert BECOME_PASSWORD.encode() in stdin  # the payload does carry it...

    decoded = decode_command(command_line, stdin)

    assert isinstance(decoded, ModuleInvocation)
    assert (decoded.become_user, decoded.become_with_password) == ("WEBFARM\\svc-iis", True)
    assert BECOME_PASSWORD not in repr(decoded)  # ...the decoded invocation does not


def test_become_without_password(payloads: dict[str, tuple[str, bytes]]) -> None:
    decoded = decode_command(*payloads["node_ops_become_no_password"])

    assert isinstance(decoded, ModuleInvocation)
    assert (decoded.become_user, decoded.become_with_password) == ("SYSTEM", False)


@pytest.mark.parametrize(
    ("payload", "description"),
    [
        ("other_module", "ansible module ansible.windows.win_ping"),
        ("node_ops_async", "ansible module webfarm.iis_cluster.node_ops run asynchronously"),
        ("script", "ansible PowerShell script setup_site"),
        ("mkdtemp", "ansible wrapper powershell_mkdtemp.ps1"),
        ("put_file", "ansible wrapper winrm_put_file.ps1"),
        ("raw", "raw PowerShell: Get-Date"),
    ],
)
def test_what_is_not_node_ops_is_described(
    payloads: dict[str, tuple[str, bytes]], payload: str, description: str
) -> None:
    assert decode_command(*payloads[payload]).description == description


def test_a_command_that_is_not_powershell_is_described() -> None:
    assert decode_command("ipconfig /all", b"") == UnsupportedScript("raw command: ipconfig /all")


def test_a_long_raw_script_is_described_by_its_first_line_shortened() -> None:
    script = "\n\n  Get-ChildItem -Path " + "C:\\Inetpub\\wwwroot\\" * 10 + "\nGet-Date"
    command_line = "PowerShell -EncodedCommand " + base64.b64encode(script.encode("utf-16-le")).decode()

    description = decode_command(command_line, b"").description

    assert description.startswith("raw PowerShell: Get-ChildItem -Path C:\\Inetpub")
    assert description.endswith("...")
    assert len(description) == len("raw PowerShell: ") + 80


def test_an_unreadable_manifest_is_described(payloads: dict[str, tuple[str, bytes]]) -> None:
    command_line, _ = payloads["node_ops"]

    decoded = decode_command(command_line, b'{"name": "exec_wrapper"}\n\0\0\0\0\n{not json')

    assert decoded == UnsupportedScript("ansible bootstrap wrapper with an unreadable manifest")


@pytest.mark.parametrize("switch", ["-EncodedCommand", "-encodedcommand", "-ENC", "-e", "-ec", "/EncodedCommand"])
def test_encoded_command_switch_is_recognised_as_powershell_does(switch: str) -> None:
    encoded = base64.b64encode("Get-Date".encode("utf-16-le")).decode()

    assert encoded_script(f"PowerShell -NoProfile -ExecutionPolicy Bypass {switch} {encoded}") == "Get-Date"


@pytest.mark.parametrize("switch", ["-ExecutionPolicy", "-Command", "-EncodedCommandX", "EncodedCommand"])
def test_other_switches_are_not_encoded_command(switch: str) -> None:
    encoded = base64.b64encode("Get-Date".encode("utf-16-le")).decode()

    assert encoded_script(f"PowerShell {switch} {encoded}") is None


@pytest.mark.parametrize(
    ("script", "name"),
    [
        ("ansible_collections.webfarm.iis_cluster.plugins.modules.node_ops.ps1", "webfarm.iis_cluster.node_ops"),
        ("ansible_collections.ns.coll.plugins.modules.sub.mod.ps1", "ns.coll.sub.mod"),
        ("ansible.modules.win_ping.ps1", "ansible.builtin.win_ping"),
        ("setup_site.ps1", "setup_site"),
    ],
)
def test_module_name_is_fully_qualified(script: str, name: str) -> None:
    assert module_name(script) == name


if __name__ == "__main__":
    json.dump(_build_payloads(sys.argv[1]), sys.stdout)
