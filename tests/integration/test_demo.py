"""`make demo` as a new user meets it: it says which port it uses (DEMO_PORT), ends by printing
the three commands to try next, each of which works; a busy port ends with a sentence saying so
and how to choose another."""

from __future__ import annotations

import json
import re
import shlex
import socket
import subprocess
from pathlib import Path

from lab_harness import ROOT, _free_port

MAKE_SECONDS = 300


def make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        timeout=MAKE_SECONDS,
        check=False,
    )


def suggested_commands(output: str) -> list[list[str]]:
    """The commands the demo printed to try next, without their comments."""
    lines = output.split("Try next", 1)[1].splitlines()[1:]
    return [shlex.split(line.split("#", 1)[0]) for line in lines if line.startswith("  make ")]


def test_the_demo_names_its_port_and_ends_with_three_commands_that_work(tmp_path: Path):
    port = _free_port()
    demo_lab = tmp_path / "demo-lab"
    where = [f"DEMO_LAB={demo_lab}"]

    demo = make("demo", f"DEMO_PORT={port}", *where)

    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert f"iis-lab run: the lab listens on 127.0.0.11,127.0.0.12,127.0.0.13 port {port}\n" in demo.stderr
    commands = suggested_commands(demo.stdout)
    assert commands == [
        ["make", f"DEMO_PORT={port}", "demo", "DEMO_ARGS=--check --diff"],
        ["make", f"DEMO_PORT={port}", "demo", "DEMO_ARGS=--tags node_access"],
        ["make", f"DEMO_PORT={port}", "demo-drift"],
    ]
    check, one_step, drift = (make(*command[1:], *where) for command in commands)

    assert check.returncode == 0, check.stdout + check.stderr
    assert re.search(r"^node1\s+: ok=\d+\s+changed=0 ", check.stdout, re.M)  # converged: nothing to predict
    assert one_step.returncode == 0 and "TASK [webfarm.iis_cluster.node_access" in one_step.stdout
    assert "TASK [webfarm.iis_cluster.domain_accounts" not in one_step.stdout
    assert drift.returncode != 0
    assert "/LM/W3SVC/1: ServerComment differs" in drift.stdout
    assert "demo syncs NODE2 from NODE1 again" in drift.stdout
    state = json.loads((demo_lab / "state.json").read_text())
    assert state["hosts"]["NODE2"]["metabase"]["/LM/W3SVC/1"]["properties"]["ServerComment"]["value"] == (
        "Changed by hand"
    )


def test_a_busy_demo_port_says_so_and_how_to_choose_another(tmp_path: Path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.11", 0))
        holder.listen()
        port = holder.getsockname()[1]
        demo = make("demo", f"DEMO_PORT={port}", f"DEMO_LAB={tmp_path / 'demo-lab'}")

    assert demo.returncode != 0
    assert (
        f"iis-lab: port {port} is already in use on 127.0.0.11, by another lab or program: stop that one, "
        "or choose another port with --port N (make demo DEMO_PORT=N)\n"
    ) in demo.stderr
    assert "Errno" not in demo.stdout + demo.stderr
    assert "PLAY" not in demo.stdout
