"""``--resume`` on ``iis-lab serve`` and ``iis-lab run``: the same command starts the lab from
its topology the first time and from its recorded state afterwards; a state it must not resume
exits 2, and so does ``--resume`` without ``--state-dir``."""

from __future__ import annotations

import json
import pathlib
import sys

import pytest
import winrm
from test_cli_serve import first_line, start_serve
from winrm.exceptions import InvalidCredentialsError

from iis_lab.cli import main
from iis_lab.lab import Lab

ADMIN = "WEBFARM\\Administrator"
ADMIN_PASSWORD = "Lab-Admin-1"
DOMAIN_CONTROLLERS = str(
    pathlib.Path(__file__).resolve().parents[1] / "iis_lab" / "topologies" / "domain_controllers.yml"
)


def anonymous_password_digest(state_dir: pathlib.Path) -> str:
    """The digest of NODE1's IUSR password, which IIS setup draws at random for a fresh lab."""
    state = json.loads((state_dir / "state.json").read_text(encoding="utf-8"))
    return str(state["hosts"]["NODE1"]["metabase"]["/LM/W3SVC"]["properties"]["AnonymousUserPass"]["digest"])


def run(port: int, state_dir: pathlib.Path, *options: str, marker: pathlib.Path | None = None) -> int:
    """``iis-lab run --resume`` of a command that only leaves ``marker`` behind."""
    command = [sys.executable, "-c", f"open({str(marker)!r}, 'w').close()"] if marker else [sys.executable, "-c", ""]
    return main(["run", "--port", str(port), "--state-dir", str(state_dir), "--resume", *options, "--", *command])


def test_run_starts_from_the_topology_then_resumes(
    tmp_path: pathlib.Path, free_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    state_dir = tmp_path / "state"

    assert run(free_port, state_dir) == 0
    first = anonymous_password_digest(state_dir)
    assert "resumed" not in capsys.readouterr().err

    assert run(free_port, state_dir) == 0
    assert capsys.readouterr().err == (
        f"iis-lab run: resumed the lab recorded in {state_dir / 'state.json'}\n"
        f"iis-lab run: the lab listens on 127.0.0.11,127.0.0.12,127.0.0.13 port {free_port}\n"
    )
    assert anonymous_password_digest(state_dir) == first


def test_run_refuses_a_state_of_another_topology_and_runs_nothing(
    tmp_path: pathlib.Path, free_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    state_dir, marker = tmp_path / "state", tmp_path / "ran"
    Lab.from_topology(None, str(state_dir))

    code = run(free_port, state_dir, "--topology", DOMAIN_CONTROLLERS, marker=marker)

    assert code == 2 and not marker.exists()
    error = capsys.readouterr().err
    assert error.startswith(
        f"iis-lab: cannot resume from {state_dir / 'state.json'}: it was written for another topology"
    )
    assert error.endswith(f"; delete {state_dir} or drop --resume\n")


@pytest.mark.parametrize("command", [["serve"], ["run", "--", "true"]])
def test_resume_without_a_state_dir_is_a_usage_error(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command[0], "--resume", *command[1:]])

    assert exit_.value.code == 2
    assert "--resume needs --state-dir" in capsys.readouterr().err


def test_serve_resumes_and_logs_the_administrator_on_over_ntlm(tmp_path: pathlib.Path, free_port: int) -> None:
    state_dir = tmp_path / "state"
    Lab.from_topology(None, str(state_dir)).record_process("127.0.0.12", ADMIN, "before the restart")
    recorded = anonymous_password_digest(state_dir)

    process = start_serve("--port", str(free_port), "--state-dir", str(state_dir), "--resume")
    try:
        line = first_line(process)
        endpoint = f"http://127.0.0.12:{free_port}/wsman"
        response = winrm.Session(endpoint, auth=(ADMIN, ADMIN_PASSWORD), transport="ntlm").run_cmd("ipconfig")
        with pytest.raises(InvalidCredentialsError):
            winrm.Session(endpoint, auth=(ADMIN, "Lab-Admin-2"), transport="ntlm").run_cmd("ipconfig")
    finally:
        process.terminate()
        process.communicate(timeout=30)

    where = state_dir / "state.json"
    assert (
        line
        == f"iis-lab: listening on 127.0.0.11,127.0.0.12,127.0.0.13 port {free_port} (topology default, resumed from {where})\n"
    )
    # Logged on: the lab ran the command, and refused it as the raw command it is.
    assert response.status_code == 1 and "raw command: ipconfig" in json.loads(response.std_out)["msg"]
    lines = (state_dir / "processes.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["command_line"] for line in lines] == ["before the restart", "ipconfig"]
    assert anonymous_password_digest(state_dir) == recorded
