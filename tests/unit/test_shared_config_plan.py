"""KB step 8 on IIS 7-10 by Shared Configuration: the inputs, the share, each node's one write
batch and the cluster's pre-flight, decided on the controller."""

from __future__ import annotations

import dataclasses
import typing as t

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._apphost_backup import ApphostBackupFirst
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._shared_config import (
    Desired,
    NodeReport,
    check_folder,
    check_reader,
    check_unc_path,
    hresult,
    node_queries,
    plan_node,
    plan_share,
    preflight,
    variable_problems,
    verify_node,
)

PATH = "\\\\FILES1\\IisConfig"
READER = "WEBFARM\\iisreader"
READER_SID = "S-1-5-21-1-1300"
USERS = {"sid": "S-1-5-32-545", "name": "BUILTIN\\Users", "kind": "alias"}
READERS = {"sid": "S-1-5-21-1-1301", "name": "WEBFARM\\Config Readers", "kind": "group"}


def config(enabled: bool = False, **changed: t.Any) -> dict[str, t.Any]:
    values = {"enabled": enabled, "path": None, "user_name": None, "password_matches": None, "decrypt_error": None, "offline_files": False}
    if enabled:
        values.update(path=PATH, user_name=READER, password_matches=True)
    values.update(changed)
    return values


def report(
    current: dict[str, t.Any] | None = None,
    *,
    read_error: int | None = None,
    batch_holders: list[dict[str, t.Any]] | None = None,
    token_groups: tuple[dict[str, t.Any], ...] = (),
    reader_exists: bool = True,
    backups: list[dict[str, t.Any]] | None = None,
) -> NodeReport:
    holders = batch_holders if batch_holders is not None else [{**READERS, "members": None}]
    token = {"sid": READER_SID, "name": READER, "kind": "user", "groups": [READERS, *token_groups]} if reader_exists else None
    error = None if read_error is None else {"code": read_error, "message": "Windows says no."}
    files = [] if read_error else ["administration.config", "applicationHost.config", "configEncKey.key"]
    return NodeReport.from_values(
        [current or config(), {"error": error, "files": files}, {"right": "SeBatchLogonRight", "holders": holders}, token, backups or []]
    )


def ops(plan) -> list[str]:
    return [instruction.op for instruction in plan.instructions]


BACKUP = ApphostBackupFirst("sharedconfig", 2)


def test_paths_and_accounts_are_checked_naming_the_field():
    assert check_unc_path(PATH + "\\").share == "IisConfig"
    assert check_unc_path("\\\\files1.webfarm.test\\Config$\\iis").server == "files1.webfarm.test"
    for bad in ("C:\\IisConfig", "\\\\FILES1", "Z:\\", "//FILES1/IisConfig", ""):
        with pytest.raises(InvalidInput, match="^path: .* UNC path"):
            check_unc_path(bad)
    assert check_folder("D:\\IisConfig\\") == "D:\\IisConfig"
    with pytest.raises(InvalidInput, match="^folder: "):
        check_folder("IisConfig")
    assert check_reader("iisreader@webfarm.test") == "iisreader@webfarm.test"
    with pytest.raises(InvalidInput, match="^user: 'iisreader' is a bare account name"):
        check_reader("iisreader")


def test_win32_codes_are_decoded_as_their_hresults():
    assert hresult(1326) == 0x8007052E
    assert hresult(0x80090005) == 0x80090005


def test_one_read_batch_answers_everything_and_names_the_secret_only():
    batch = node_queries(PATH, READER)
    assert [instruction.op for instruction in batch] == [
        "shared_config_get", "unc_read_check", "user_rights_get", "account_token_get", "apphost_backup_list",
    ]
    assert batch[1].args == {"path": PATH, "user": READER, "secret": "reader"}


