"""Reading iissync.exe's console output into one outcome per target, and its target names."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iissync_run import (
    check_targets,
    command_line,
    parse_run,
)

SUMMARY = "At least one target computer was not replicated successfully.\r\n"


def outcomes(targets, output, exit_code):
    return [(o.target, o.status.code, o.text) for o in parse_run(targets, output, exit_code)]


def test_a_quiet_run_with_exit_code_0_replicated_every_target():
    assert outcomes(["WEB2", "WEB3"], "", 0) == [("WEB2", 0, ""), ("WEB3", 0, "")]


def test_the_documented_failure_with_a_wrapped_message():
    output = (
        "Error replicating to target computername: The specified network name is no\r\n"
        "longer available.\r\n"
        "Error code 64 (00000040)\r\n" + SUMMARY
    )

    [(target, code, text)] = outcomes(["computername"], output, 64)

    assert (target, code) == ("computername", 64)
    assert text == "The specified network name is no longer available."
    assert parse_run(["computername"], output, 64)[0].status.transient is True


def test_each_target_gets_its_own_outcome_and_names_match_in_any_case():
    output = (
        "Error replicating to target web3: The file path is invalid.\r\n"
        "Error code 2148598794 (8011040A)\r\n"
        "Error replicating to target WEB4: The RPC server is unavailable.\r\n"
        "Error code 1722 (000006BA)\r\n" + SUMMARY
    )

    assert outcomes(["WEB2", "WEB3", "WEB4"], output, 1722) == [
        ("WEB2", 0, ""),
        ("WEB3", 0x8011040A, "The file path is invalid."),
        ("WEB4", 1722, "The RPC server is unavailable."),
    ]


@pytest.mark.parametrize(
    "line", ["Error code -2146368255 (80110501)", "Error code 2148599041", "error code -2146368255"]
)
def test_a_code_in_any_spelling_decodes_the_same(line):
    output = f"Error replicating to target WEB2:\r\n{line}\r\n{SUMMARY}"

    [(_, code, text)] = outcomes(["WEB2"], output, 0x80110501)

    assert (code, text) == (0x80110501, "")


def test_a_run_that_failed_as_a_whole_fails_every_target_with_its_exit_code():
    output = "The system cannot find the file specified.\r\n"

    assert outcomes(["WEB2", "WEB3"], output, 2) == [
        ("WEB2", 2, "The system cannot find the file specified."),
        ("WEB3", 2, "The system cannot find the file specified."),
    ]


def test_target_names_are_computer_names_once_each():
    assert check_targets(["WEB2", "web3.webfarm.example", "web2"]) == ["WEB2", "web3.webfarm.example"]
    assert command_line(["WEB2", "WEB3"]) == "%SystemRoot%\\system32\\inetsrv\\iissync.exe WEB2 WEB3"


@pytest.mark.parametrize("name", ["WEB2 /x", "-h", "WEB2;calc", 'WEB2"', "", "web..example", "-web2"])
def test_anything_else_is_refused_naming_the_field(name):
    with pytest.raises(InvalidInput, match=r"^targets: "):
        check_targets([name])


def test_no_target_is_refused():
    with pytest.raises(InvalidInput, match="^targets: give at least one target computer name$"):
        check_targets([])
