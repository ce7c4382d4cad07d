"""Per-host locking: commands on different member servers run at once; a command on a domain
controller, or one that reaches other hosts, waits for every host and every host waits for it."""

from __future__ import annotations

import dataclasses
import threading
import typing as t

import pytest

from iis_lab import lab as lab_module

if t.TYPE_CHECKING:
    from conftest import NodeOps

WAIT = 5.0


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """host_facts on NODE2 blocks until the event is set (and says when it has started)."""
    release = threading.Event()
    started = threading.Event()
    ops = dict(lab_module.node_ops.OPS)
    original = ops["host_facts"]

    def blocking(context: t.Any, args: t.Mapping[str, t.Any]) -> t.Any:
        if context.host.name == "NODE2":
            started.set()
            assert release.wait(WAIT), "the test never released NODE2's command"
        return original.run(context, args)

    ops["host_facts"] = dataclasses.replace(original, run=blocking)
    monkeypatch.setattr(lab_module.node_ops, "OPS", ops)
    release.started = started  # type: ignore[attr-defined]
    return release


def _in_thread(call: t.Callable[[], t.Any]) -> tuple[threading.Thread, list[t.Any]]:
    results: list[t.Any] = []
    thread = threading.Thread(target=lambda: results.append(call()), daemon=True)
    thread.start()
    return thread, results


FACTS = {"op": "host_facts", "args": {}}


def test_a_member_s_command_runs_while_another_member_s_is_running(node_ops: NodeOps, gate: threading.Event) -> None:
    blocked, _ = _in_thread(lambda: node_ops(FACTS, host="NODE2"))
    assert gate.started.wait(WAIT)  # type: ignore[attr-defined]

    other, results = _in_thread(lambda: node_ops(FACTS, host="NODE1"))
    other.join(WAIT)

    assert not other.is_alive() and results[0]["results"][0]["status"] == "ok"
    assert blocked.is_alive()
    gate.set()
    blocked.join(WAIT)


@pytest.mark.parametrize(
    ("host", "instruction"),
    [
        ("DC1", FACTS),
        ("NODE1", {"op": "rpc_probe", "args": {"computer": "NODE2"}}),
    ],
    ids=["domain controller", "reaches another host"],
)
def test_a_command_of_the_whole_lab_waits_for_a_running_member_s(
    node_ops: NodeOps, gate: threading.Event, host: str, instruction: dict[str, t.Any]
) -> None:
    blocked, _ = _in_thread(lambda: node_ops(FACTS, host="NODE2"))
    assert gate.started.wait(WAIT)  # type: ignore[attr-defined]

    waiting, results = _in_thread(lambda: node_ops(instruction, host=host))
    waiting.join(0.3)
    assert waiting.is_alive() and results == []

    gate.set()
    waiting.join(WAIT)
    assert not waiting.is_alive() and results[0]["results"][0]["status"] == "ok"
    blocked.join(WAIT)


def test_an_op_that_resolves_another_host_without_saying_so_fails_loudly(
    node_ops: NodeOps, monkeypatch: pytest.MonkeyPatch
) -> None:
    ops = dict(lab_module.node_ops.OPS)
    ops["rpc_probe"] = dataclasses.replace(ops["rpc_probe"], reaches_other_hosts=False)
    monkeypatch.setattr(lab_module.node_ops, "OPS", ops)

    with pytest.raises(RuntimeError, match="mark it reaches_other_hosts"):
        node_ops({"op": "rpc_probe", "args": {"computer": "NODE2"}})
