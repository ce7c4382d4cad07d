"""The lab's own account of the WinRM traffic: every HTTP body of an execution's shell, in and
out, counted against that execution, and nothing but counts recorded."""

from __future__ import annotations

import requests
import winrm
from test_wsman_fakes import ADDRESSES, DOMAIN_ADMIN, DOMAIN_PASSWORD, FakeLab, endpoint, free_port

from iis_lab.wsman import RunningLab, start
from iis_lab.wsman.accounting import ExecutionTraffic, WireAccounting


def _counting(protocol: winrm.Protocol) -> tuple[list[int], list[int]]:
    """The body sizes of every request the client sends and every response it receives."""
    sent: list[int] = []
    received: list[int] = []

    def capture(response: requests.Response, **_: object) -> None:
        sent.append(len(response.request.body or b""))
        received.append(len(response.content))

    protocol.transport.build_session()
    protocol.transport.session.hooks["response"].append(capture)
    return sent, received


def _run(protocol: winrm.Protocol, shell_id: str, *command: str) -> None:
    command_id = protocol.run_command(shell_id, command[0], list(command[1:]))
    protocol.get_command_output(shell_id, command_id)
    protocol.cleanup_command(shell_id, command_id)


def test_an_execution_counts_every_body_of_its_shell_from_creation_to_deletion(running: RunningLab, lab: FakeLab) -> None:
    protocol = winrm.Protocol(endpoint(running, ADDRESSES[1]), username=DOMAIN_ADMIN, password=DOMAIN_PASSWORD, transport="basic")
    sent, received = _counting(protocol)

    shell_id = protocol.open_shell()
    _run(protocol, shell_id, "ipconfig", "/all")
    protocol.close_shell(shell_id)

    [(address, traffic)] = lab.executions
    assert address == ADDRESSES[1]
    assert (traffic.requests, traffic.request_bytes, traffic.response_bytes) == (len(sent), sum(sent), sum(received))
    assert traffic.started <= traffic.ended


def test_two_commands_in_one_shell_are_two_executions_that_share_its_bytes_out(running: RunningLab, lab: FakeLab) -> None:
    protocol = winrm.Protocol(endpoint(running, ADDRESSES[0]), username=DOMAIN_ADMIN, password=DOMAIN_PASSWORD, transport="basic")
    sent, received = _counting(protocol)

    shell_id = protocol.open_shell()
    _run(protocol, shell_id, "ipconfig")
    first = len(sent)
    _run(protocol, shell_id, "hostname")
    protocol.close_shell(shell_id)

    first_traffic, second_traffic = (traffic for _, traffic in lab.executions)
    # The shell's creation counts towards the first, its deletion towards the last.
    assert (first_traffic.requests, first_traffic.request_bytes, first_traffic.response_bytes) == (
        first,
        sum(sent[:first]),
        sum(received[:first]),
    )
    assert (second_traffic.requests, second_traffic.request_bytes, second_traffic.response_bytes) == (
        len(sent) - first,
        sum(sent[first:]),
        sum(received[first:]),
    )


def test_an_open_shell_s_executions_are_recorded_when_the_lab_stops() -> None:
    lab = FakeLab()
    running = start(lab, free_port())
    protocol = winrm.Protocol(endpoint(running, ADDRESSES[2]), username=DOMAIN_ADMIN, password=DOMAIN_PASSWORD, transport="basic")
    shell_id = protocol.open_shell()
    _run(protocol, shell_id, "ipconfig")
    assert lab.executions == []

    running.stop()

    [(address, traffic)] = lab.executions
    assert address == ADDRESSES[2] and traffic.requests == 4 and traffic.request_bytes > 0


def test_an_execution_names_the_module_whose_output_it_delivered() -> None:
    recorded: list[ExecutionTraffic] = []
    account = WireAccounting(recorded.append)

    account.exchange("shell", False, 100, 10)  # Create
    account.exchange("shell", True, 200, 20)  # Command
    account.exchange("shell", False, 300, 30, module="webfarm.iis_cluster.node_ops_accounts")  # Receive
    account.exchange("shell", False, 50, 5)  # Delete
    account.exchange("other", True, 10, 1)  # a raw command runs no module
    account.close()

    assert [(traffic.module, traffic.request_bytes) for traffic in recorded] == [
        ("webfarm.iis_cluster.node_ops_accounts", 650),
        (None, 10),
    ]


def test_a_raw_command_s_execution_names_no_module(running: RunningLab, lab: FakeLab) -> None:
    protocol = winrm.Protocol(endpoint(running, ADDRESSES[1]), username=DOMAIN_ADMIN, password=DOMAIN_PASSWORD, transport="basic")
    shell_id = protocol.open_shell()
    _run(protocol, shell_id, "ipconfig")
    protocol.close_shell(shell_id)

    [(_, traffic)] = lab.executions
    assert traffic.module is None