def test_a_node_already_reading_the_share_changes_nothing():
    plan = plan_node(report(config(True)), Desired("enabled", PATH, READER, export=True, backup=BACKUP), check_mode=False)
    assert plan.changes == () and not plan.switches and not plan.exports


@pytest.mark.parametrize(
    "current",
    [
        config(False),
        config(True, path="\\\\OLD\\Config"),
        config(True, user_name="WEBFARM\\other"),
        config(True, password_matches=False),
        config(True, decrypt_error={"code": 0x80090005, "message": "Bad Data."}),
    ],
    ids=["disabled", "another path", "another reader", "another password", "keys not imported"],
)
def test_a_node_not_reading_the_share_is_backed_up_then_enabled(current):
    plan = plan_node(report(current), Desired("enabled", PATH, READER, backup=BACKUP), check_mode=False)
    assert ops(plan) == ["apphost_backup_create", "shared_config_enable"]
    assert plan.instructions[0].args == {"name": "sharedconfig-0"}
    assert plan.instructions[-1].args == {"path": PATH, "user": READER, "secret": "reader", "key_secret": "key"}


def test_the_source_exports_before_it_switches_and_prunes_after_its_backup():
    backups = [{"name": "sharedconfig-0", "date": None}, {"name": "sharedconfig-1", "date": None}]
    plan = plan_node(report(backups=backups), Desired("enabled", PATH, READER, export=True, backup=BACKUP), check_mode=False)
    assert ops(plan) == ["apphost_backup_create", "apphost_backup_delete", "shared_config_export", "shared_config_enable"]
    assert plan.instructions[0].args == {"name": "sharedconfig-2"}
    assert plan.instructions[2].args == {"path": PATH, "key_secret": "key"}
    assert plan.exports


def test_the_batch_right_is_granted_only_when_no_group_of_the_token_holds_it():
    holding = plan_node(report(), Desired("enabled", PATH, READER), check_mode=False)
    assert not holding.grants
    lacking = plan_node(report(config(True), batch_holders=[{**USERS, "members": []}]), Desired("enabled", PATH, READER), check_mode=False)
    assert ops(lacking) == ["user_right_grant"]
    assert lacking.instructions[0].args == {"right": "SeBatchLogonRight", "sid": READER_SID}
    assert not lacking.switches


def test_a_reader_no_node_knows_is_refused_naming_user():
    with pytest.raises(InvalidInput, match="^user: 'WEBFARM.+iisreader' maps to no account"):
        plan_node(report(reader_exists=False), Desired("enabled", PATH, READER), check_mode=False)


def test_maintenance_disables_keeping_the_shared_keys_and_asks_for_no_right():
    plan = plan_node(report(config(True), batch_holders=[]), Desired("disabled", PATH, READER, backup=BACKUP), check_mode=False)
    assert ops(plan) == ["apphost_backup_create", "shared_config_disable"]
    assert plan.instructions[-1].args == {"keep_keys": True}
    assert plan_node(report(config(False)), Desired("disabled", PATH, READER), check_mode=False).changes == ()


def test_the_diff_shows_the_password_only_as_changed():
    plan = plan_node(report(), Desired("enabled", PATH, READER), check_mode=True)
    diff = render_diff(plan.changes, "NODE1:shared configuration")
    assert "password: (not set)" in diff["before"]
    assert "password: (secret) (changed)" in diff["after"]
    assert f'path: "{PATH}"' in diff["after"]


