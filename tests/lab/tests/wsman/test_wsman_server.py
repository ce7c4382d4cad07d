"""The WinRM server as pywinrm sees it: shells, commands, stdin, logons, encryption, faults."""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path

import pytest
import requests
import winrm
import xmltodict
from test_wsman_fakes import (
    ADDRESSES,
    DOMAIN_ADMIN,
    DOMAIN_ADMIN_UPN,
    DOMAIN_PASSWORD,
    LOCAL_ADMIN,
    LOCAL_PASSWORD,
    FakeLab,
    endpoint,
    free_port,
)
from winrm.exceptions import InvalidCredentialsError, WinRMOperationTimeoutError, WSManFaultError

from iis_lab.wsman import RunningLab, start

REFUSAL = "iis-lab emulates only the webfarm.iis_cluster.node_ops* modules; this command asked for"



def _protocol(running: RunningLab, address: str, user: str, password: str, **options: object) -> winrm.Protocol:
    return winrm.Protocol(endpoint(running, address), username=user, password=password, **options)


def _powershell(script: str) -> list[str]:
    encoded = base64.b64encode(script.encode("utf-16-le")).decode()
    return ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Unrestricted", "-EncodedCommand", encoded]


def test_command_round_trip_over_basic(running: RunningLab, lab: FakeLab) -> None:
    session = winrm.Session(endpoint(running, ADDRESSES[0]), auth=(DOMAIN_ADMIN, DOMAIN_PASSWORD), transport="basic")

    response = session.run_cmd("PowerShell", _powershell("Get-Service W3SVC"))

    assert response.status_code == 1
    assert json.loads(response.std_out) == {"failed": True, "msg": f"{REFUSAL} raw PowerShell: Get-Service W3SVC"}
    assert response.std_err == b""
    [(address, user, command_line)] = lab.processes
    assert (address, user) == (ADDRESSES[0], DOMAIN_ADMIN)
    assert command_line == " ".join(["PowerShell", *_powershell("Get-Service W3SVC")])


def test_stdin_sent_in_chunks_reaches_the_command(running: RunningLab, lab: FakeLab) -> None:
    args = {"instructions": [{"op": "host_facts", "args": {}}], "padding": "x" * 300_000}
    script = "ansible_collections.webfarm.iis_cluster.plugins.modules.node_ops.ps1"
    # host_facts runs in this util: the module refuses it when the manifest lacks it.
    util = "ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterHostFacts.psm1"
    manifest = {
        "scripts": {script: {"path": script, "script": ""}, util: {"path": util, "script": ""}},
        "actions": [
            {
                "name": "module_wrapper.ps1",
                "params": {
                    "Script": script,
                    "Variables": [{"Name": "complex_args", "Value": args, "Scope": "Global"}],
                    "PowerShellModules": [util],
                },
            }
        ]
    }
    stdin = b'{"name": "exec_wrapper"}\n\0\0\0\0\n' + json.dumps(manifest).encode()
    protocol = _protocol(running, ADDRESSES[0], DOMAIN_ADMIN, DOMAIN_PASSWORD, transport="basic")
    shell_id = protocol.open_shell(codepage=65001)
    command_id = protocol.run_command(
        shell_id, "PowerShell", _powershell(' $PSVersionTable.PSVersion -lt [Version]"5.1"')
    )

    half = len(stdin) // 2
    protocol.send_command_input(shell_id, command_id, stdin[:half])
    protocol.send_command_input(shell_id, command_id, stdin[half:], end=True)
    stdout, stderr, exit_code = protocol.get_command_output(shell_id, command_id)
    protocol.cleanup_command(shell_id, command_id)
    protocol.close_shell(shell_id)

    assert (exit_code, stderr) == (0, b"")
    assert json.loads(stdout)["results"][0]["value"] == {"address": ADDRESSES[0]}
    [call] = lab.node_ops_calls
    assert call.module_args == args


def test_receive_waits_for_unfinished_stdin_then_times_out(running: RunningLab) -> None:
    protocol = _protocol(
        running,
        ADDRESSES[0],
        DOMAIN_ADMIN,
        DOMAIN_PASSWORD,
        transport="basic",
        operation_timeout_sec=1,
        read_timeout_sec=5,
    )
    shell_id = protocol.open_shell()
    command_id = protocol.run_command(shell_id, "PowerShell", _powershell("$input"))
    protocol.send_command_input(shell_id, command_id, b"first half")

    with pytest.raises(WinRMOperationTimeoutError):
        protocol.get_command_output_raw(shell_id, command_id)

    protocol.send_command_input(shell_id, command_id, b"", end=True)
    assert protocol.get_command_output(shell_id, command_id)[2] == 1


