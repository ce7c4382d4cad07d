"""The real ansible CLI, winrm connection plugin and pywinrm against the lab's server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_wsman_fakes import ADDRESSES, DOMAIN_ADMIN, DOMAIN_PASSWORD, FakeLab

from iis_lab.wsman import RunningLab
from iis_lab.wsman.powershell import encoded_script

ANSIBLE = Path(sys.executable).with_name("ansible")
# Only the module's name and its utils' names reach the lab; their bodies never run. host_facts,
# the op these tests run, needs IisClusterHostFacts in the manifest.
UTIL_PREFIX = "ansible_collections.webfarm.iis_cluster.plugins.module_utils"
NODE_OPS_STUB = (
    f"#!powershell\n#AnsibleRequires -CSharpUtil Ansible.Basic\n#AnsibleRequires -PowerShell {UTIL_PREFIX}.IisClusterHostFacts\n"
)
HOST_FACTS_STUB = "Export-ModuleMember -Function @()\n"
BECOME_PASSWORD = "Become-Secret-4"
SECRET = "Iusr-Secret-5"



@pytest.fixture
def ansible_env(tmp_path: Path) -> dict[str, str]:
    """An isolated Ansible home, with a stand-in webfarm.iis_cluster holding node_ops.ps1."""
    modules = tmp_path / "collections" / "ansible_collections" / "webfarm" / "iis_cluster" / "plugins" / "modules"
    modules.mkdir(parents=True)
    (modules / "node_ops.ps1").write_text(NODE_OPS_STUB)
    (modules.parent / "module_utils").mkdir()
    (modules.parent / "module_utils" / "IisClusterHostFacts.psm1").write_text(HOST_FACTS_STUB)
    return os.environ | {
        "HOME": str(tmp_path),
        "ANSIBLE_HOME": str(tmp_path / ".ansible"),
        "ANSIBLE_COLLECTIONS_PATH": str(tmp_path / "collections"),
    }


def _inventory(tmp_path: Path, running: RunningLab) -> Path:
    """Host basic on the first address, host ntlm (encrypted, the default secure transport) on the second."""
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(
        f"basic ansible_host={ADDRESSES[0]} ansible_winrm_transport=basic\n"
        f"ntlm ansible_host={ADDRESSES[1]} ansible_winrm_transport=ntlm\n"
        "[all:vars]\n"
        "ansible_connection=winrm\n"
        f"ansible_port={running.port}\n"
        "ansible_winrm_scheme=http\n"
        f"ansible_user={DOMAIN_ADMIN}\n"
        f"ansible_password={DOMAIN_PASSWORD}\n"
    )
    return inventory


def _ad_hoc(env: dict[str, str], inventory: Path, *arguments: str) -> dict[str, dict[str, object]]:
    """Run ``ansible all`` and return each host's task result (from ``--tree``)."""
    tree = inventory.parent / "tree"
    completed = subprocess.run(
        [str(ANSIBLE), "all", "-i", str(inventory), "--tree", str(tree), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    results = {host.name: json.loads(host.read_text()) for host in tree.glob("*")}
    assert results, completed.stdout + completed.stderr
    return results


def test_raw_powershell_fails_with_the_lab_s_reason(
    running: RunningLab, lab: FakeLab, ansible_env: dict[str, str], tmp_path: Path
) -> None:
    results = _ad_hoc(ansible_env, _inventory(tmp_path, running), "-m", "ansible.builtin.raw", "-a", "Get-Date")

    for host in ("basic", "ntlm"):
        assert (results[host]["rc"], results[host]["msg"]) == (1, "non-zero return code")
        assert json.loads(str(results[host]["stdout"])) == {
            "failed": True,
            "msg": "iis-lab emulates only the webfarm.iis_cluster.node_ops* modules; "
            "this command asked for raw PowerShell: Get-Date",
        }
    assert sorted(address for address, _, _ in lab.processes) == ADDRESSES[:2]


def test_node_ops_runs_with_its_arguments_and_become(
    running: RunningLab, lab: FakeLab, ansible_env: dict[str, str], tmp_path: Path
) -> None:
    module_args = {"instructions": [{"op": "host_facts", "args": {}}], "secrets": {"iusr": SECRET}}

    results = _ad_hoc(
        ansible_env,
        _inventory(tmp_path, running),
        "-m",
        "webfarm.iis_cluster.node_ops",
        "-a",
        json.dumps(module_args),
        "--check",
        "--become",
        "--become-method",
        "runas",
        "--become-user",
        "WEBFARM\\svc-iis",
        "-e",
        f"ansible_become_password={BECOME_PASSWORD}",
    )

    assert results["basic"]["results"] == [{"op": "host_facts", "status": "ok", "value": {"address": ADDRESSES[0]}}]
    assert results["ntlm"]["results"] == [{"op": "host_facts", "status": "ok", "value": {"address": ADDRESSES[1]}}]
    assert sorted(call.address for call in lab.node_ops_calls) == ADDRESSES[:2]
    for call in lab.node_ops_calls:
        assert call.module_args["instructions"] == module_args["instructions"]
        assert call.module_args["secrets"] == module_args["secrets"]
        assert call.module_args["_ansible_check_mode"] is True
        assert (call.become_user, call.become_with_password) == ("WEBFARM\\svc-iis", True)
    # One process per module run (pipelining: no temporary directory), and no secret on its command line.
    assert len(lab.processes) == 2
    for _, _, command_line in lab.processes:
        script = encoded_script(command_line) or ""
        for secret in (SECRET, BECOME_PASSWORD):
            assert secret not in command_line and secret not in script


def test_node_ops_with_module_utils_runs_as_ansible_core_sends_it(
    running: RunningLab, lab: FakeLab, ansible_env: dict[str, str], tmp_path: Path
) -> None:
    # ansible-core puts every util the module and its utils require into the manifest; the lab
    # checks each is there, as module_wrapper.ps1 does on Windows, and runs the module.
    collection = tmp_path / "collections" / "ansible_collections" / "webfarm" / "iis_cluster" / "plugins"
    prefix = "ansible_collections.webfarm.iis_cluster.plugins.module_utils"
    (collection / "modules" / "node_ops.ps1").write_text(
        f"{NODE_OPS_STUB}#AnsibleRequires -PowerShell {prefix}.IisClusterStub\n"
    )
    (collection / "module_utils" / "IisClusterStub.psm1").write_text(
        f"#AnsibleRequires -CSharpUtil {prefix}.Stub\nExport-ModuleMember -Function @()\n"
    )
    (collection / "module_utils" / "Stub.cs").write_text(f"namespace {prefix}.Stub {{ }}\n")
    module_args = {"instructions": [{"op": "host_facts", "args": {}}]}

    results = _ad_hoc(
        ansible_env, _inventory(tmp_path, running), "-m", "webfarm.iis_cluster.node_ops", "-a", json.dumps(module_args)
    )

    assert results["basic"]["results"] == [{"op": "host_facts", "status": "ok", "value": {"address": ADDRESSES[0]}}]
    assert len(lab.node_ops_calls) == 2