def test_the_share_is_made_with_its_accounts_or_given_what_is_missing_keeping_the_rest():
    made = plan_share(None, "IisConfig", "D:\\IisConfig", [READER], ["BUILTIN\\Administrators"])
    assert made.change.instructions[0].args == {
        "name": "IisConfig", "path": "D:\\IisConfig", "read": [READER], "change": ["BUILTIN\\Administrators"],
    }
    existing = {"name": "IisConfig", "path": "E:\\Config", "access": [{"account": "BUILTIN\\Administrators", "right": "full"}]}
    granted = plan_share(existing, "IisConfig", "D:\\IisConfig", [READER], ["BUILTIN\\Administrators"])
    # share_set makes the access exactly what it is given: what the share gives stays.
    assert granted.change.instructions[0].args == {
        "name": "IisConfig", "path": "E:\\Config", "read": [READER], "change": ["BUILTIN\\Administrators"],
    }
    assert granted.reader_granted
    readable = {**existing, "access": [*existing["access"], {"account": "Everyone", "right": "read"}]}
    assert plan_share(readable, "IisConfig", "D:\\IisConfig", [READER], ["BUILTIN\\Administrators"]).change is None


def _preflight(reports, share=None, state="enabled"):
    share_plan = plan_share(share, "IisConfig", "D:\\IisConfig", [READER], [])
    desired = {host: Desired(state, PATH, READER, export=host == "NODE2") for host in reports}
    return preflight(reports, share_plan, desired, check_mode=False)


SHARE = {"name": "IisConfig", "path": "D:\\IisConfig", "access": [{"account": READER, "right": "read"}]}


@pytest.mark.parametrize(
    ("code", "symbol"),
    [(1326, "0x8007052E"), (1330, "0x80070532"), (1331, "0x80070533"), (53, "0x80070035")],
    ids=["wrong password", "password expired", "disabled", "share unreachable"],
)
def test_what_the_run_cannot_cure_stops_it_decoded(code, symbol):
    verdict = _preflight({"NODE1": report(read_error=code), "NODE2": report()}, SHARE)
    (problem,) = verdict.problems
    assert problem.startswith(f"NODE1: the reader {READER} cannot read {PATH} from this node: Windows error {symbol} (")
    assert "Windows says no." in problem


def test_what_the_run_cures_passes_the_preflight():
    no_right = report(read_error=1385, batch_holders=[{**USERS, "members": []}])
    assert _preflight({"NODE1": no_right, "NODE2": report(read_error=53)}, None).problems == ()
    refused = report(read_error=5)
    assert _preflight({"NODE1": refused}, {**SHARE, "access": []}).problems == ()
    (problem,) = _preflight({"NODE1": refused}, SHARE).problems
    assert problem.startswith("NODE1: ") and ": Windows error 0x80070005 (" in problem
    (problem,) = _preflight({"NODE1": report(read_error=1385)}, SHARE).problems
    assert ": Windows error 0x80070569 (" in problem


def test_the_preflight_names_the_switching_nodes_the_export_and_offline_files():
    verdict = _preflight({"NODE1": report(config(True)), "NODE2": report(), "NODE3": report()}, SHARE)
    assert verdict.switching == ("NODE2", "NODE3") and verdict.exports
    assert len(verdict.warnings) == 3 and all("Offline Files" in warning for warning in verdict.warnings)
    cached = _preflight({"NODE2": report(config(True, offline_files=True))}, SHARE)
    assert cached.warnings == () and not cached.exports and cached.switching == ()


def test_maintenance_switches_every_enabled_node_and_checks_no_reading():
    verdict = _preflight({"NODE1": report(config(True), read_error=1326), "NODE2": report(config(True))}, SHARE, state="disabled")
    assert verdict.problems == () and verdict.switching == ("NODE1", "NODE2") and not verdict.exports


def test_verify_names_each_difference_decoded():
    assert verify_node(report(config(True)), PATH, READER) == []
    found = verify_node(report(config(True, decrypt_error={"code": 0x80090005, "message": "Bad Data."}), read_error=1330), PATH, READER)
    assert found[0].startswith("it cannot decrypt the configuration: Windows error 0x80090005 (NTE_BAD_DATA): Bad Data")
    assert found[1].startswith(f"the reader cannot read {PATH}: Windows error 0x80070532 (")
    assert verify_node(report(config(False)), PATH, READER) == ["shared configuration is disabled"]