def test_wrong_password_is_refused_like_windows(running: RunningLab, lab: FakeLab) -> None:
    session = winrm.Session(endpoint(running, ADDRESSES[0]), auth=(DOMAIN_ADMIN, "wrong"), transport="basic")

    with pytest.raises(InvalidCredentialsError):
        session.run_cmd("ipconfig")
    refusal = requests.post(endpoint(running, ADDRESSES[0]), data=b"<x/>", auth=(DOMAIN_ADMIN, "wrong"), timeout=5)

    assert refusal.status_code == 401
    assert refusal.raw.headers.getlist("WWW-Authenticate") == [
        "Negotiate",
        "Kerberos",
        'Basic realm="WSMAN"',
        "CredSSP",
    ]
    assert refusal.headers["Server"] == "Microsoft-HTTPAPI/2.0"
    assert refusal.content == b""
    assert lab.processes == []


@pytest.mark.parametrize("user", [DOMAIN_ADMIN, DOMAIN_ADMIN_UPN])
def test_ntlm_with_message_encryption(running: RunningLab, lab: FakeLab, user: str) -> None:
    session = winrm.Session(
        endpoint(running, ADDRESSES[2]), auth=(user, DOMAIN_PASSWORD), transport="ntlm", message_encryption="always"
    )

    response = session.run_cmd("ipconfig", ["/all"])

    assert response.status_code == 1
    assert json.loads(response.std_out)["msg"] == f"{REFUSAL} raw command: ipconfig /all"
    assert lab.processes == [(ADDRESSES[2], user, "ipconfig /all")]


def test_requests_and_responses_are_sealed_under_ntlm(running: RunningLab) -> None:
    protocol = _protocol(
        running, ADDRESSES[0], DOMAIN_ADMIN, DOMAIN_PASSWORD, transport="ntlm", message_encryption="always"
    )
    protocol.open_shell()
    sent: list[bytes] = []
    received: list[bytes] = []

    def capture(response: requests.Response, **_: object) -> None:
        sent.append(response.request.body)
        received.append(response.content)

    protocol.transport.session.hooks["response"].append(capture)

    with pytest.raises(WSManFaultError) as fault:  # a fault, too, travels sealed
        protocol.get_command_output_raw("0A0B0C0D-0000-0000-0000-000000000000", "1")

    assert fault.value.wsman_fault_code == 2150858843
    assert b"Receive" not in sent[0] and b"Encrypted Boundary" in sent[0]
    assert b"Fault" not in received[0] and b"Encrypted Boundary" in received[0]


def test_ntlm_wrong_password_is_refused(running: RunningLab) -> None:
    session = winrm.Session(endpoint(running, ADDRESSES[0]), auth=(DOMAIN_ADMIN, "wrong"), transport="ntlm")

    with pytest.raises(InvalidCredentialsError):
        session.run_cmd("ipconfig")


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_the_address_selects_the_host(running: RunningLab, lab: FakeLab, transport: str) -> None:
    def run_on(address: str) -> int:
        session = winrm.Session(endpoint(running, address), auth=(LOCAL_ADMIN, LOCAL_PASSWORD), transport=transport)
        return session.run_cmd("hostname").status_code

    assert run_on(ADDRESSES[1]) == 1  # NODE2's local account logs on to NODE2...
    with pytest.raises(InvalidCredentialsError):
        run_on(ADDRESSES[0])  # ...but not to NODE1
    assert lab.processes == [(ADDRESSES[1], LOCAL_ADMIN, "hostname")]


def test_unknown_shell_and_command_are_faults(running: RunningLab) -> None:
    protocol = _protocol(running, ADDRESSES[0], DOMAIN_ADMIN, DOMAIN_PASSWORD, transport="basic")
    shell_id = protocol.open_shell()

    with pytest.raises(WSManFaultError) as no_shell:
        protocol.run_command("0A0B0C0D-0000-0000-0000-000000000000", "ipconfig")
    with pytest.raises(WSManFaultError) as no_command:
        protocol.get_command_output_raw(shell_id, "0A0B0C0D-0000-0000-0000-000000000000")
    protocol.close_shell(shell_id)
    with pytest.raises(WSManFaultError) as closed_shell:
        protocol.run_command(shell_id, "ipconfig")

    assert (no_shell.value.code, no_shell.value.wsman_fault_code) == (500, 2150858843)
    assert no_shell.value.fault_subcode == "w:InvalidSelectors"
    assert no_command.value.wsman_fault_code == 2150858810
    assert closed_shell.value.wsman_fault_code == 2150858843


