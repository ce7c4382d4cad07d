"""``make bench``: the collection measured on the lab (issue 12). See benchmarks/README.md.

    python benchmarks/bench.py [--smoke] [--output benchmarks/RESULTS.md]

The full run measures 2, 8 and 32 IIS nodes, verification at 1k/10k/50k metabase properties and
verification on IIS 10 at 1k/10k/50k configuration attributes, and exits 1 when a counted target
(executions, bytes) is missed, never on a time. ``--apphost-verify`` measures the IIS 10
verification only.
``--smoke`` measures the 2-node cluster and the 1k verification only, checks that every table
row got plausible counted values (executions and bytes on every step of a converging run), and
does not judge the targets.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import pathlib
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import typing as t

import ansible
import yaml
from iis_lab.topology import default_document

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import measure  # noqa: E402 - the sibling module, found through the path above

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = pathlib.Path(sys.executable).parent
CALLBACKS = pathlib.Path(__file__).resolve().parent / "callback"
PLAYBOOK = ROOT / "playbooks" / "cluster_iis.yml"
CLUSTER_VARS = ROOT / "tests" / "lab" / "cluster-vars.yml"
FIRST_ADDRESS = 11  # 127.0.0.11 is the domain controller, as in the default topology
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
IIS10 = ROOT / "tests" / "lab" / "iis_lab" / "topologies" / "iis10.yml"
# Runs of each size on fresh labs, the fastest kept (measure_scale).
SCALE_ATTEMPTS = 3
# The virtual directory the IIS 10 verification edits by hand on the target.
DRIFT_DIRECTORY = "/bench00123"


def topology(nodes: int, metabase_properties: int = 0) -> dict[str, t.Any]:
    """The default topology's shape (one domain controller, IIS 5.0 members with the same
    applications) with ``nodes`` IIS nodes."""
    document = default_document()
    dc, first = document["hosts"][0], document["hosts"][1]
    hosts = [dc]
    for index in range(nodes):
        host = dict(first, name=f"NODE{index + 1}", address=f"127.0.0.{FIRST_ADDRESS + 1 + index}")
        hosts.append(host)
    document["hosts"] = hosts
    if metabase_properties:
        document["metabase_properties"] = metabase_properties
    return document


def apphost_topology(workdir: pathlib.Path, attributes: int) -> dict[str, t.Any]:
    """The iis10 topology with its domain controller and two IIS 10 nodes (the source NODE2), each
    seeded with iis10-applicationHost.config grown to about ``attributes`` configuration
    attributes: virtual directories of the site Shop's root application (a path and a physical
    path each), the shape of a site that publishes many folders."""
    document = yaml.safe_load(IIS10.read_text())
    seed = (IIS10.parent / "iis10-applicationHost.config").read_text()
    existing = len(re.findall(r'\s[A-Za-z]+="', seed))
    directories = "".join(
        f'\n                    <virtualDirectory path="/bench{index:05}" physicalPath="D:\\Sites\\Shop\\bench{index:05}" />'
        for index in range(max(0, attributes - existing) // 2)
    )
    anchor = '<virtualDirectory path="/" physicalPath="D:\\Sites\\Shop" />'
    assert anchor in seed, "iis10-applicationHost.config changed: grow another element"
    grown = workdir / "applicationHost.config"
    grown.write_text(seed.replace(anchor, anchor + directories, 1))
    hosts = [host for host in document["hosts"] if host["name"] in ("DC1", "NODE1", "NODE2")]
    for host in hosts:
        if "applicationhost" in host:
            host["applicationhost"] = str(grown)
    document["hosts"] = hosts
    return document


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a running process, from /proc."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class LabProcess:
    """``iis-lab serve`` in its own process, so that its CPU is measured apart from the controller's."""

    def __init__(self, workdir: pathlib.Path, document: dict[str, t.Any]) -> None:
        self.workdir = workdir
        self.topology = workdir / "topology.yml"
        self.topology.write_text(yaml.safe_dump(document))
        self.state_dir = workdir / "state"
        self.port = _free_port()
        self.inventory = workdir / "inventory.yml"
        self.inventory.write_text(
            subprocess.run(
                [BIN / "iis-lab", "inventory", "--topology", self.topology, "--port", str(self.port)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        self.process = subprocess.Popen(
            [BIN / "iis-lab", "serve", "--topology", self.topology, "--port", str(self.port), "--state-dir", self.state_dir],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if "listening" not in line:
            self.stop()
            raise RuntimeError(f"iis-lab serve did not start: {line!r}")

    def cpu(self) -> float:
        return _cpu_seconds(self.process.pid)

    def executions(self) -> list[dict[str, t.Any]]:
        text = (self.state_dir / "executions.jsonl").read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines()]

    def state(self) -> dict[str, t.Any]:
        return json.loads((self.state_dir / "state.json").read_text(encoding="utf-8"))

    def edit_config(self, host: str, section: str, element: str, name: str, value: str) -> None:
        subprocess.run(
            [BIN / "iis-lab", "edit-config", "--state-dir", self.state_dir, "--host", host, "--section", section,
             "--element", element, "--attribute", name, "--value", value, "--timeout", "120"],
            check=True,
        )

    def edit(self, host: str, path: str, name: str, value: str) -> None:
        subprocess.run(
            [BIN / "iis-lab", "edit", "--state-dir", self.state_dir, "--host", host, "--path", path,
             "--property", name, "--value", value, "--timeout", "120"],
            check=True,
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Run(t.NamedTuple):
    """One ansible-playbook run: exit code, wall seconds, controller and lab CPU seconds, and
    its executions per (host, step)."""

    rc: int
    wall: float
    controller_cpu: float
    lab_cpu: float
    tallies: measure.StepTallies
    payloads: dict[str, int]
    """Each module's smallest request in the run: its fixed payload (and the least arguments any
    of its executions took)."""
    host_tasks: dict[str, int]
    """Task results the controller handled per inventory host, skipped ones and includes too (a
    ``run_once`` task's on the host it ran for): each is a worker forked and its variables built."""


def play(
    lab: LabProcess, forks: int, *args: str, extra: pathlib.Path = CLUSTER_VARS, playbook: pathlib.Path = PLAYBOOK
) -> Run:
    """Run ``playbook`` (the collection's) against ``lab``; the controller's CPU is ansible-playbook's
    with every child it waited for (wait4's rusage), the lab's read from /proc before and after."""
    steps = lab.workdir / f"steps-{time.monotonic_ns()}.jsonl"
    steps.touch()
    env = {
        **os.environ,
        "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS),
        "ANSIBLE_CALLBACKS_ENABLED": "bench_steps",
        "ANSIBLE_FORKS": str(forks),
        "BENCH_STEPS_FILE": str(steps),
    }
    already = len(lab.executions())
    lab_before = lab.cpu()
    started = time.monotonic()
    with open(steps.with_suffix(".log"), "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [BIN / "ansible-playbook", "-i", lab.inventory, "-e", f"@{extra}", playbook, *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    lab_cpu = lab.cpu() - lab_before
    # The lab records an execution when its shell closes: give the last one a moment.
    time.sleep(0.3)
    tasks = [json.loads(line) for line in steps.read_text(encoding="utf-8").splitlines()]
    executions = lab.executions()[already:]
    tallies = measure.attribute(executions, tasks)
    host_tasks = collections.Counter(task["inventory_host"] for task in tasks)
    return Run(
        process.returncode, wall, usage.ru_utime + usage.ru_stime, lab_cpu, tallies, measure.payloads(executions), dict(host_tasks)
    )


class ScaleResult(t.NamedTuple):
    nodes: int
    hosts: list[str]
    converge: Run
    rerun: Run


def measure_scale(workdir: pathlib.Path, nodes: int, attempts: int = 1) -> ScaleResult:
    """Converge a fresh lab of ``nodes`` IIS nodes at forks = N, then run again (changed=0);
    ``attempts`` times, each on a fresh lab, keeping the fastest converging run and the fastest
    rerun. A shared machine slows a run now and then, by up to a third here: the fastest of a few
    is what the collection costs, and the only wall time a ratio of two sizes can be taken from."""
    hosts = ["dc1", *(f"node{index + 1}" for index in range(nodes))]
    converges, reruns = [], []
    for attempt in range(attempts):
        folder = workdir / f"scale-{nodes}-{attempt + 1}"
        _mkdir(folder)
        lab = LabProcess(folder, topology(nodes))
        try:
            forks = nodes  # forks = N: every node at once (the DC has its own work only in steps 1-3)
            converge = play(lab, forks)
            rerun = play(lab, forks)
        finally:
            lab.stop()
        for name, run in (("converging", converge), ("rerun", rerun)):
            if run.rc != 0:
                raise RuntimeError(f"the {name} run at {nodes} nodes failed (rc {run.rc}); see {lab.workdir}")
        converges.append(converge)
        reruns.append(rerun)
    fastest = min(converges, key=lambda run: run.wall), min(reruns, key=lambda run: run.wall)
    return ScaleResult(nodes, hosts, *fastest)


class FloorResult(t.NamedTuple):
    nodes: int
    executions: int
    """Executions per node."""
    run: Run


def measure_floor(workdir: pathlib.Path, nodes: int, executions: int, attempts: int = 1) -> FloorResult:
    """What ansible-core and pywinrm alone cost for ``executions`` WinRM executions on each of
    ``nodes`` IIS nodes at forks = N: a play of that many bare tasks of the collection's smallest
    module (``node_info`` without options), with no include, condition or variable of the
    collection's. The fastest of ``attempts`` runs on one lab (the tasks only read)."""
    folder = workdir / f"floor-{nodes}-{executions}"
    _mkdir(folder)
    playbook = folder / "floor.yml"
    play_document = {
        "name": f"{executions} bare executions on every node",
        "hosts": "iis_cluster",
        "gather_facts": False,
        "tasks": [{"name": f"Execution {index + 1}", "webfarm.iis_cluster.node_info": None} for index in range(executions)],
    }
    playbook.write_text(yaml.safe_dump([play_document], sort_keys=False), encoding="utf-8")
    lab = LabProcess(folder, topology(nodes))
    try:
        runs = [play(lab, nodes, playbook=playbook) for _ in range(attempts)]
    finally:
        lab.stop()
    if any(run.rc != 0 for run in runs):
        raise RuntimeError(f"the floor's play at {nodes} nodes failed; see {lab.workdir}")
    return FloorResult(nodes, executions, min(runs, key=lambda run: run.wall))


def rerun_executions_per_target(scale: ScaleResult) -> int:
    """The executions a rerun makes on its busiest target node, every step and the pre-flight."""
    return max(
        sum(tally.executions for (host, _), tally in scale.rerun.tallies.items() if host == target)
        for target in _role_hosts(scale)["target"]
    )


class VerifyResult(t.NamedTuple):
    properties: int
    drifts: int
    verify: measure.Tally
    full_dump: int
    payloads: dict[str, int]

    @property
    def data_bytes(self) -> int:
        """What the verification moved beyond the fixed payload of the module each execution ran:
        every response, and each request's bytes past its module's payload (the instructions, e.g.
        a summary of the source's digest tree sent to a target)."""
        return measure.data_bytes(self.verify, self.payloads)

    @property
    def share(self) -> float:
        """The counted share: the data moved against a full dump's data."""
        return self.data_bytes / self.full_dump

    @property
    def wire_share(self) -> float:
        """Requests included (each execution's request carries the module's payload)."""
        return self.verify.total_bytes / self.full_dump


def measure_verify(workdir: pathlib.Path, properties: int) -> list[VerifyResult]:
    """Converge the 2-node lab seeded with ``properties`` metabase properties, then run the
    verification alone with no drift and after one ``iis-lab edit`` on the target."""
    _mkdir(workdir / f"verify-{properties}")
    lab = LabProcess(workdir / f"verify-{properties}", topology(2, properties))
    results = []
    try:
        converge = play(lab, 2)
        if converge.rc != 0:
            raise RuntimeError(f"the converging run at {properties} properties failed; see {lab.workdir}")
        hosts = ("node1", "node2")
        state = lab.state()["hosts"]
        full_dump = sum(measure.full_dump_bytes(state[host.upper()]["metabase"]) for host in hosts)
        for drifts in (0, 1):
            if drifts:
                lab.edit("NODE2", "W3SVC/1", "ServerComment", "Changed by hand")
            run = play(lab, 2, "--tags", "verify")
            if (run.rc == 0) != (drifts == 0):
                raise RuntimeError(f"verify with {drifts} drift exited {run.rc}; see {lab.workdir}")
            tally = measure.step_tally(run.tallies, "verify", hosts)
            # A module's payload is the smallest of its requests in the converging run or this one.
            payloads = {
                module: min(size, converge.payloads.get(module, size)) for module, size in run.payloads.items()
            }
            results.append(VerifyResult(properties, drifts, tally, full_dump, payloads))
    finally:
        lab.stop()
    return results


def measure_apphost_verify(workdir: pathlib.Path, attributes: int) -> list[VerifyResult]:
    """The verification alone on two IIS 10 nodes whose configurations hold about ``attributes``
    attributes, equal (as seeded), then after one virtual directory's physical path is changed by
    hand on the target. The yardstick: both nodes' applicationHost.config (:func:`measure.apphost_export_bytes`)."""
    folder = workdir / f"apphost-verify-{attributes}"
    _mkdir(folder)
    lab = LabProcess(folder, apphost_topology(folder, attributes))
    variables = folder / "vars.yml"
    variables.write_text(yaml.safe_dump({"anonymous_identity_site": "Shop", **yaml.safe_load(CLUSTER_VARS.read_text())}))
    results = []
    try:
        hosts = ("node1", "node2")
        state = lab.state()["hosts"]
        full_export = measure.apphost_export_bytes(state[host.upper()]["iis"]["applicationhost"] for host in hosts)
        for drifts in (0, 1):
            if drifts:
                element = f"site[@name='Shop']/application[@path='/']/virtualDirectory[@path='{DRIFT_DIRECTORY}']"
                lab.edit_config("NODE1", "system.applicationHost/sites", element, "physicalPath", "E:\\Changed\\By\\Hand")
            run = play(lab, 2, "--tags", "verify", extra=variables)
            if (run.rc == 0) != (drifts == 0):
                raise RuntimeError(f"IIS 10 verify with {drifts} drift exited {run.rc}; see {lab.workdir}")
            tally = measure.step_tally(run.tallies, "verify", hosts)
            results.append(VerifyResult(attributes, drifts, tally, full_export, run.payloads))
    finally:
        lab.stop()
    return results


def _mkdir(path: pathlib.Path) -> None:
    path.mkdir(parents=True, exist_ok=True)


def _role_hosts(result: ScaleResult) -> dict[str, list[str]]:
    """The hosts of a scale run by role: the DC, the source node (the first), the targets."""
    return {"DC": [result.hosts[0]], "source": [result.hosts[1]], "target": result.hosts[2:]}


def _per_node(tallies: measure.StepTallies, step: str, hosts: list[str]) -> measure.Tally:
    """The tally of the host with the most executions of ``step`` among ``hosts`` (targets alike)."""
    return max((tallies.get((host, step), measure.Tally()) for host in hosts), key=lambda tally: tally.executions)


def _header(smoke: bool, seconds: float) -> list[str]:
    cpu_model = next(
        (line.split(":", 1)[1].strip() for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    return [
        "# make bench: results" + (" (smoke)" if smoke else ""),
        "",
        "Written by `make bench` (`benchmarks/bench.py`; what each figure means: `benchmarks/README.md`).",
        "",
        f"* Machine: {os.cpu_count()} CPUs, {cpu_model}; Linux {platform.release()}",
        f"* Python {platform.python_version()}, ansible-core {ansible.__version__}",
        f"* Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} in {seconds:.0f} s"
        f" (load average before: {os.getloadavg()[0]:.2f}; the machine may have been shared: times are indicative)",
        "",
    ]


def _apphost_section(apphost: list[VerifyResult]) -> list[str]:
    if not apphost:
        return []
    return [
        "## Verify on IIS 10: bytes on the wire against a full export of both nodes",
        "",
        _verify_table(apphost, "attributes"),
        "",
        "Two IIS 10 nodes whose applicationHost.config holds about that many attributes (virtual",
        "directories of one site, `bench.apphost_topology`); one drift is a virtual directory's physical",
        "path changed by hand on the target (`iis-lab edit-config`). The yardstick is both nodes'",
        "applicationHost.config, base64-encoded as WinRS carries output (`measure.apphost_export_bytes`):",
        "the file is the smallest complete form of the configuration (`web_config_get` of everything",
        "would add each attribute's name, origin and flags), so its share is the strict one. Data is",
        "counted as for the metabase; the verify step includes each node's pools (one execution each).",
        "",
    ]


def _targets(misses: list[measure.Miss], smoke: bool) -> list[str]:
    out = ["## Counted targets", ""]
    if smoke:
        out.append("Not judged in a smoke run.")
    elif misses:
        out.append(measure.table(["missed target", "limit", "measured"], [[m.target, m.limit, m.measured] for m in misses]))
    else:
        out.append("Every counted target holds.")
    return out


def apphost_report(apphost: list[VerifyResult], misses: list[measure.Miss], seconds: float) -> str:
    """The report of ``--apphost-verify``: the IIS 10 verification only."""
    return "\n".join([*_header(False, seconds), *_apphost_section(apphost), *_targets(misses, False)]) + "\n"


def _verify_table(results: list[VerifyResult], size: str) -> str:
    return measure.table(
        [size, "drifts", "executions", "request KiB", "response KiB", "full dump KiB",
         "data / full dump", "counted target", "requests + responses / full dump"],
        [
            [f"{result.properties:,}", result.drifts, result.verify.executions,
             measure.kib(result.verify.request_bytes), measure.kib(result.verify.response_bytes),
             measure.kib(result.full_dump), f"{result.share:.1%}",
             f"<= {measure.VERIFY_SHARE_MAX[result.drifts]:.0%}"
             if result.properties == measure.VERIFY_TARGET_PROPERTIES else "-",
             f"{result.wire_share:.1%}"]
            for result in results
        ],
    )


def report(
    scales: list[ScaleResult],
    verifies: list[VerifyResult],
    misses: list[measure.Miss],
    smoke: bool,
    seconds: float,
    apphost: list[VerifyResult] | None = None,
    floors: list[FloorResult] | None = None,
) -> str:
    base = scales[0]
    roles = _role_hosts(base)
    steps = [step for step in measure.STEPS if step != measure.UNATTRIBUTED or any(
        key[1] == step for run in (base.converge, base.rerun) for key in run.tallies)]
    out = [
        *_header(smoke, seconds),
        f"## Executions per node per KB step ({base.nodes} IIS nodes; target: the busiest target node)",
        "",
        measure.table(
            ["step", *(f"{role} {run}" for role in roles for run in ("converge", "rerun"))],
            [
                [step, *(
                    _per_node(run.tallies, step, hosts).executions if hosts else "-"
                    for hosts in roles.values() for run in (base.converge, base.rerun)
                )]
                for step in steps
            ],
        ),
        "",
        "Counted: the KB steps (domain_accounts ... verify); preflight and other (summary, rescue) are shown only.",
        "",
    ]
    for name in ("converge", "rerun"):
        out += [
            f"## Bytes on the wire per node per KB step, {name} (KiB of HTTP bodies, request / response)",
            "",
            measure.table(
                ["step", *roles],
                [
                    [step, *(
                        f"{measure.kib(tally.request_bytes)} / {measure.kib(tally.response_bytes)}"
                        for hosts in roles.values()
                        for tally in [_per_node(getattr(base, name).tallies, step, hosts)] if hosts
                    )]
                    for step in steps
                ],
            ),
            "",
        ]
    out += [
        f"## Request per execution per KB step, converge (KiB; {base.nodes} IIS nodes, every host)",
        "",
        measure.table(
            ["step", "executions", "request KiB per execution", "modules"],
            [
                [step, tally.executions, measure.kib(tally.request_bytes // tally.executions),
                 ", ".join(f"{module.rsplit('.', 1)[-1] or '-'} x{count}" for module, count in sorted(tally.modules.items()))]
                for step in steps
                for tally in [measure.step_tally(base.converge.tallies, step, base.hosts)] if tally.executions
            ],
        ),
        "",
        "## Fixed payload per module (KiB: the smallest request of its executions in the converging run)",
        "",
        measure.table(
            ["module", "fixed payload KiB"],
            [[module or "(none recorded)", measure.kib(size)] for module, size in sorted(base.converge.payloads.items())],
        ),
        "",
        "Each batch goes to the smallest module of the instruction set that loads the util of every op",
        "in it (docs/instruction-set.md); a module's payload is the PowerShell and C# Ansible sends with it.",
        "",
    ]
    out += [
        "## Scale: wall time and CPU at forks = N",
        "",
        "One run of each, on a fresh lab." if smoke else
        f"Each row is the fastest of {SCALE_ATTEMPTS} runs, each on a fresh lab (`measure_scale`).",
        "",
        measure.table(
            ["IIS nodes", "run", "wall s", "controller CPU s", "controller CPU s per node", "lab CPU s",
             "lab share of CPU", "executions", "host-tasks per target"],
            [
                [scale.nodes, name, f"{run.wall:.1f}", f"{run.controller_cpu:.1f}",
                 f"{run.controller_cpu / scale.nodes:.2f}", f"{run.lab_cpu:.1f}",
                 f"{run.lab_cpu / (run.lab_cpu + run.controller_cpu):.0%}",
                 sum(tally.executions for tally in run.tallies.values()),
                 max(run.host_tasks.get(host, 0) for host in _role_hosts(scale)["target"])]
                for scale in scales for name, run in (("converge", scale.converge), ("rerun", scale.rerun))
            ],
        ),
        "",
        "Host-tasks per target: the task results the controller handled for the busiest target node,",
        "skipped tasks and includes among them; each costs a forked worker and the node's variables.",
        "",
    ]
    if len(scales) > 1:
        small, large = scales[0], scales[-1]
        out += [
            f"Wall-time ratio {large.nodes}/{small.nodes} nodes: converge "
            f"{large.converge.wall / small.converge.wall:.1f}, rerun {large.rerun.wall / small.rerun.wall:.1f}"
            " (issue 12's goal: <= 3; a time, reported, not counted).",
            "",
        ]
    out += _floor_section(floors, scales)
    out += [
        "## Verify: bytes on the wire against a full dump of both nodes",
        "",
        _verify_table(verifies, "properties"),
        "",
        "Verify's bytes: the HTTP bodies of the verify step's executions on both nodes. The counted share is",
        "the data they moved against a full dump: every response (SOAP envelopes included) and each",
        "request's bytes beyond the fixed payload of the module it ran (that module's smallest request),",
        "which is where the instructions travel, a summary of the source's digest tree among them. A full",
        "dump is the data of `metabase_get` for every key of each node, as base64 module output, for both",
        "nodes (`measure.full_dump_bytes`), without request or envelope. The payload itself is a fixed cost",
        "per execution that the executions tables count; the last column adds it back.",
        "",
    ]
    out += _apphost_section(apphost or [])
    out += _targets(misses, smoke)
    return "\n".join(out) + "\n"


def _floor_section(floors: list[FloorResult] | None, scales: list[ScaleResult]) -> list[str]:
    if not floors:
        return []
    reruns = {scale.nodes: scale.rerun for scale in scales}
    # The floor of as many executions as the rerun's, and of one (the full run): what no play can beat.
    executions = max(floor.executions for floor in floors)
    of_one = "; and a play of one" if any(floor.executions < executions for floor in floors) else ""
    out = [
        "## The floor: ansible-core's own cost of as many executions",
        "",
        f"A play of {executions} bare `node_info` tasks on every node (`measure_floor`): the executions a",
        "rerun makes on its busiest target node, with none of the collection's includes, conditions,",
        f"variables or cluster-wide tasks, and the smallest payload of its modules{of_one}. What",
        "ansible-core and pywinrm cost for that many WinRM executions per node at forks = N on this",
        "machine: a rerun can come near it, not below it. Fastest of the runs, as above.",
        "",
        measure.table(
            ["executions per node", "IIS nodes", "floor wall s", "floor controller CPU s per node", "floor lab CPU s",
             "rerun wall s", "rerun over the floor"],
            [
                [floor.executions, floor.nodes, f"{floor.run.wall:.1f}", f"{floor.run.controller_cpu / floor.nodes:.2f}",
                 f"{floor.run.lab_cpu:.1f}", *(
                     (f"{reruns[floor.nodes].wall:.1f}", f"{reruns[floor.nodes].wall / floor.run.wall:.1f}x")
                     if floor.executions == executions else ("-", "-")
                 )]
                for floor in floors
            ],
        ),
        "",
    ]
    ratios = []
    for count in sorted({floor.executions for floor in floors}, reverse=True):
        sized = sorted((floor for floor in floors if floor.executions == count), key=lambda floor: floor.nodes)
        if len(sized) < 2:
            continue
        small, large = sized[0], sized[-1]
        added = large.nodes - small.nodes
        line = (
            f"{count} per node: wall-time ratio {large.nodes}/{small.nodes} nodes {large.run.wall / small.run.wall:.1f}, "
            f"{(large.run.wall - small.run.wall) / added:.2f} s per node added"
        )
        if count == executions:
            line += (
                f"; the rerun: ratio {reruns[large.nodes].wall / reruns[small.nodes].wall:.1f}, "
                f"{(reruns[large.nodes].wall - reruns[small.nodes].wall) / added:.2f} s per node added"
            )
        ratios.append(f"* {line}.")
    return out + (ratios + [""] if ratios else [])


def plausibility_problems(
    scales: list[ScaleResult], verifies: list[VerifyResult], floors: list[FloorResult]
) -> list[str]:
    """What a smoke run finds implausible: a KB step without executions or bytes while converging,
    executions no task accounts for, a verification that moved nothing, a CPU or time of zero, a
    floor without its executions."""
    problems = []
    for floor in floors:
        made = sum(tally.executions for tally in floor.run.tallies.values())
        if made != floor.executions * floor.nodes or min(floor.run.wall, floor.run.controller_cpu) <= 0:
            problems.append(f"the floor at {floor.nodes} nodes: {made} executions, {floor}")
    for scale in scales:
        converge = scale.converge.tallies
        for step in measure.KB_STEPS:
            tally = measure.step_tally(converge, step, scale.hosts)
            if tally.executions == 0 or tally.request_bytes == 0 or tally.response_bytes == 0:
                problems.append(f"{scale.nodes} nodes, converge, {step}: {tally}")
        for name, run in (("converge", scale.converge), ("rerun", scale.rerun)):
            unattributed = measure.step_tally(run.tallies, measure.UNATTRIBUTED, scale.hosts)
            if unattributed.executions:
                problems.append(f"{scale.nodes} nodes, {name}: {unattributed.executions} executions not attributed to a task")
            if min(run.wall, run.controller_cpu, run.lab_cpu) <= 0:
                problems.append(f"{scale.nodes} nodes, {name}: a time of zero ({run})")
    for result in verifies:
        if result.verify.executions == 0 or result.verify.response_bytes == 0 or result.full_dump == 0:
            problems.append(f"verify at {result.properties} properties, {result.drifts} drift: {result}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="2 nodes and 1k properties; check the instrument, not the targets")
    parser.add_argument("--output", type=pathlib.Path, help="where to write the Markdown report")
    parser.add_argument("--workdir", type=pathlib.Path, help="keep the labs' state directories here")
    parser.add_argument("--apphost-verify", action="store_true", help="the IIS 10 verification only (1k/10k/50k attributes)")
    args = parser.parse_args(argv)
    sizes, properties = ([2], [1_000]) if args.smoke else ([2, 8, 32], [1_000, 10_000, 50_000])
    attributes = [] if args.smoke else [1_000, 10_000, 50_000]
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        workdir = args.workdir or pathlib.Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        apphost = [result for count in attributes for result in measure_apphost_verify(workdir, count)]
        if args.apphost_verify:
            misses = measure.verify_share_misses({(r.properties, r.drifts): r.share for r in apphost}, "attributes")
            text = apphost_report(apphost, misses, time.monotonic() - started)
            sys.stdout.write(text)
            if args.output:
                args.output.write_text(text)
            for miss in misses:
                print(f"bench: target missed: {miss.target}: {miss.measured}, limit {miss.limit}", file=sys.stderr)
            return 1 if misses else 0
        scales = [measure_scale(workdir, nodes, 1 if args.smoke else SCALE_ATTEMPTS) for nodes in sizes]
        executions = rerun_executions_per_target(scales[0])
        floors = [
            measure_floor(workdir, nodes, count, 1 if args.smoke else SCALE_ATTEMPTS)
            for count in ([executions] if args.smoke else sorted({executions, 1}, reverse=True))
            for nodes in sorted({sizes[0], sizes[-1]})
        ]
        verifies = [result for count in properties for result in measure_verify(workdir, count)]
    misses = []
    if not args.smoke:
        for scale in scales:
            misses += measure.execution_misses(scale.converge.tallies, scale.hosts, f"converge, {scale.nodes} nodes", measure.CONVERGE_EXECUTIONS_MAX)
            misses += measure.execution_misses(scale.rerun.tallies, scale.hosts, f"rerun, {scale.nodes} nodes", measure.RERUN_EXECUTIONS_MAX)
        misses += measure.verify_misses({(r.properties, r.drifts): r.share for r in verifies})
        misses += measure.verify_share_misses({(r.properties, r.drifts): r.share for r in apphost}, "attributes")
    text = report(scales, verifies, misses, args.smoke, time.monotonic() - started, apphost, floors)
    sys.stdout.write(text)
    if args.output:
        args.output.write_text(text)
    if args.smoke:
        problems = plausibility_problems(scales, verifies, floors)
        for problem in problems:
            print(f"bench smoke: implausible: {problem}", file=sys.stderr)
        return 1 if problems else 0
    for miss in misses:
        print(f"bench: target missed: {miss.target}: {miss.measured}, limit {miss.limit}", file=sys.stderr)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
