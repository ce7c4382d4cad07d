"""``iis-lab serve``: one line once listening, WinRM on every host, SIGTERM/Ctrl-C stop it."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import typing as t
import urllib.error
import urllib.request

import pytest

import iis_lab

PACKAGE_PARENT = str(pathlib.Path(iis_lab.__file__).resolve().parents[1])
ENTRY_POINT = "import sys; from iis_lab.cli import main; sys.exit(main(sys.argv[1:]))"


def start_serve(*args: str) -> subprocess.Popen[str]:
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [PACKAGE_PARENT, os.environ.get("PYTHONPATH")])),
    }
    return subprocess.Popen(
        [sys.executable, "-c", ENTRY_POINT, "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def first_line(process: subprocess.Popen[str], timeout: float = 30) -> str:
    """The first line the process prints, waiting at most ``timeout`` seconds."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(t.cast(t.IO[str], process.stdout).readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    assert lines, "serve printed nothing"
    return lines[0]


def post_without_credentials(address: str, port: int) -> int:
    request = urllib.request.Request(f"http://{address}:{port}/wsman", data=b"", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_announces_once_answers_winrm_and_stops_on_signal(
    tmp_path: pathlib.Path, free_port: int, stop_signal: signal.Signals
) -> None:
    process = start_serve("--port", str(free_port), "--state-dir", str(tmp_path))
    try:
        line = first_line(process)

        assert line == f"iis-lab: listening on 127.0.0.11,127.0.0.12,127.0.0.13 port {free_port} (topology default)\n"
        # WinRM asks for credentials on every host.
        assert [
            post_without_credentials(address, free_port) for address in ("127.0.0.11", "127.0.0.12", "127.0.0.13")
        ] == [401] * 3
        assert (
            json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))["hosts"]["NODE1"]["iis_version"] == "5.0"
        )

        process.send_signal(stop_signal)
        remaining_output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()

    assert process.returncode == 0
    assert remaining_output == ""


def test_serve_with_an_invalid_topology_exits_2(tmp_path: pathlib.Path) -> None:
    topology = tmp_path / "lab.yml"
    topology.write_text("hosts: 3\n", encoding="utf-8")

    process = start_serve("--topology", str(topology))
    output, errors = process.communicate(timeout=30)

    assert process.returncode == 2 and output == ""
    assert "topology: missing key 'domain'" in errors
