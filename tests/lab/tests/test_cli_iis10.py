"""``iis-lab edit-config`` and ``iis-lab condition`` on a running IIS 10 lab."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys

from test_cli_serve import ENTRY_POINT, first_line, start_serve

TOPOLOGY = os.path.join(os.path.dirname(__file__), "..", "iis_lab", "topologies", "iis10.yml")


def command(state_dir: pathlib.Path, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    line = [sys.executable, "-c", ENTRY_POINT, name, "--state-dir", str(state_dir), *args]
    return subprocess.run(line, capture_output=True, text=True, timeout=60, check=False)


def iis(state_dir: pathlib.Path, host: str) -> dict[str, object]:
    return json.loads((state_dir / "state.json").read_text())["hosts"][host]["iis"]


def test_config_edits_and_conditions_reach_the_running_lab(tmp_path: pathlib.Path, free_port: int) -> None:
    serve = start_serve("--topology", TOPOLOGY, "--port", str(free_port), "--state-dir", str(tmp_path))
    try:
        assert "listening" in first_line(serve)
        pool = ["--section", "system.applicationHost/applicationPools", "--element", "add[@name='Shop']/processModel"]
        set_user = command(
            tmp_path,
            "edit-config",
            "--host",
            "NODE3",
            *pool,
            "--attribute",
            "userName",
            "--value",
            "WEBFARM\\WebFarmPool$",
        )
        set_type = command(
            tmp_path, "edit-config", "--host", "NODE3", *pool, "--attribute", "identityType", "--value", "SpecificUser"
        )
        bad = command(
            tmp_path, "edit-config", "--host", "NODE3", *pool, "--attribute", "identityType", "--value", "Nobody"
        )
        assert (set_user.returncode, set_type.returncode) == (0, 0), set_user.stderr + set_type.stderr
        assert bad.returncode == 1 and "0x80070057" in bad.stderr
        assert 'userName="WEBFARM\\WebFarmPool$"' in iis(tmp_path, "NODE3")["applicationhost"]
        # NODE3 may not retrieve the gMSA's password: its worker cannot log on.
        assert "ERROR_LOGON_FAILURE" in str(iis(tmp_path, "NODE3")["pools"]["Shop"]["logon_error"])
        unknown = command(
            tmp_path, "condition", "--host", "NODE1", "--kind", "account_disabled", "--name", "WEBFARM\\Nobody"
        )
        assert unknown.returncode == 1 and "Nobody" in unknown.stderr
        removed = command(
            tmp_path, "condition", "--host", "NODE1", "--kind", "batch_right_removed", "--name", "BUILTIN\\IIS_IUSRS"
        )
        assert removed.returncode == 0, removed.stderr
        state = json.loads((tmp_path / "state.json").read_text())
        assert "BUILTIN\\IIS_IUSRS" not in state["hosts"]["NODE1"]["user_rights"]["SeBatchLogonRight"]
        assert "BUILTIN\\IIS_IUSRS" in state["hosts"]["NODE2"]["user_rights"]["SeBatchLogonRight"]
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(30)
