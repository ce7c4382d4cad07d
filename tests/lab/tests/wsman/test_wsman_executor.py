"""What running one command does to the lab: record, emulate node_ops or refuse, save."""

from __future__ import annotations

import base64
import json

import pytest

from test_wsman_fakes import ADDRESSES, DOMAIN_ADMIN, FakeLab

from iis_lab.wsman.executor import execute

BOOTSTRAP = '$PSVersionTable.PSVersion -lt [Version]"5.1"\n# rest of bootstrap_wrapper.ps1'


def _powershell(script: str) -> str:
    encoded = base64.b64encode(script.encode("utf-16-le")).decode()
    return f"PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand {encoded}"


def _module_input(
    script: str,
    args: dict[str, object],
    *,
    become: dict[str, object] | None = None,
    powershell_modules: tuple[str, ...] = ("ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterHostFacts.psm1",),
    csharp_modules: tuple[str, ...] = (),
    left_out: str | None = None,
) -> bytes:
    """Bootstrap stdin shaped as ansible-core 2.19 writes it: the manifest holds the module and
    each util it names (their text does not matter to the lab), but ``left_out``."""
    actions = []
    if become is not None:
        actions.append({"name": "become_wrapper.ps1", **become})
    actions.append(
        {
            "name": "module_wrapper.ps1",
            "params": {
                "Script": script,
                "Environment": {},
                "Variables": [{"Name": "complex_args", "Value": args, "Scope": "Global"}],
                "PowerShellModules": list(powershell_modules),
                "CSharpModules": list(csharp_modules),
                "ForModule": True,
            },
            "secure_params": {},
        }
    )
    exec_wrapper = {"name": "exec_wrapper", "script": "", "params": {}}
    names = [script, *powershell_modules, *csharp_modules]
    scripts = {name: {"path": name, "script": ""} for name in names if name != left_out}
    manifest = {"scripts": scripts, "actions": actions, "signed_hashlist": []}
    return f"{json.dumps(exec_wrapper)}\n\0\0\0\0\n{json.dumps(manifest)}".encode()


NODE_OPS_SCRIPT = "ansible_collections.webfarm.iis_cluster.plugins.modules.node_ops.ps1"
ARGS = {"instructions": [{"op": "host_facts", "args": {}}], "_ansible_check_mode": False}


def test_node_ops_runs_in_the_lab_and_prints_its_result() -> None:
    lab = FakeLab()
    command_line = _powershell(BOOTSTRAP)

    result = execute(lab, ADDRESSES[1], DOMAIN_ADMIN, command_line, _module_input(NODE_OPS_SCRIPT, ARGS))

    assert json.loads(result.stdout) == {
        "changed": False,
        "results": [{"op": "host_facts", "status": "ok", "value": {"address": ADDRESSES[1]}}],
    }
    assert (result.exit_code, result.stderr) == (0, b"")
    [call] = lab.node_ops_calls
    assert (call.address, call.module_args, call.user, call.become_user, call.become_with_password) == (
        ADDRESSES[1],
        ARGS,
        DOMAIN_ADMIN,
        None,
        False,
    )
    assert lab.processes == [(ADDRESSES[1], DOMAIN_ADMIN, command_line)]
    assert lab.saves == 1


UTIL_PREFIX = "ansible_collections.webfarm.iis_cluster.plugins.module_utils."
POWERSHELL_UTILS = (f"{UTIL_PREFIX}IisClusterErrors.psm1", f"{UTIL_PREFIX}IisClusterHostFacts.psm1")
CSHARP_UTILS = ("Ansible.Basic.cs", f"{UTIL_PREFIX}NetAccounts.cs")


def test_node_ops_runs_when_the_manifest_holds_every_util_it_loads() -> None:
    lab = FakeLab()
    stdin = _module_input(NODE_OPS_SCRIPT, ARGS, powershell_modules=POWERSHELL_UTILS, csharp_modules=CSHARP_UTILS)

    result = execute(lab, ADDRESSES[0], DOMAIN_ADMIN, _powershell(BOOTSTRAP), stdin)

    assert result.exit_code == 0
    assert len(lab.node_ops_calls) == 1


@pytest.mark.parametrize("missing", [NODE_OPS_SCRIPT, *POWERSHELL_UTILS, *CSHARP_UTILS])
def test_a_util_missing_from_the_manifest_fails_as_the_exec_wrapper_fails(missing: str) -> None:
    lab = FakeLab()
    stdin = _module_input(
        NODE_OPS_SCRIPT, ARGS, powershell_modules=POWERSHELL_UTILS, csharp_modules=CSHARP_UTILS, left_out=missing
    )

    result = execute(lab, ADDRESSES[0], DOMAIN_ADMIN, _powershell(BOOTSTRAP), stdin)

    # exec_wrapper.ps1's Write-AnsibleErrorJson around Get-AnsibleScript's ScriptNotFound error.
    assert json.loads(result.stdout) == {
        "failed": True,
        "msg": f"failure during exec_wrapper: Could not find the script '{missing}'.",
    }
    assert result.exit_code == 1
    assert lab.node_ops_calls == []
    assert lab.processes and lab.saves == 1


