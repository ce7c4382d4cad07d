"""The pure parts of ``make bench``: joining the lab's executions to KB steps, the full-dump
yardstick, the counted targets and the Markdown tables. No I/O here: ``bench.py`` runs things.

Attributing an execution to a KB step. The lab records each WinRS command (an execution) with
the time its Command request arrived (``executions.jsonl``); the ``bench_steps`` callback records
each host-task result with its step and the time the controller received it. Executions on one
host are sequential, and with the linear strategy a host's next task starts only after the
controller has received its previous result, so an execution belongs to the first task on its
host whose result arrived at or after the execution started. Start times of tasks are not used:
the controller notes a task's start when it dispatches it, which can lag behind the worker
reaching the host, whereas a result can only arrive after the host answered. An execution with no
such task (none should exist) is reported as ``unattributed``.
"""

from __future__ import annotations

import base64
import bisect
import dataclasses
import datetime
import json
import typing as t

KB_STEPS = ("domain_accounts", "node_access", "anonymous_identity", "wam_identity", "metabase_sync", "verify")
"""The steps whose executions are counted, in playbook order (tags of playbooks/cluster_iis.yml)."""
PREFLIGHT = "preflight"
OTHER = "other"
UNATTRIBUTED = "unattributed"
STEPS = (PREFLIGHT, *KB_STEPS, OTHER, UNATTRIBUTED)

RERUN_EXECUTIONS_MAX = 1
CONVERGE_EXECUTIONS_MAX = 2
VERIFY_SHARE_MAX = {0: 0.01, 1: 0.05}
"""Verify's bytes as a share of a full dump at the largest metabase, by number of drifts."""
VERIFY_TARGET_PROPERTIES = 50_000


def step_of(task: t.Mapping[str, t.Any]) -> str:
    """The step a host-task result (a ``bench_steps`` line) belongs to: its step tag, else the
    pre-flight play's tasks by name, else ``other`` (summary, rescue)."""
    for tag in task.get("tags", []):
        if tag in KB_STEPS:
            return str(tag)
    if str(task.get("task", "")).startswith("Pre-flight"):
        return PREFLIGHT
    return OTHER


def epoch(iso: str) -> float:
    """Seconds since the epoch of the lab's ISO 8601 times."""
    return datetime.datetime.fromisoformat(iso).timestamp()


@dataclasses.dataclass
class Tally:
    """Executions and their HTTP body bytes (requests, responses), and how many of the
    executions ran each module (the lab's record names it; not part of equality)."""

    executions: int = 0
    request_bytes: int = 0
    response_bytes: int = 0
    modules: dict[str, int] = dataclasses.field(default_factory=dict, compare=False)

    def add(self, other: Tally) -> None:
        self.executions += other.executions
        self.request_bytes += other.request_bytes
        self.response_bytes += other.response_bytes
        for module, count in other.modules.items():
            self.modules[module] = self.modules.get(module, 0) + count

    @property
    def total_bytes(self) -> int:
        return self.request_bytes + self.response_bytes


StepTallies = dict[tuple[str, str], Tally]
"""Per (host in lower case, step)."""


def attribute(executions: t.Iterable[t.Mapping[str, t.Any]], tasks: t.Iterable[t.Mapping[str, t.Any]]) -> StepTallies:
    """Each execution (``executions.jsonl`` line) counted against the step of the first task on
    its host whose result arrived at or after it started (see the module's docstring)."""
    by_host: dict[str, list[tuple[float, str]]] = {}
    for task in tasks:
        by_host.setdefault(str(task["host"]).lower(), []).append((float(task["ended"]), step_of(task)))
    for results in by_host.values():
        results.sort()
    tallies: StepTallies = {}
    for execution in executions:
        host = str(execution["host"]).lower()
        results = by_host.get(host, [])
        index = bisect.bisect_left(results, (epoch(execution["started"]),))
        step = results[index][1] if index < len(results) else UNATTRIBUTED
        tally = tallies.setdefault((host, step), Tally())
        tally.add(Tally(1, int(execution["request_bytes"]), int(execution["response_bytes"]), {module_of(execution): 1}))
    return tallies


def module_of(execution: t.Mapping[str, t.Any]) -> str:
    """The module an execution ran, as the lab records it (``""`` for none, or an older record)."""
    return str(execution.get("module") or "")


