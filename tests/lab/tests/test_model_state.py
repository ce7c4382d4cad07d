"""The state directory: state.json holds the model with secrets only as digests, processes.jsonl
records every process, and neither ever holds a password."""

from __future__ import annotations

import json
import pathlib
import typing as t

import pytest

from iis_lab.lab import Lab
from iis_lab.state import secret_digest, secret_matches

if t.TYPE_CHECKING:
    from conftest import MetabaseReader, NodeOps


@pytest.fixture
def state_dir(tmp_path: pathlib.Path) -> pathlib.Path:
    return tmp_path / "state"


@pytest.fixture
def lab(state_dir: pathlib.Path) -> Lab:
    """The default lab, recording into ``state_dir`` (the ``node_ops`` fixture calls this one)."""
    return Lab.from_topology(None, str(state_dir))


def state_of(state_dir: pathlib.Path) -> dict:
    return json.loads((state_dir / "state.json").read_text(encoding="utf-8"))


def host_secrets(lab: Lab) -> list[str]:
    """Every secret the hosts' metabases hold."""
    found = []
    for host in lab.hosts:
        if host.metabase is not None:
            for key in host.metabase.keys():
                found += [str(key.values[name]) for name in ("AnonymousUserPass", "WAMUserPass") if name in key.values]
    return found


def test_lab_start_writes_the_model_and_an_empty_process_record(lab: Lab, state_dir: pathlib.Path) -> None:
    state = state_of(state_dir)

    assert (state_dir / "processes.jsonl").read_text(encoding="utf-8") == ""
    assert state["topology"] == "default"
    domain = state["domain"]
    assert (domain["netbios"], domain["dns"], domain["admin_user"]) == ("WEBFARM", "webfarm.test", "Administrator")
    assert domain["accounts"]["WEBFARM\\Domain Users"]["kind"] == "group"
    assert state["hosts"]["NODE1"]["user_rights"]["SeInteractiveLogonRight"][3] == "BUILTIN\\Users"
    assert list(state["hosts"]) == ["DC1", "NODE1", "NODE2"]
    assert state["hosts"]["DC1"]["metabase"] is None
    node1 = state["hosts"]["NODE1"]
    assert (node1["domain_role"], node1["os"]["version"], node1["iis_version"]) == (3, "5.0.2195", "5.0")
    root = node1["metabase"]["/LM/W3SVC/1/ROOT"]
    assert root["key_type"] == "IIsWebVirtualDir"
    assert root["properties"]["AppIsolated"] == {"type": "INTEGER", "secure": False, "value": 2}
    assert node1["metabase"]["/LM/W3SVC/1"]["properties"]["ServerBindings"]["value"] == [":80:"]


def test_no_password_is_ever_in_the_state_directory(lab: Lab, node_ops: NodeOps, state_dir: pathlib.Path) -> None:
    node_ops(
        {"op": "metabase_set", "args": {"path": "W3SVC/1", "property": "AnonymousUserPass", "secret": "iusr"}},
        secrets={"iusr": "Dom-Iusr-Secret-7"},
    )
    lab.record_process("127.0.0.12", "WEBFARM\\Administrator", "PowerShell -EncodedCommand AAAA")
    lab.save()

    written = "".join(path.read_text(encoding="utf-8") for path in state_dir.iterdir())
    secrets = host_secrets(lab)
    assert "Dom-Iusr-Secret-7" in secrets and len(secrets) == 7  # IUSR (WWW, FTP) and IWAM per node, 1 set here
    for secret in [*secrets, "Lab-Admin-1"]:
        assert secret not in written


def test_secure_values_are_digests_that_verify(read_metabase: MetabaseReader, state_dir: pathlib.Path) -> None:
    wam_password = read_metabase("NODE1", "W3SVC", "WAMUserPass")

    entry = state_of(state_dir)["hosts"]["NODE1"]["metabase"]["/LM/W3SVC"]["properties"]["WAMUserPass"]

    assert set(entry) == {"type", "secure", "digest"} and entry["secure"] is True
    assert entry["digest"].startswith("pbkdf2_sha256$")
    assert secret_matches(entry["digest"], wam_password)
    assert not secret_matches(entry["digest"], wam_password + "x")


def test_state_follows_changes_once_saved(lab: Lab, node_ops: NodeOps, state_dir: pathlib.Path) -> None:
    node_ops(
        {
            "op": "metabase_set",
            "args": {"path": "W3SVC/1/ROOT", "property": "AnonymousUserName", "value": "WEBFARM\\IUSR_WEB"},
        },
        {"op": "metabase_set", "args": {"path": "W3SVC/1/ROOT", "property": "AnonymousUserPass", "secret": "iusr"}},
        secrets={"iusr": "Dom-Iusr-Secret-7"},
        host="NODE2",
    )
    lab.save()

    root = state_of(state_dir)["hosts"]["NODE2"]["metabase"]["/LM/W3SVC/1/ROOT"]["properties"]
    assert root["AnonymousUserName"]["value"] == "WEBFARM\\IUSR_WEB"
    assert secret_matches(root["AnonymousUserPass"]["digest"], "Dom-Iusr-Secret-7")
    assert sorted(path.name for path in state_dir.iterdir()) == ["executions.jsonl", "processes.jsonl", "state.json"]