@pytest.mark.parametrize("module", ["node_ops", "node_ops_facts", "node_ops_accounts", "node_ops_metabase", "node_ops_apphost"])
def test_each_module_of_the_instruction_set_runs_in_the_lab(module: str) -> None:
    lab = FakeLab()
    script = f"ansible_collections.webfarm.iis_cluster.plugins.modules.{module}.ps1"

    result = execute(lab, ADDRESSES[0], DOMAIN_ADMIN, _powershell(BOOTSTRAP), _module_input(script, ARGS))

    assert result.exit_code == 0
    assert result.module == f"webfarm.iis_cluster.{module}"
    assert len(lab.node_ops_calls) == 1


def test_an_op_whose_util_the_manifest_lacks_is_refused_before_any_instruction_runs() -> None:
    lab = FakeLab()
    script = "ansible_collections.webfarm.iis_cluster.plugins.modules.node_ops_accounts.ps1"
    args = {"instructions": [{"op": "host_facts", "args": {}}, {"op": "metabase_get", "args": {"path": "W3SVC"}}]}

    result = execute(lab, ADDRESSES[0], DOMAIN_ADMIN, _powershell(BOOTSTRAP), _module_input(script, args))

    # What IisClusterInstructionSet.psm1 says, having asked PowerShell which utils it imported.
    assert json.loads(result.stdout) == {
        "failed": True,
        "msg": "instructions[1].op: metabase_get runs in the module_util IisClusterMetabase, "
        "which webfarm.iis_cluster.node_ops_accounts does not load",
    }
    assert result.exit_code == 1
    assert lab.node_ops_calls == []


def test_become_reaches_the_lab_without_the_password() -> None:
    lab = FakeLab()
    become = {"params": {"BecomeUser": "WEBFARM\\svc-iis"}, "secure_params": {"BecomePassword": "Become-Secret-3"}}

    execute(
        lab, ADDRESSES[0], DOMAIN_ADMIN, _powershell(BOOTSTRAP), _module_input(NODE_OPS_SCRIPT, ARGS, become=become)
    )

    [call] = lab.node_ops_calls
    assert (call.become_user, call.become_with_password) == ("WEBFARM\\svc-iis", True)


def test_a_failed_node_ops_result_exits_with_1() -> None:
    lab = FakeLab(node_ops_result={"failed": True, "msg": "unknown op 'format_disk'"})

    result = execute(lab, ADDRESSES[0], DOMAIN_ADMIN, _powershell(BOOTSTRAP), _module_input(NODE_OPS_SCRIPT, ARGS))

    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"failed": True, "msg": "unknown op 'format_disk'"}


def test_raw_powershell_is_refused_with_a_module_failure_but_still_recorded() -> None:
    lab = FakeLab()
    command_line = _powershell("Get-Date")

    result = execute(lab, ADDRESSES[2], DOMAIN_ADMIN, command_line, b"")

    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "failed": True,
        "msg": "iis-lab emulates only the webfarm.iis_cluster.node_ops* modules; "
        "this command asked for raw PowerShell: Get-Date",
    }
    assert lab.node_ops_calls == []
    assert lab.processes == [(ADDRESSES[2], DOMAIN_ADMIN, command_line)]
    assert lab.saves == 1


def test_a_node_ops_module_of_another_collection_is_not_emulated() -> None:
    lab = FakeLab()
    other = "ansible_collections.someone.else.plugins.modules.node_ops.ps1"

    result = execute(lab, ADDRESSES[0], DOMAIN_ADMIN, _powershell(BOOTSTRAP), _module_input(other, ARGS))

    assert lab.node_ops_calls == []
    assert json.loads(result.stdout)["msg"].endswith("this command asked for ansible module someone.else.node_ops")


def test_the_lab_is_saved_even_when_the_emulation_crashes(monkeypatch: pytest.MonkeyPatch) -> None:
    lab = FakeLab()

    def crash(*_args: object, **_kwargs: object) -> dict[str, object]:
        raise RuntimeError("emulation bug")

    monkeypatch.setattr(lab, "run_node_ops", crash)

    with pytest.raises(RuntimeError):
        execute(lab, ADDRESSES[0], DOMAIN_ADMIN, _powershell(BOOTSTRAP), _module_input(NODE_OPS_SCRIPT, ARGS))
    assert lab.saves == 1
