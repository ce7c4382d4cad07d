"""``iis-lab run -- CMD``: CMD runs while the lab listens, with the inventory it needs."""

from __future__ import annotations

import json
import pathlib
import socket
import sys

import pytest

from iis_lab.cli import main

# The command the lab runs: reports what it was given and whether every host listened.
PROBE = """
import json, os, socket, sys, yaml
path = sys.argv[1]
inventory = yaml.safe_load(open(path))
port = inventory["all"]["vars"]["ansible_port"]
hosts = {}
for group in inventory["all"]["children"].values():
    for name, variables in group["hosts"].items():
        with socket.create_connection((variables["ansible_host"], port), timeout=5):
            hosts[name] = variables["ansible_host"]
json.dump({"argv": sys.argv[1:], "env": os.environ["IIS_LAB_INVENTORY"], "mode": os.stat(path).st_mode & 0o777,
           "transport": inventory["all"]["vars"]["ansible_winrm_transport"], "reached": hosts}, open(sys.argv[2], "w"))
sys.exit(int(sys.argv[3]))
"""


def run_probe(tmp_path: pathlib.Path, port: int, exit_code: int, *options: str) -> tuple[int, dict]:
    report = tmp_path / "report.json"
    code = main(
        [
            "run",
            "--port",
            str(port),
            *options,
            "--",
            sys.executable,
            "-c",
            PROBE,
            "{inventory}",
            str(report),
            str(exit_code),
        ]
    )
    return code, json.loads(report.read_text(encoding="utf-8"))


def test_command_runs_against_the_listening_lab_with_its_inventory(tmp_path: pathlib.Path, free_port: int) -> None:
    code, report = run_probe(tmp_path, free_port, 0, "--transport", "basic")

    assert code == 0
    assert report["argv"][0] == report["env"] and report["env"].endswith("inventory.yml")
    assert report["mode"] == 0o600
    assert report["transport"] == "basic"
    assert report["reached"] == {"node1": "127.0.0.12", "node2": "127.0.0.13", "dc1": "127.0.0.11"}
    assert not pathlib.Path(report["env"]).exists()


def test_exit_code_of_the_command_is_returned_and_the_lab_stops(tmp_path: pathlib.Path, free_port: int) -> None:
    code, _ = run_probe(tmp_path, free_port, 7)

    assert code == 7
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.12", free_port), timeout=5)


def test_state_dir_is_written_for_the_run(tmp_path: pathlib.Path, free_port: int) -> None:
    state_dir = tmp_path / "state"

    run_probe(tmp_path, free_port, 0, "--state-dir", str(state_dir))

    assert json.loads((state_dir / "state.json").read_text(encoding="utf-8"))["topology"] == "default"
    assert (state_dir / "processes.jsonl").exists()


def test_missing_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--"]) == 2
    assert "give the command to run after --" in capsys.readouterr().err


def test_command_that_does_not_exist_exits_127(free_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--port", str(free_port), "--", "/nonexistent/ansible-playbook"]) == 127
    assert "command not found: /nonexistent/ansible-playbook" in capsys.readouterr().err


def test_run_says_which_port_the_lab_listens_on(free_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--port", str(free_port), "--", sys.executable, "-c", "pass"]) == 0

    assert capsys.readouterr().err == (
        f"iis-lab run: the lab listens on 127.0.0.11,127.0.0.12,127.0.0.13 port {free_port}\n"
    )


def test_a_busy_port_ends_with_a_sentence_saying_so_and_how_to_choose_another(
    free_port: int, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "ran"
    with socket.socket() as holder:
        holder.bind(("127.0.0.12", free_port))
        holder.listen()
        code = main(["run", "--port", str(free_port), "--", sys.executable, "-c", f"open({str(marker)!r}, 'w')"])

    assert code == 1
    assert capsys.readouterr().err == (
        f"iis-lab: port {free_port} is already in use on 127.0.0.12, by another lab or program: stop that one, "
        "or choose another port with --port N (make demo DEMO_PORT=N)\n"
    )
    assert not marker.exists()
    # The port is free again for the next lab: nothing the refused start bound stays bound.
    assert main(["run", "--port", str(free_port), "--", sys.executable, "-c", "pass"]) == 0
