"""The molecule scenarios of extensions/molecule, run as users run them: `molecule test -s NAME`
from the checkout.

``lab`` starts and stops the lab itself. ``windows`` expects real Windows hosts named by
environment variables; here those variables name a lab's hosts instead, with NTLM in place of
Kerberos (the lab speaks no Kerberos). Everything else of the scenario runs as it would against
Windows: its inventory script, its group_vars reading the environment, become runas for IISSync,
and the converge and verify playbooks both scenarios share.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
from iis_lab.inventory import inventory
from iis_lab.lab import Lab
from iis_lab.wsman.server import start

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MOLECULE_SECONDS = 300
STEPS = {
    "lab": ("destroy", "syntax", "create", "converge", "idempotence", "verify"),
    "windows": ("syntax", "converge", "idempotence", "verify"),
}
# The scenario's passwords for the IUSR and IWAM accounts (the lab scenario's are in its molecule.yml).
IUSR_PASSWORD = "Molecule-Iusr-Passw0rd"
IWAM_PASSWORD = "Molecule-Iwam-Passw0rd"


def molecule(*arguments: str, home: Path, environment: t.Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """Run molecule from the checkout with its own home: molecule keeps each scenario's
    ephemeral directory (the lab's state, process id and inventory) below ANSIBLE_HOME, so a
    scenario a developer created by hand is left alone."""
    home.mkdir(exist_ok=True)
    # Every variable the windows scenario reads comes from `environment` alone.
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("IIS_CLUSTER_")}
    isolated = {
        "HOME": str(home),
        "ANSIBLE_HOME": str(home / ".ansible"),
        "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
        "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".tmp" / "collections"),
        # molecule starts ansible-playbook, and the lab scenario iis-lab, from PATH.
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [str(BIN / "molecule"), *arguments],
        cwd=ROOT,
        env={**inherited, **isolated, **environment},
        capture_output=True,
        text=True,
        timeout=MOLECULE_SECONDS,
        check=False,
    )


def assert_every_step_succeeded(scenario: str, run: subprocess.CompletedProcess[str]) -> None:
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    # A step whose playbook molecule cannot find is reported "Missing" and does not fail the run.
    for step in STEPS[scenario]:
        assert f"\n{scenario} > {step}: Executed: Successful\n" in output, f"{step} did not run:\n{output}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def lab(tmp_path: Path) -> t.Iterator[tuple[Lab, int]]:
    """A default-topology lab listening on a free port, with its state in ``tmp_path/state``."""
    served = Lab.from_topology(None, str(tmp_path / "state"))
    port = _free_port()
    running = start(served, port)
    try:
        yield served, port
    finally:
        running.stop()


def windows_environment(served: Lab, port: int) -> dict[str, str]:
    """The windows scenario's environment variables, naming the lab's hosts by address."""
    lab_inventory = inventory(served.topology, port)["all"]

    def addresses(group: str) -> str:
        return ",".join(host["ansible_host"] for host in lab_inventory["children"][group]["hosts"].values())

    return {
        "IIS_CLUSTER_NODES": addresses("iis_cluster"),
        "IIS_CLUSTER_DC": addresses("domain_controllers"),
        "IIS_CLUSTER_WINRM_USER": lab_inventory["vars"]["ansible_user"],
        "IIS_CLUSTER_WINRM_PASSWORD": lab_inventory["vars"]["ansible_password"],
        "IIS_CLUSTER_WINRM_TRANSPORT": "ntlm",
        "IIS_CLUSTER_WINRM_PORT": str(port),
        "IIS_CLUSTER_ACCOUNT_BASE": "web",
        "IIS_CLUSTER_IUSR_PASSWORD": IUSR_PASSWORD,
        "IIS_CLUSTER_IWAM_PASSWORD": IWAM_PASSWORD,
    }


def test_lab_scenario_creates_converges_idempotently_verifies_and_destroys(tmp_path: Path) -> None:
    assert_every_step_succeeded("lab", molecule("test", "-s", "lab", home=tmp_path, environment={}))


def test_windows_scenario_converges_idempotently_and_verifies_the_hosts_it_is_given(
    lab: tuple[Lab, int], tmp_path: Path
) -> None:
    served, port = lab
    environment = windows_environment(served, port)

    # At -vvvv ansible-playbook shows every module's arguments and connection.
    run = molecule("-vvvv", "test", "-s", "windows", home=tmp_path / "home", environment=environment)

    assert_every_step_succeeded("windows", run)
    # Its verify ends with the conformance run, every probe conforming and the nodes as found.
    assert "probes conform to the contract. The nodes are left as found." in run.stdout + run.stderr
    recorded_command_lines = (tmp_path / "state" / "processes.jsonl").read_text()
    for secret in (environment["IIS_CLUSTER_WINRM_PASSWORD"], IUSR_PASSWORD, IWAM_PASSWORD):
        assert secret not in run.stdout + run.stderr
        assert secret not in recorded_command_lines


def test_windows_scenario_without_hosts_fails_naming_the_variables(tmp_path: Path) -> None:
    run = molecule("syntax", "-s", "windows", home=tmp_path, environment={})

    assert run.returncode != 0
    assert "set IIS_CLUSTER_NODES and IIS_CLUSTER_DC" in run.stdout + run.stderr
