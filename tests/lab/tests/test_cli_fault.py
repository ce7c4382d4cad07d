"""``iis-lab fault``: a running (or resumed) lab takes a fault on, or drops it, and records it."""

from __future__ import annotations

import json
import pathlib
import signal
import subprocess
import sys
import typing as t

import pytest
import yaml
from test_cli_serve import ENTRY_POINT, first_line, start_serve

from iis_lab.faults import FAULT_KINDS
from iis_lab.lab import Lab
from iis_lab.topology import default_document


def fault(state_dir: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", ENTRY_POINT, "fault", "--state-dir", str(state_dir), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def node2(state_dir: pathlib.Path) -> dict[str, t.Any]:
    return t.cast(dict[str, t.Any], json.loads((state_dir / "state.json").read_text())["hosts"]["NODE2"])


@pytest.mark.parametrize("kind", sorted(FAULT_KINDS))
def test_a_fault_added_then_cleared_leaves_the_host_as_it_was(tmp_path: pathlib.Path, kind: str) -> None:
    lab = Lab.from_topology(None, str(tmp_path))
    fresh = node2(tmp_path)

    lab.change_fault("NODE2", kind)
    faulty = node2(tmp_path)
    lab.change_fault("NODE2", kind)  # again: no further change
    again = node2(tmp_path)
    lab.change_fault("NODE2", kind, clear=True)
    lab.change_fault("NODE2", kind, clear=True)

    assert faulty != fresh and again == faulty
    assert node2(tmp_path) == fresh


def test_a_fault_added_at_run_time_is_the_topologys_fault(tmp_path: pathlib.Path) -> None:
    topology = tmp_path / "topology.yml"
    topology.write_text(yaml.safe_dump(default_document(faults=[{"kind": "complus_damaged", "host": "NODE2"}])))
    from_topology = Lab.from_topology(str(topology), str(tmp_path / "a"))
    Lab.from_topology(None, str(tmp_path / "b")).change_fault("node2", "complus_damaged")

    assert from_topology.host_named("NODE2").complus.installed is False
    assert node2(tmp_path / "a")["complus"]["installed"] is node2(tmp_path / "b")["complus"]["installed"] is False


def test_fault_reaches_the_running_lab_and_a_resumed_lab_keeps_it(tmp_path: pathlib.Path, free_port: int) -> None:
    topology = tmp_path / "topology.yml"
    topology.write_text(yaml.safe_dump(default_document(faults=[{"kind": "rpc_unreachable", "host": "NODE2"}])))
    state_dir = tmp_path / "state"
    serve = start_serve("--topology", str(topology), "--port", str(free_port), "--state-dir", str(state_dir))
    try:
        assert "listening" in first_line(serve)
        before = node2(state_dir)["conditions"]["rpc_listening"]
        cleared = fault(state_dir, "--host", "NODE2", "--clear", "rpc_unreachable")
        added = fault(state_dir, "--host", "NODE2", "--add", "dcom_protocols_differ")
        unknown_host = fault(state_dir, "--host", "NODE7", "--add", "session_dropped")
        no_iis = fault(state_dir, "--host", "DC1", "--add", "session_dropped")
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(30)

    assert (cleared.returncode, added.returncode) == (0, 0), cleared.stderr + added.stderr
    assert before is False and node2(state_dir)["conditions"]["rpc_listening"] is True
    assert (unknown_host.returncode, unknown_host.stderr) == (1, "iis-lab fault: no lab host is named NODE7\n")
    assert (no_iis.returncode, no_iis.stderr) == (
        1,
        "iis-lab fault: DC1 has no IIS: faults are injected on cluster nodes\n",
    )
    resumed = Lab.from_topology(str(topology), str(state_dir), resume=True)
    assert resumed.resumed
    assert resumed.host_named("NODE2").rpc_listening is True
    assert resumed.host_named("NODE2").dcom_protocols == ("ncacn_spx", "ncacn_ip_tcp")


def test_fault_without_a_lab_or_with_an_unknown_kind_says_so(tmp_path: pathlib.Path) -> None:
    no_lab = fault(tmp_path, "--host", "NODE2", "--add", "session_dropped", "--timeout", "0.2")
    unknown_kind = fault(tmp_path, "--host", "NODE2", "--add", "gremlins")

    assert (no_lab.returncode, no_lab.stderr) == (1, f"iis-lab fault: no lab serving {tmp_path} answered within 0.2 s\n")
    assert unknown_kind.returncode == 2 and "invalid choice: 'gremlins'" in unknown_kind.stderr