def payloads(executions: t.Iterable[t.Mapping[str, t.Any]]) -> dict[str, int]:
    """Each module's fixed payload: the smallest request of its executions (the module and the
    utils it loads, and the least arguments any of its executions took)."""
    smallest: dict[str, int] = {}
    for execution in executions:
        module, size = module_of(execution), int(execution["request_bytes"])
        smallest[module] = min(size, smallest.get(module, size))
    return smallest


def step_tally(tallies: StepTallies, step: str, hosts: t.Iterable[str]) -> Tally:
    """The sum over ``hosts`` of one step."""
    total = Tally()
    for host in hosts:
        total.add(tallies.get((host.lower(), step), Tally()))
    return total


def data_bytes(tally: Tally, payloads: t.Mapping[str, int]) -> int:
    """The bytes ``tally``'s executions moved beyond their modules' fixed payloads: all response
    bytes, and the request bytes past the payload of the module each execution ran (``payloads``
    by module, :func:`payloads`)."""
    fixed = sum(count * payloads.get(module, 0) for module, count in tally.modules.items())
    return tally.response_bytes + max(0, tally.request_bytes - fixed)


def full_dump_bytes(metabase: t.Mapping[str, t.Any]) -> int:
    """What a full dump of one node's metabase moves: for every key, the result ``metabase_get``
    gives for it with every property set there (``{"path", "key_type", "properties": {name:
    {"type", "secure", "source": "here", "value"}}}``, a secure property without its value), all
    keys in one JSON list as a module's stdout, base64-encoded as a WinRS Receive carries it. It
    counts the data only: no request, no SOAP envelope, so it is the smallest a dump can be and a
    share of it is a strict yardstick. ``metabase`` is a host's ``metabase`` in ``state.json``."""
    results = []
    for path, key in metabase.items():
        properties = {}
        for name, entry in key["properties"].items():
            got = {"type": entry["type"], "secure": entry["secure"], "source": "here"}
            if not entry["secure"]:
                got["value"] = entry["value"]
            properties[name] = got
        results.append({"path": path, "key_type": key["key_type"], "properties": properties})
    return len(base64.b64encode(json.dumps(results).encode()))


def apphost_export_bytes(configurations: t.Iterable[str]) -> int:
    """What a full export of IIS 7-10 nodes' configuration moves: each node's applicationHost.config
    (the file itself, UTF-8), base64-encoded as a WinRS Receive carries a module's output. The
    file is the smallest complete form of the configuration (``web_config_get`` of everything
    would add each attribute's name, origin and flags as JSON), so a share of it is the strict
    yardstick; data only, no request, no envelope."""
    return sum(len(base64.b64encode(text.encode("utf-8"))) for text in configurations)


def verify_share_misses(shares: t.Mapping[tuple[int, int], float], what: str = "properties") -> list[Miss]:
    """The verify byte targets at the largest configuration; ``shares`` by (size, drifts)."""
    misses = []
    for drifts, limit in VERIFY_SHARE_MAX.items():
        share = shares.get((VERIFY_TARGET_PROPERTIES, drifts))
        if share is None:
            continue
        if share > limit:
            misses.append(
                Miss(
                    f"verify bytes at {VERIFY_TARGET_PROPERTIES} {what}, {drifts} drift",
                    f"<= {limit:.0%} of a full dump",
                    f"{share:.1%} ({share / limit:.1f}x the limit)",
                )
            )
    return misses


@dataclasses.dataclass(frozen=True)
class Miss:
    """A counted target missed: what, the limit, the measured value."""

    target: str
    limit: str
    measured: str


def execution_misses(tallies: StepTallies, hosts: t.Sequence[str], run: str, limit: int) -> list[Miss]:
    """Each step of a run on which some host took more than ``limit`` executions, with the
    host that took the most (the first such in ``hosts`` order) and how many hosts missed."""
    misses = []
    for step in KB_STEPS:
        counts = [(tallies.get((host.lower(), step), Tally()).executions, host) for host in hosts]
        over = [host for count, host in counts if count > limit]
        if over:
            most, host = max(counts, key=lambda pair: pair[0])
            misses.append(
                Miss(
                    f"{run}: executions of {step} per node",
                    f"<= {limit}",
                    f"{most} on {host} ({most - limit} over; {len(over)} of {len(hosts)} hosts over)",
                )
            )
    return misses


def verify_misses(shares: t.Mapping[tuple[int, int], float]) -> list[Miss]:
    """The metabase verify byte targets at the largest metabase; ``shares`` by (properties, drifts)."""
    return verify_share_misses(shares)


def table(header: t.Sequence[str], rows: t.Iterable[t.Sequence[t.Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def kib(count: int) -> str:
    return f"{count / 1024:,.1f}"
