"""make bench's pure parts (benchmarks/measure.py): executions joined to KB steps, the full-dump
yardstick, the counted targets and the tables."""

from __future__ import annotations

import base64
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "benchmarks"))

import measure  # noqa: E402 - found through the path above


def _task(host, ended, tags=(), name="a task"):
    return {"host": host, "ended": ended, "tags": list(tags), "task": name}


def _execution(host, started, request=100, response=10):
    # The lab's times: ISO 8601 in UTC, to the millisecond.
    import datetime

    iso = datetime.datetime.fromtimestamp(started, datetime.timezone.utc).isoformat(timespec="milliseconds")
    return {"host": host, "started": iso, "ended": iso, "requests": 5, "request_bytes": request, "response_bytes": response}


def test_a_task_s_step_is_its_step_tag_else_pre_flight_by_name_else_other():
    assert measure.step_of(_task("n", 0, tags=["always", "node_access"])) == "node_access"
    assert measure.step_of(_task("n", 0, tags=["always"], name="Pre-flight, who each node is")) == "preflight"
    assert measure.step_of(_task("n", 0, tags=["always"], name="Summary, node by node")) == "other"


def test_an_execution_belongs_to_the_first_task_of_its_host_whose_result_came_after_it_started():
    tasks = [
        _task("node1", 10.0, ["node_access"]),
        _task("node1", 20.0, ["wam_identity"]),
        _task("NODE2", 20.0, ["metabase_sync"]),
    ]
    executions = [
        _execution("NODE1", 5.0, 100, 10),
        _execution("NODE1", 9.5, 200, 20),
        _execution("NODE1", 10.5, 300, 30),
        _execution("NODE2", 10.5, 400, 40),
        _execution("NODE1", 25.0, 500, 50),
    ]
    tallies = measure.attribute(executions, tasks)
    assert tallies == {
        ("node1", "node_access"): measure.Tally(2, 300, 30),
        ("node1", "wam_identity"): measure.Tally(1, 300, 30),
        ("node2", "metabase_sync"): measure.Tally(1, 400, 40),
        ("node1", "unattributed"): measure.Tally(1, 500, 50),
    }
    assert measure.step_tally(tallies, "node_access", ["NODE1", "node2"]) == measure.Tally(2, 300, 30)


def test_a_full_dump_is_every_key_s_metabase_get_data_base64_encoded_without_secrets():
    metabase = {
        "/LM/W3SVC": {
            "key_type": "IIsWebService",
            "properties": {
                "AuthFlags": {"type": "integer", "secure": False, "value": 5},
                "WAMUserPass": {"type": "string", "secure": True, "digest": "pbkdf2_sha256$1$00$11"},
            },
        },
    }
    expected = [
        {
            "path": "/LM/W3SVC",
            "key_type": "IIsWebService",
            "properties": {
                "AuthFlags": {"type": "integer", "secure": False, "source": "here", "value": 5},
                "WAMUserPass": {"type": "string", "secure": True, "source": "here"},
            },
        }
    ]
    assert measure.full_dump_bytes(metabase) == len(base64.b64encode(json.dumps(expected).encode()))


def test_a_full_export_is_both_nodes_applicationhost_config_base64_encoded():
    configurations = ["<configuration>é</configuration>", "<configuration />"]
    assert measure.apphost_export_bytes(configurations) == sum(
        len(base64.b64encode(text.encode("utf-8"))) for text in configurations
    )


def test_iis10_verify_targets_are_judged_at_fifty_thousand_attributes():
    shares = {(50_000, 0): 0.02, (50_000, 1): 0.01, (10_000, 0): 0.5}
    [miss] = measure.verify_share_misses(shares, "attributes")
    assert miss.target == "verify bytes at 50000 attributes, 0 drift"


def test_a_step_over_its_execution_limit_is_a_miss_naming_the_busiest_host_and_how_far_over():
    tallies = {("node1", "node_access"): measure.Tally(5, 1, 1), ("node2", "node_access"): measure.Tally(2, 1, 1)}
    [miss] = measure.execution_misses(tallies, ["dc1", "node1", "node2"], "rerun, 2 nodes", 1)
    assert miss == measure.Miss(
        "rerun, 2 nodes: executions of node_access per node", "<= 1", "5 on node1 (4 over; 2 of 3 hosts over)"
    )
    assert measure.execution_misses(tallies, ["dc1", "node1", "node2"], "converge", 5) == []


def test_verify_targets_are_judged_at_fifty_thousand_properties_only():
    shares = {(1_000, 0): 1.3, (50_000, 0): 0.5, (50_000, 1): 0.04}
    [miss] = measure.verify_misses(shares)
    assert miss.target == "verify bytes at 50000 properties, 0 drift"
    assert miss.measured == "50.0% (50.0x the limit)"
    assert measure.verify_misses({(50_000, 0): 0.01, (50_000, 1): 0.05}) == []


def test_a_table_is_markdown_with_a_header_rule():
    assert measure.table(["a", "b"], [[1, "x"]]) == "| a | b |\n|---|---|\n| 1 | x |"


def test_verify_data_is_every_response_and_each_request_past_the_module_payload():
    # Two executions of a 480,000-byte payload: one with a 9,000-byte summary in its
    # instructions, one with none.
    tally = measure.Tally(executions=2, request_bytes=480_000 * 2 + 9_000, response_bytes=3_000, modules={"m": 2})

    assert measure.data_bytes(tally, {"m": 480_000}) == 12_000
    assert measure.data_bytes(measure.Tally(), {"m": 480_000}) == 0


def test_each_execution_sheds_the_payload_of_the_module_it_ran():
    executions = [
        {"host": "n", "started": "2026-01-01T00:00:00+00:00", "request_bytes": 100_500, "response_bytes": 10, "module": "small"},
        {"host": "n", "started": "2026-01-01T00:00:01+00:00", "request_bytes": 100_000, "response_bytes": 10, "module": "small"},
        {"host": "n", "started": "2026-01-01T00:00:02+00:00", "request_bytes": 400_200, "response_bytes": 10, "module": "large"},
        {"host": "n", "started": "2026-01-01T00:00:03+00:00", "request_bytes": 400_000, "response_bytes": 10, "module": "large"},
    ]
    payloads = measure.payloads(executions)
    [tally] = measure.attribute(executions, [_task("n", 10.0, ["verify"])]).values()

    assert payloads == {"small": 100_000, "large": 400_000}
    assert tally.modules == {"small": 2, "large": 2}
    assert measure.data_bytes(tally, payloads) == 40 + 500 + 200
    # A record without a module (an older lab) counts against the payload of "".
    assert measure.payloads([{"request_bytes": 7}]) == {"": 7}
