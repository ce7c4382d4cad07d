"""The real tools of the venv, run with a home of their own (the AWX tests' runner)."""

from __future__ import annotations

import os
import subprocess
import sys
import typing as t
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# awx.awx (`make awx-collection`) and the link to this checkout (`make collection-link`).
COLLECTIONS_PATH = ROOT / ".tmp" / "collections"
TOOL_SECONDS = 300


class Tools:
    """Runs a tool of the venv with HOME and Ansible's folders below one temporary folder."""

    def __init__(self, home: Path) -> None:
        self.env = {
            **os.environ,
            "HOME": str(home),
            "ANSIBLE_HOME": str(home / ".ansible"),
            "ANSIBLE_LOCAL_TEMP": str(home / ".ansible" / "tmp"),
            "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS_PATH),
            "ANSIBLE_NOCOLOR": "1",
            "NO_COLOR": "1",
        }

    def run(self, tool: str, *args: t.Any, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
        """Runs ``tool`` (with ``env`` added to the environment) and returns it finished; a
        failure fails the test with the tool's output."""
        completed = subprocess.run(
            [str(BIN / tool), *map(str, args)],
            cwd=cwd,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=TOOL_SECONDS,
            check=False,
        )
        assert completed.returncode == 0, f"{tool} {args} exited {completed.returncode}:\n{completed.stdout}{completed.stderr}"
        return completed