def test_a_shell_belongs_to_the_user_who_opened_it(running: RunningLab) -> None:
    owner = _protocol(running, ADDRESSES[1], DOMAIN_ADMIN, DOMAIN_PASSWORD, transport="basic")
    other = _protocol(running, ADDRESSES[1], LOCAL_ADMIN, LOCAL_PASSWORD, transport="basic")
    shell_id = owner.open_shell()

    with pytest.raises(WSManFaultError) as fault:
        other.run_command(shell_id, "ipconfig")

    assert fault.value.wsman_fault_code == 2150858843


def test_unknown_action_is_a_fault(running: RunningLab) -> None:
    protocol = _protocol(running, ADDRESSES[0], DOMAIN_ADMIN, DOMAIN_PASSWORD, transport="basic")
    header = protocol.build_wsman_header(
        "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get",
        "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd",
    )
    with pytest.raises(WSManFaultError) as fault:
        protocol.send_message(xmltodict.unparse({"env:Envelope": header | {"env:Body": {}}}))

    assert (fault.value.fault_code, fault.value.fault_subcode) == ("s:Sender", "a:ActionNotSupported")


_MEMORY_FILE = "/memfd:iis-lab-ntlm-users (deleted)"


def test_ntlm_accounts_live_in_anonymous_memory_holding_no_password(
    lab: FakeLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    running = start(lab, free_port())
    try:
        session = winrm.Session(endpoint(running, ADDRESSES[0]), auth=(DOMAIN_ADMIN, DOMAIN_PASSWORD), transport="ntlm")
        session.run_cmd("x")  # raises InvalidCredentialsError unless the NTLM logon succeeds
        # The acceptor's account file is anonymous memory, in no directory.
        [descriptor] = [fd for fd in os.listdir("/proc/self/fd") if _link(f"/proc/self/fd/{fd}") == _MEMORY_FILE]
        held = Path(f"/proc/self/fd/{descriptor}").read_text(encoding="utf-8")
        assert "administrator" in held.lower()
        assert DOMAIN_PASSWORD not in held and LOCAL_PASSWORD not in held
        assert "NTLM_USER_FILE" not in os.environ  # set only while pyspnego reads it
    finally:
        running.stop()

    assert list(tmp_path.iterdir()) == []  # nothing was ever written to a directory
    with pytest.raises(requests.ConnectionError):
        requests.post(endpoint(running, ADDRESSES[0]), timeout=5)


def _link(path: str) -> str | None:
    try:
        return os.readlink(path)
    except OSError:
        return None


def test_port_zero_is_refused(lab: FakeLab) -> None:
    with pytest.raises(ValueError, match="one explicit TCP port"):
        start(lab, 0)


@pytest.mark.parametrize("token", [b"\x00\x00\x00", b"NTLMSSP\x00\x03\x00\x00\x00" + b"\xff" * 40])
def test_a_malformed_ntlm_token_is_refused(running: RunningLab, token: bytes) -> None:
    refusal = requests.post(
        endpoint(running, ADDRESSES[0]),
        data=b"",
        headers={"Authorization": f"Negotiate {base64.b64encode(token).decode()}"},
        timeout=5,
    )

    assert refusal.status_code == 401
    assert 'Basic realm="WSMAN"' in refusal.raw.headers.getlist("WWW-Authenticate")


def test_a_sealed_body_without_an_ntlm_logon_is_a_bad_request(running: RunningLab) -> None:
    response = requests.post(
        endpoint(running, ADDRESSES[0]),
        data=b"--Encrypted Boundary\r\n",
        auth=(DOMAIN_ADMIN, DOMAIN_PASSWORD),
        headers={"Content-Type": 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted"'},
        timeout=5,
    )

    assert response.status_code == 400


def test_a_crash_inside_the_lab_ends_the_command_with_an_error(
    running: RunningLab, lab: FakeLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("emulation bug")

    monkeypatch.setattr(lab, "record_process", crash)
    session = winrm.Session(endpoint(running, ADDRESSES[0]), auth=(DOMAIN_ADMIN, DOMAIN_PASSWORD), transport="basic")

    response = session.run_cmd("ipconfig")

    assert (response.status_code, response.std_out) == (1, b"")
    assert b"internal error" in response.std_err
