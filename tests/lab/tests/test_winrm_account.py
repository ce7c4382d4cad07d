"""The account WinRM logs on as: a password change takes effect for Basic, NTLM and runas as
on Windows, and the lab never writes a password down, not even when it is killed."""

from __future__ import annotations

import pathlib
import signal
import typing as t

import pytest
import winrm
from conftest import ADMIN, NodeOps
from test_cli_serve import first_line, start_serve
from winrm.exceptions import InvalidCredentialsError

from iis_lab.lab import Lab
from iis_lab.wsman.server import start

OLD_PASSWORD = "Lab-Admin-1"  # the default topology's
NEW_PASSWORD = "Rotated:Admin-2"  # a ':' too, which the NTLM account file must carry


def logs_on(address: str, port: int, password: str, transport: str) -> bool:
    session = winrm.Session(f"http://{address}:{port}/wsman", auth=(ADMIN, password), transport=transport)
    try:
        session.run_cmd("ipconfig")  # the lab refuses the raw command, once logged on
    except InvalidCredentialsError:
        return False
    return True


def change_admin_password(lab: Lab, password: str) -> None:
    result = NodeOps(lab)(
        {"op": "domain_user_set_password", "args": {"name": "Administrator", "secret": "new"}},
        host="DC1",
        secrets={"new": password},
    )
    assert result["results"][0]["status"] == "ok", result
    lab.save()  # as the WinRM server does after each command


def files_holding(root: pathlib.Path, *secrets: str) -> list[str]:
    return [
        str(path)
        for path in root.rglob("*")
        if path.is_file() and any(secret.encode() in path.read_bytes() for secret in secrets)
    ]


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_a_changed_administrator_password_takes_effect_for_winrm(
    tmp_path: pathlib.Path, free_port: int, transport: str
) -> None:
    lab = Lab.from_topology(None, str(tmp_path))
    running = start(lab, free_port)
    try:
        before = logs_on("127.0.0.12", free_port, OLD_PASSWORD, transport)
        change_admin_password(lab, NEW_PASSWORD)
        after = (
            logs_on("127.0.0.12", free_port, OLD_PASSWORD, transport),
            logs_on("127.0.0.12", free_port, NEW_PASSWORD, transport),
        )
    finally:
        running.stop()

    assert before and after == (False, True)
    assert files_holding(tmp_path, OLD_PASSWORD, NEW_PASSWORD) == []


def test_a_changed_administrator_password_takes_effect_for_runas(lab: Lab) -> None:
    before = lab.runas_refusal("127.0.0.12", ADMIN, OLD_PASSWORD)
    change_admin_password(lab, NEW_PASSWORD)

    assert before is None
    assert lab.runas_refusal("127.0.0.12", ADMIN, NEW_PASSWORD) is None
    assert lab.runas_refusal("127.0.0.12", ADMIN, OLD_PASSWORD) == (
        'failure during exec_wrapper: Exception calling "CreateProcessAsUser" with "9" argument(s): '
        '"Failed to logon WEBFARM\\Administrator (Logon failure: unknown user name or bad password, '
        'Win32ErrorCode 1326)"'
    )


def test_runas_names_without_a_domain_are_the_hosts_own_accounts(lab: Lab) -> None:
    # The member server's local Administrator has no password the lab knows: runas fails.
    assert lab.runas_refusal("127.0.0.12", "Administrator", OLD_PASSWORD) is not None
    # On a domain controller, the local accounts are the domain's.
    assert lab.runas_refusal("127.0.0.11", "Administrator", OLD_PASSWORD) is None


def test_a_resumed_lab_keeps_the_changed_password_for_basic(tmp_path: pathlib.Path, free_port: int) -> None:
    change_admin_password(Lab.from_topology(None, str(tmp_path)), NEW_PASSWORD)
    resumed = Lab.from_topology(None, str(tmp_path), resume=True)
    running = start(resumed, free_port)
    try:
        outcomes = [
            logs_on("127.0.0.12", free_port, password, "basic") for password in (OLD_PASSWORD, NEW_PASSWORD)
        ]
    finally:
        running.stop()

    assert outcomes == [False, True]


def test_a_killed_lab_leaves_no_password_behind(
    tmp_path: pathlib.Path, free_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    state_dir = tmp_path / "state"
    process = start_serve("--port", str(free_port), "--state-dir", str(state_dir))
    try:
        first_line(process)
        logged_on = logs_on("127.0.0.12", free_port, OLD_PASSWORD, "ntlm")
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)

    assert logged_on and t.cast(int, process.returncode) == -signal.SIGKILL
    assert files_holding(tmp_path, OLD_PASSWORD) == []
    assert list(scratch.iterdir()) == []