def test_a_report_survives_its_registration():
    original = report(config(True))
    assert NodeReport.from_result(original.as_result()) == NodeReport(
        original.config, original.read, tuple(original.rights), list(original.backups)
    )
    with pytest.raises(InvalidInput, match="^info.report: "):
        NodeReport.from_result({"config": {}}, "info.report")


GIVEN = {
    "metabase_sync_method": "shared_config",
    "metabase_sync_shared_config_path": PATH,
    "metabase_sync_shared_config_host": "files1",
    "metabase_sync_shared_config_user": READER,
    "metabase_sync_shared_config_password": "Reader-Passw0rd",
    "metabase_sync_shared_config_key_password": "Key-Passw0rd",
}


def test_the_play_pre_flight_asks_for_every_shared_config_variable_naming_field_and_rule():
    assert variable_problems(GIVEN, ["files1", "node1"], verify_only=False) == []
    assert variable_problems({**GIVEN, "metabase_sync_method": "web_deploy", "metabase_sync_shared_config_path": "x"}, [], verify_only=False) == []
    missing = variable_problems({"metabase_sync_method": "shared_config"}, [], verify_only=False)
    assert missing == [
        f"metabase_sync_shared_config_{name}: required with metabase_sync_method=shared_config"
        for name in ("path", "host", "user", "password", "key_password")
    ]
    maintenance = {**GIVEN, "metabase_sync_shared_config_state": "disabled", "metabase_sync_shared_config_key_password": None}
    assert variable_problems(maintenance, ["files1"], verify_only=False) == []
    wrong = {**GIVEN, "metabase_sync_shared_config_path": "D:\\Config", "metabase_sync_shared_config_user": "reader",
             "metabase_sync_shared_config_folder": "Config"}
    problems = variable_problems(wrong, ["node1"], verify_only=False)
    assert [problem.partition(":")[0] for problem in problems] == [
        "metabase_sync_shared_config_path", "metabase_sync_shared_config_user", "metabase_sync_shared_config_folder",
        "metabase_sync_shared_config_host",
    ]
    assert "is not a host of the inventory" in problems[-1]
    assert variable_problems({"metabase_sync_method": "shared_config"}, [], verify_only=True) == [
        f"metabase_sync_shared_config_{name}: required with metabase_sync_method=shared_config" for name in ("path", "user", "password")
    ]


def test_the_reader_s_logon_at_the_share_host_stops_an_enabling_run_even_before_a_share_exists():
    refused = {"code": 1330, "message": "The specified account's password has expired."}
    share = plan_share(None, "IisConfig", "D:\\IisConfig", [READER], [])
    desired = {"NODE1": Desired("enabled", PATH, READER)}
    verdict = preflight({"NODE1": report(read_error=67)}, share, desired, check_mode=False, reader_logon=refused, share_host="files1")
    (problem,) = verdict.problems
    assert problem.startswith(f"files1: the reader {READER} cannot log on to the share's host: Windows error 0x80070532 (")
    # Maintenance reads nothing from the share: the reader's logon does not matter.
    resting = {"NODE1": Desired("disabled", PATH, READER)}
    assert preflight({"NODE1": report(config(True))}, share, resting, check_mode=False, reader_logon=refused).problems == ()


def test_a_node_that_cannot_list_its_backups_switches_without_one_never():
    unreadable = NodeReport(config(False), {"error": None, "files": []}, report().rights, None, {"code": 0x80070005, "message": "Access is denied."})
    with pytest.raises(InvalidInput, match="^backup: the node cannot list its configuration backups.*0x80070005"):
        plan_node(unreadable, Desired("enabled", PATH, READER, backup=BACKUP), check_mode=False)
    # Without a switch it needs none: the rest of its plan stands.
    assert plan_node(dataclasses.replace(unreadable, config=config(True)), Desired("enabled", PATH, READER, backup=BACKUP), check_mode=False).changes == ()