def test_unchanged_model_is_saved_identically(lab: Lab, state_dir: pathlib.Path) -> None:
    before = (state_dir / "state.json").read_text(encoding="utf-8")
    lab.save()

    assert (state_dir / "state.json").read_text(encoding="utf-8") == before


def test_processes_are_appended_one_json_line_each(lab: Lab, state_dir: pathlib.Path) -> None:
    lab.record_process("127.0.0.12", "WEBFARM\\Administrator", "PowerShell -EncodedCommand AAAA")
    lab.record_process("127.0.0.11", "Administrator@webfarm.test", "PowerShell -EncodedCommand BBBB")

    lines = (state_dir / "processes.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [(record["host"], record["user"], record["command_line"]) for record in records] == [
        ("NODE1", "WEBFARM\\Administrator", "PowerShell -EncodedCommand AAAA"),
        ("DC1", "Administrator@webfarm.test", "PowerShell -EncodedCommand BBBB"),
    ]
    assert all(set(record) == {"host", "user", "command_line", "time"} for record in records)


def test_a_new_lab_starts_a_new_process_record(lab: Lab, state_dir: pathlib.Path) -> None:
    lab.record_process("127.0.0.12", "WEBFARM\\Administrator", "cmd")

    Lab.from_topology(None, str(state_dir))

    assert (state_dir / "processes.jsonl").read_text(encoding="utf-8") == ""


def test_digest_is_salted() -> None:
    first, second = secret_digest("same"), secret_digest("same")

    assert first != second
    assert secret_matches(first, "same") and secret_matches(second, "same")
    assert not secret_matches("not a digest", "same")


def test_a_command_that_changes_nothing_leaves_state_json_alone(node_ops: NodeOps, state_dir: pathlib.Path) -> None:
    before = (state_dir / "state.json").stat()

    node_ops({"op": "host_facts", "args": {}}, host="NODE2")
    node_ops({"op": "metabase_set", "args": {"path": "W3SVC/1", "property": "ServerComment", "value": "Default Web Site"}})
    node_ops.lab.save_changes()

    after = (state_dir / "state.json").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_command_that_changes_the_model_replaces_state_json_whole(node_ops: NodeOps, state_dir: pathlib.Path) -> None:
    before = (state_dir / "state.json").stat()

    node_ops({"op": "metabase_set", "args": {"path": "W3SVC/1", "property": "ServerComment", "value": "Shop"}})
    node_ops.lab.save_changes()

    # os.replace of a temporary file: a new inode, never the old file rewritten in place.
    assert (state_dir / "state.json").stat().st_ino != before.st_ino
    assert state_of(state_dir)["hosts"]["NODE1"]["metabase"]["/LM/W3SVC/1"]["properties"]["ServerComment"]["value"] == "Shop"
    assert [path.name for path in state_dir.iterdir() if path.name.startswith(".state-")] == []


def test_what_a_lab_writes_after_commands_on_several_hosts_is_its_whole_model(
    node_ops: NodeOps, state_dir: pathlib.Path
) -> None:
    from iis_lab.state import lab_state

    node_ops({"op": "metabase_set", "args": {"path": "W3SVC/1", "property": "ServerComment", "value": "One"}})
    node_ops(
        {"op": "domain_user_add", "args": {"name": "IUSR_web", "secret": "pw"}},
        secrets={"pw": "Dom-Iusr-Secret-7"},
        host="DC1",
    )
    node_ops({"op": "metabase_set", "args": {"path": "W3SVC/1", "property": "ServerComment", "value": "Two"}}, host="NODE2")
    node_ops.lab.save_changes()

    lab = node_ops.lab
    digests = lab._digests  # the digests the lab wrote with: the secrets' digests must agree
    # The file the lab assembles from parts it serialised as each changed is, to the character,
    # the whole model written at once.
    whole = json.dumps(lab_state(lab.topology, lab.domain, lab.hosts, digests), indent=2) + "\n"
    assert (state_dir / "state.json").read_text(encoding="utf-8") == whole


def test_a_command_that_only_adds_a_group_member_is_recorded(node_ops: NodeOps, state_dir: pathlib.Path) -> None:
    admin = node_ops.value({"op": "account_lookup", "args": {"name": "WEBFARM\\Administrator"}})["sid"]
    assert admin not in state_of(state_dir)["hosts"]["NODE1"]["local_groups"]["BUILTIN\\Users"]["members"]
    node_ops.values({"op": "local_group_member_add", "args": {"group": "Users", "sid": admin}})
    node_ops.lab.save_changes()  # as the WinRM executor does once a command is done
    assert admin in state_of(state_dir)["hosts"]["NODE1"]["local_groups"]["BUILTIN\\Users"]["members"]
