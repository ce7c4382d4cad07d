"""Start the lab on loopback and run the real ansible-playbook against it."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import typing as t
from pathlib import Path

import yaml
from iis_lab.health import problems
from iis_lab.inventory import inventory_yaml
from iis_lab.topology import default_document, load_topology

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PLAYBOOKS = Path(__file__).parent / "playbooks"
LAB_START_SECONDS = 30
PLAYBOOK_SECONDS = 300


def topology_file(workdir: Path, **changes: t.Any) -> Path:
    """A topology file in ``workdir``: the default one with ``changes``
    (:func:`iis_lab.topology.default_document`)."""
    path = workdir / "topology.yml"
    path.write_text(yaml.safe_dump(default_document(**changes)))
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclasses.dataclass
class PlaybookRun:
    """One finished ansible-playbook run: its output and every task result it reported."""

    rc: int
    output: str
    results: list[dict[str, t.Any]]

    def entry(self, task: str, host: str) -> dict[str, t.Any]:
        """The result of ``task`` where it ran on ``host``: for itself, or delegated there (the
        roles run the sync source's tasks once for the cluster, delegated to it)."""
        matches = [entry for entry in self.results if entry["task"] == task and host in (entry["host"], entry.get("delegated_to"))]
        assert len(matches) == 1, f"expected one result of {task!r} on {host}, got {len(matches)}:\n{self.output}"
        return matches[0]

    def result(self, task: str, host: str) -> dict[str, t.Any]:
        return self.entry(task, host)["result"]

    def status(self, task: str, host: str) -> str:
        """ok, failed, skipped or unreachable: the callback event Ansible raised."""
        return self.entry(task, host)["status"]

    def changed(self) -> dict[str, int]:
        """changed= per host, from the PLAY RECAP."""
        return {host: int(count) for host, count in re.findall(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", self.output, re.M)}

    def failed(self) -> dict[str, int]:
        return {host: int(count) for host, count in re.findall(r"^(\S+)\s+: .*failed=(\d+)", self.output, re.M)}


class Lab:
    """An ``iis-lab serve`` process with its state directory and inventory."""

    def __init__(
        self, workdir: Path, topology: Path | None = None, transport: str = "ntlm", resume: bool = False
    ) -> None:
        self.workdir = workdir
        self.state_dir = workdir / "state"
        self.port = _free_port()
        topology_args = ["--topology", str(topology)] if topology else []
        self.inventory = workdir / "inventory.yml"
        # What `iis-lab inventory` prints (tests/lab/tests/test_cli_inventory.py tests the command),
        # made in this process rather than by one more Python process per lab.
        self.inventory.write_text(inventory_yaml(load_topology(str(topology) if topology else None), self.port, transport))
        self._serve_options = ["--port", str(self.port), "--state-dir", str(self.state_dir), *topology_args]
        self._start(["--resume"] if resume else [])
        self._runs = 0

    def _start(self, options: list[str]) -> None:
        self._process = subprocess.Popen(
            [BIN / "iis-lab", "serve", *self._serve_options, *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._wait_until_listening()

    def restart(self) -> str:
        """Stop the lab and serve it again with ``--resume``: the model its state directory
        recorded, not a fresh one. Returns the line the lab announced itself with."""
        self.stop()
        self._start(["--resume"])
        return self.announced

    def _wait_until_listening(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._process.stdout, selectors.EVENT_READ)
        if not selector.select(LAB_START_SECONDS):
            self.stop()
            raise RuntimeError(f"iis-lab did not start listening within {LAB_START_SECONDS}s")
        line = self._process.stdout.readline()
        if "listening" not in line:
            self.stop()
            raise RuntimeError(f"iis-lab failed to start: {line}{self._process.stdout.read()}")
        self.announced = line

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def state(self) -> dict[str, t.Any]:
        return json.loads(self.state_text())

    def state_text(self) -> str:
        return (self.state_dir / "state.json").read_text()

    def processes_text(self) -> str:
        return (self.state_dir / "processes.jsonl").read_text()

    def processes(self) -> list[dict[str, t.Any]]:
        return [json.loads(line) for line in self.processes_text().splitlines() if line]

    def recorded_command_lines(self) -> str:
        """Every command line a host recorded, each followed by its decoded ``-EncodedCommand``
        script, so that a secret hidden in base64 UTF-16 is found too."""
        lines = []
        for process in self.processes():
            line = process["command_line"]
            lines.append(line)
            encoded = re.search(r"-EncodedCommand\s+(\S+)", line, re.IGNORECASE)
            if encoded:
                lines.append(base64.b64decode(encoded.group(1)).decode("utf-16-le"))
        return "\n".join(lines)

    def assert_never_exposed(self, secret: str, runs: t.Sequence[PlaybookRun]) -> None:
        """``secret`` is in no run's output or results, in no state file, on no command line."""
        assert secret, "an empty secret proves nothing"
        for run in runs:
            assert secret not in run.output
            assert secret not in json.dumps(run.results)
        assert secret not in self.state_text()
        assert secret not in self.recorded_command_lines()

    def converge_identities(self, **extra_vars: str) -> None:
        """KB Q249603 steps 1-7 (``identities.yml``): domain IUSR and IWAM accounts that every node
        can log on with, what step 8 needs to replicate a metabase that works on every node."""
        kb = {
            "iis_cluster_account_base": "web",
            "iis_cluster_iusr_password": "Iusr-Lab-Passw0rd",
            "iis_cluster_iwam_password": "Iwam-Lab-Passw0rd",
            **extra_vars,
        }
        run = self.playbook("identities.yml", extra_vars=kb)
        assert run.rc == 0, run.output

    def assert_healthy(self) -> None:
        """Every node works, by the lab's own model: every anonymous key logs on, every
        out-of-process application runs as WAMUserName and its identity logs on."""
        found = problems(self.state())
        assert not found, "the lab's nodes do not all work:\n" + "\n".join(found)

    @property
    def admin_password(self) -> str:
        """The domain administrator's password, which the inventory holds."""
        return str(yaml.safe_load(self.inventory.read_text())["all"]["vars"]["ansible_password"])

    def become_vars(self) -> dict[str, str]:
        """Extra vars for runas become as the domain administrator, with its password."""
        return {
            "ansible_become_method": "runas",
            "ansible_become_user": "WEBFARM\\Administrator",
            "ansible_become_password": self.admin_password,
        }

    def edit(self, host: str, path: str, name: str, value: str) -> None:
        """Change one host's metabase behind the collection's back (``iis-lab edit``)."""
        place = ["--host", host, "--path", path, "--property", name, "--value", value]
        subprocess.run(
            [BIN / "iis-lab", "edit", "--state-dir", str(self.state_dir), *place],
            check=True,
            capture_output=True,
            text=True,
        )

    def fault(self, host: str, *, add: str | None = None, clear: str | None = None) -> None:
        """Add or clear a fault of the running lab (``iis-lab fault``)."""
        change = ["--add", add] if add else ["--clear", str(clear)]
        subprocess.run(
            [BIN / "iis-lab", "fault", "--state-dir", str(self.state_dir), "--host", host, *change],
            check=True,
            capture_output=True,
            text=True,
        )

    def condition(self, host: str, kind: str, name: str, *, clear: bool = False) -> None:
        """Put an account or group of the running lab in a condition on ``host``, or take it out
        (``iis-lab condition``; for example ``batch_right_removed``)."""
        change = ["--kind", kind, "--name", name, *(["--clear"] if clear else [])]
        subprocess.run(
            [BIN / "iis-lab", "condition", "--state-dir", str(self.state_dir), "--host", host, *change],
            check=True,
            capture_output=True,
            text=True,
        )

    def iissync_runs(self) -> list[dict[str, t.Any]]:
        """The iissync.exe processes the hosts started."""
        return [process for process in self.processes() if "iissync.exe" in process["command_line"]]

    def web_deploy_syncs(self, host: str) -> list[dict[str, t.Any]]:
        """The Web Deploy syncs the IIS 7+ ``host``'s agent received (source, provider, site, time,
        counts, error codes), oldest first; previews are not recorded."""
        return list(self.state()["hosts"][host]["iis"]["web_deploy"]["syncs"])

    def hosts(self, group: str) -> list[str]:
        inventory = yaml.safe_load(self.inventory.read_text())
        return list(inventory["all"]["children"][group]["hosts"])

    def playbook(
        self,
        playbook: str,
        *options: str,
        extra_vars: dict[str, t.Any] | None = None,
        inventory: Path | None = None,
        leaves_broken: str = "",
    ) -> PlaybookRun:
        """Run ``playbook`` against the lab. A green run must leave every node working
        (:meth:`assert_healthy`); a test that breaks a node on purpose says why in ``leaves_broken``."""
        self._runs += 1
        run_dir = self.workdir / f"run{self._runs}"
        (run_dir / "home").mkdir(parents=True)
        result_log = run_dir / "results.jsonl"
        result_log.touch()
        env = {
            **os.environ,
            "HOME": str(run_dir / "home"),
            "ANSIBLE_HOME": str(run_dir / "home" / ".ansible"),
            "ANSIBLE_LOCAL_TEMP": str(run_dir / "tmp"),
            "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".tmp" / "collections"),
            "ANSIBLE_CALLBACK_PLUGINS": str(Path(__file__).parent / "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "result_log",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "RESULT_LOG": str(result_log),
        }
        # The collection's own playbooks run by their FQCN, as users run them; test playbooks by file.
        target = playbook if playbook.startswith("webfarm.iis_cluster.") else str(PLAYBOOKS / playbook)
        command = [str(BIN / "ansible-playbook"), "-i", str(inventory or self.inventory), target, *options]
        if extra_vars:
            # From a file, as operators pass secrets: at -vvvv ansible-playbook prints its argv.
            vars_file = run_dir / "extra_vars.json"
            vars_file.write_text(json.dumps(extra_vars))
            command += ["--extra-vars", f"@{vars_file}"]
        completed = subprocess.run(
            command, env=env, cwd=run_dir, capture_output=True, text=True, timeout=PLAYBOOK_SECONDS, check=False
        )
        results = [json.loads(line) for line in result_log.read_text().splitlines() if line]
        run = PlaybookRun(completed.returncode, completed.stdout + completed.stderr, results)
        if run.rc == 0 and not leaves_broken:
            self.assert_healthy()
        return run
