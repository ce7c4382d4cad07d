"""``iis-lab edit``: a running lab's metabase changed behind the collection's back."""

from __future__ import annotations

import json
import pathlib
import signal
import subprocess
import sys

from test_cli_serve import ENTRY_POINT, first_line, start_serve


def edit(state_dir: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", ENTRY_POINT, "edit", "--state-dir", str(state_dir), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def metabase(state_dir: pathlib.Path, host: str, path: str) -> dict[str, object]:
    state = json.loads((state_dir / "state.json").read_text())
    return state["hosts"][host]["metabase"][path]["properties"]


def test_an_edit_reaches_the_running_lab_and_its_state_file(tmp_path: pathlib.Path, free_port: int) -> None:
    serve = start_serve("--port", str(free_port), "--state-dir", str(tmp_path))
    try:
        assert "listening" in first_line(serve)
        site = ["--host", "node2", "--path", "W3SVC/1"]

        changed = edit(tmp_path, *site, "--property", "ServerComment", "--value", "Changed by hand")
        timeout = edit(tmp_path, *site, "--property", "ConnectionTimeout", "--value", "120")
        unknown = edit(tmp_path, "--host", "NODE7", "--path", "W3SVC", "--property", "ServerComment", "--value", "x")
        wrong_type = edit(tmp_path, *site, "--property", "ServerAutoStart", "--value", "sometimes")

        assert (changed.returncode, timeout.returncode) == (0, 0), changed.stderr + timeout.stderr
        properties = metabase(tmp_path, "NODE2", "/LM/W3SVC/1")
        assert properties["ServerComment"] == {"type": "STRING", "secure": False, "value": "Changed by hand"}
        assert properties["ConnectionTimeout"] == {"type": "INTEGER", "secure": False, "value": 120}
        assert metabase(tmp_path, "NODE1", "/LM/W3SVC/1")["ServerComment"]["value"] == "Default Web Site"
        assert (unknown.returncode, unknown.stderr) == (1, "iis-lab edit: no lab host is named NODE7\n")
        assert wrong_type.returncode == 1 and "0x8000500C" in wrong_type.stderr

        cleared = edit(tmp_path, *site, "--property", "ConnectionTimeout", "--clear")
        assert cleared.returncode == 0
        assert "ConnectionTimeout" not in metabase(tmp_path, "NODE2", "/LM/W3SVC/1")
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(30)


def test_an_edit_without_a_lab_says_so(tmp_path: pathlib.Path) -> None:
    result = edit(
        tmp_path,
        "--host",
        "NODE2",
        "--path",
        "W3SVC",
        "--property",
        "ServerComment",
        "--value",
        "x",
        "--timeout",
        "0.3",
    )

    assert result.returncode == 1
    assert result.stderr == f"iis-lab edit: no lab serving {tmp_path} answered within 0.3 s\n"
    assert list((tmp_path / "edits").iterdir()) == []
