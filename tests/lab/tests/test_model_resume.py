"""Resuming a lab from its state directory: the model state.json recorded comes back whole and
behaves as before, secrets known only by their digests; a state of another topology or format
is refused, and nothing is resumed that would not write back what was recorded."""

from __future__ import annotations

import json
import pathlib
import typing as t

import pytest
import yaml
from conftest import NodeOps

from iis_lab.faults import FAULT_KINDS
from iis_lab.lab import Lab
from iis_lab.resume import StateError
from iis_lab.state import secret_matches
from iis_lab.topology import default_document
from iis_lab.windows.complus import IIS_POOLED_APPLICATION_ID
from iis_lab.windows.stored_secret import StoredSecret

PACKAGED_TOPOLOGIES = pathlib.Path(__file__).resolve().parents[1] / "iis_lab" / "topologies"
IUSR_PASSWORD = "Lab-Iusr-Passw0rd"
IWAM_PASSWORD = "Lab-Iwam-Passw0rd"
SECRETS = {"iusr": IUSR_PASSWORD, "iwam": IWAM_PASSWORD, "wrong": "Not-The-Passw0rd"}
IUSR = "WEBFARM\\IUSR_web"
BACKUP = "iissync-20240501T101500Z"


def op(op_name: str, **args: t.Any) -> dict[str, t.Any]:
    return {"op": op_name, "args": args}


def failure_code(result: dict[str, t.Any]) -> int:
    [entry] = [entry for entry in result["results"] if entry["status"] == "failed"]
    return t.cast(int, entry["error"]["code"])


def converge(lab: Lab) -> None:
    """What playbooks/cluster_iis.yml does to the default lab, op by op: the domain accounts
    (KB steps 1-3), their membership of each node's Users and "Log on locally" (4-5), the
    anonymous user (6) and WAM identity with the COM+ applications (7) on NODE1, a backup of
    NODE2 and IISSync to it (8)."""
    node_ops = NodeOps(lab)
    flags = {"password_never_expires": True, "user_cannot_change_password": True}
    node_ops.values(
        op("domain_user_add", name="IUSR_web", secret="iusr", **flags),
        op("domain_user_add", name="IWAM_web", secret="iwam", **flags),
        host="DC1",
        secrets=SECRETS,
    )
    for node in ("NODE1", "NODE2"):
        sids = [
            node_ops.value(op("account_lookup", name=f"WEBFARM\\{name}"), host=node)["sid"]
            for name in ("IUSR_web", "IWAM_web")
        ]
        node_ops.values(
            *(op("local_group_member_add", group="Users", sid=sid) for sid in sids),
            *(op("user_right_grant", right="SeInteractiveLogonRight", sid=sid) for sid in sids),
            host=node,
        )
    shop_package = lab.host_named("NODE1").metabase.read("W3SVC/1/ROOT/Shop", "AppPackageID").value
    node_ops.values(
        op("metabase_set", path="W3SVC/1", property="AnonymousUserName", value=IUSR),
        op("metabase_set", path="W3SVC/1", property="AnonymousUserPass", secret="iusr"),
        op("metabase_set", path="W3SVC/1", property="AnonymousPasswordSync", value=False),
        op("metabase_set", path="W3SVC", property="WAMUserName", value="WEBFARM\\IWAM_web"),
        op("metabase_set", path="W3SVC", property="WAMUserPass", secret="iwam"),
        op(
            "comadmin_application_set_identity",
            id=IIS_POOLED_APPLICATION_ID,
            identity="WEBFARM\\IWAM_web",
            secret="iwam",
        ),
        op("comadmin_application_set_identity", id=shop_package, identity="WEBFARM\\IWAM_web", secret="iwam"),
        secrets=SECRETS,
    )
    node_ops.value(op("metabase_backup_create", name=BACKUP), host="NODE2")
    node_ops.value(op("iissync_run", targets=["NODE2"]), become_password=True)
    lab.save()


@pytest.fixture
def state_dir(tmp_path: pathlib.Path) -> pathlib.Path:
    return tmp_path / "state"


@pytest.fixture
def converged(state_dir: pathlib.Path) -> Lab:
    """The default lab after cluster_iis.yml's changes, recording into ``state_dir``."""
    lab = Lab.from_topology(None, str(state_dir))
    converge(lab)
    return lab


def resume(state_dir: pathlib.Path, topology: str | None = None) -> Lab:
    lab = Lab.from_topology(topology, str(state_dir), resume=True)
    assert lab.resumed
    return lab


def state_text(state_dir: pathlib.Path) -> str:
    return (state_dir / "state.json").read_text(encoding="utf-8")


def state_of(state_dir: pathlib.Path) -> dict[str, t.Any]:
    return t.cast(dict[str, t.Any], json.loads(state_text(state_dir)))


def topology_file(tmp_path: pathlib.Path, **changes: t.Any) -> str:
    path = tmp_path / "topology.yml"
    path.write_text(yaml.safe_dump(default_document(**changes)), encoding="utf-8")
    return str(path)


def metabase_digests(lab: Lab, host: str) -> dict[str, t.Any]:
    instruction = op("metabase_digest_tree", salt="salt", subtrees=["/LM"])
    return t.cast(dict[str, t.Any], NodeOps(lab).value(instruction, host=host, secrets={"salt": "run-salt"})["keys"])


# Round trips: the resumed model writes back, byte for byte, the state.json it was loaded from.


@pytest.mark.parametrize(
    "topology", [None, str(PACKAGED_TOPOLOGIES / "domain_controllers.yml")], ids=["default", "domain_controllers"]
)
def test_a_resumed_lab_writes_back_the_state_it_was_loaded_from(state_dir: pathlib.Path, topology: str | None) -> None:
    Lab.from_topology(topology, str(state_dir))
    recorded = state_text(state_dir)

    resume(state_dir, topology)

    assert state_text(state_dir) == recorded


@pytest.mark.parametrize("kind", sorted(FAULT_KINDS))
def test_every_fault_survives_a_resume(tmp_path: pathlib.Path, state_dir: pathlib.Path, kind: str) -> None:
    topology = topology_file(tmp_path, faults=[{"kind": kind, "host": "NODE1"}])
    Lab.from_topology(topology, str(state_dir))
    recorded = state_text(state_dir)

    resume(state_dir, topology)

    assert state_text(state_dir) == recorded


def test_a_fault_keeps_acting_after_a_resume(tmp_path: pathlib.Path, state_dir: pathlib.Path) -> None:
    topology = topology_file(tmp_path, faults=[{"kind": "metabase_in_use", "host": "NODE1"}])
    Lab.from_topology(topology, str(state_dir))

    result = NodeOps(resume(state_dir, topology))(op("metabase_get", path="W3SVC"))

    assert failure_code(result) == 0x80070094


def test_a_converged_cluster_writes_back_the_same_state_resume_after_resume(
    converged: Lab, state_dir: pathlib.Path
) -> None:
    recorded = state_text(state_dir)
    assert state_of(state_dir)["hosts"]["NODE2"]["metabase_backups"][0]["name"] == BACKUP

    resume(state_dir)
    assert state_text(state_dir) == recorded
    resume(state_dir)
    assert state_text(state_dir) == recorded


# Secrets after a resume: known by their digests only, compared through them.


def test_the_resumed_model_holds_secrets_only_as_their_digests(converged: Lab, state_dir: pathlib.Path) -> None:
    lab = resume(state_dir)

    iusr = lab.domain.accounts.find("IUSR_web")
    stored = lab.host_named("NODE2").metabase.read("W3SVC/1", "AnonymousUserPass").value
    assert isinstance(iusr.password, StoredSecret) and stored == iusr.password
    assert secret_matches(iusr.password.digest, IUSR_PASSWORD)
    assert iusr.password.digest not in repr(iusr.password) + str(iusr.password)


def test_a_domain_password_set_before_the_restart_is_recognised_after_it(
    converged: Lab, state_dir: pathlib.Path
) -> None:
    node_ops = NodeOps(resume(state_dir))

    matches = node_ops.values(
        op("domain_user_password_matches", name="IUSR_web", secret="iusr"),
        op("domain_user_password_matches", name="IUSR_web", secret="iwam"),
        op("domain_user_password_matches", name="IWAM_web", secret="iwam"),
        host="DC1",
        secrets=SECRETS,
    )

    assert matches == [True, False, True]


def test_secure_metabase_values_still_compare_on_the_host(converged: Lab, state_dir: pathlib.Path) -> None:
    node_ops = NodeOps(resume(state_dir))

    matches = node_ops.values(
        op("metabase_secret_matches", path="W3SVC/1/ROOT", property="AnonymousUserPass", secret="iusr"),
        op("metabase_secret_matches", path="W3SVC/1/ROOT", property="AnonymousUserPass", secret="wrong"),
        op("metabase_secret_matches", path="W3SVC", property="WAMUserPass", secret="iwam"),
        host="NODE2",
        secrets=SECRETS,
    )

    assert matches == [True, False, True]


def test_the_anonymous_logon_compares_the_metabase_password_with_the_account_after_a_resume(
    converged: Lab, state_dir: pathlib.Path
) -> None:
    node_ops = NodeOps(resume(state_dir))
    check = op("anonymous_logon_check", path="W3SVC/1/ROOT")

    before = node_ops.value(check, host="NODE2")
    node_ops.values(
        op("metabase_set", path="W3SVC/1", property="AnonymousUserPass", secret="wrong"), host="NODE2", secrets=SECRETS
    )
    wrong = node_ops.value(check, host="NODE2")
    node_ops.values(
        op("metabase_set", path="W3SVC/1", property="AnonymousUserPass", secret="iusr"), host="NODE2", secrets=SECRETS
    )

    assert (before["user"], before["logon_error"]) == (IUSR, None)
    assert wrong["logon_error"]["code"] == 1326
    assert node_ops.value(check, host="NODE2")["logon_error"] is None


def test_com_plus_identities_log_on_and_are_checked_after_a_resume(converged: Lab, state_dir: pathlib.Path) -> None:
    lab = resume(state_dir)
    node_ops = NodeOps(lab)

    wrong = node_ops(
        op(
            "comadmin_application_set_identity",
            id=IIS_POOLED_APPLICATION_ID,
            identity="WEBFARM\\IWAM_web",
            secret="wrong",
        ),
        secrets=SECRETS,
    )
    node_ops.values(
        op(
            "comadmin_application_set_identity",
            id=IIS_POOLED_APPLICATION_ID,
            identity="WEBFARM\\IWAM_web",
            secret="iwam",
        ),
        secrets=SECRETS,
    )

    lab.save()

    assert failure_code(wrong) == 0x80110414
    applications = state_of(state_dir)["hosts"]["NODE1"]["complus"]["applications"]
    assert [app["logon_error"] for app in applications if app["identity"] == "WEBFARM\\IWAM_web"] == [None, None]


def test_a_node_digests_its_metabase_as_it_did_before_the_resume(converged: Lab, state_dir: pathlib.Path) -> None:
    before = {node: metabase_digests(converged, node) for node in ("NODE1", "NODE2")}

    after = {node: metabase_digests(resume(state_dir), node) for node in ("NODE1", "NODE2")}

    assert after == before
    assert after["NODE1"]["/LM/W3SVC"] == after["NODE2"]["/LM/W3SVC"]  # synced, secure values included


def test_a_secret_given_again_after_a_resume_digests_and_records_as_the_stored_one(
    converged: Lab, state_dir: pathlib.Path
) -> None:
    lab = resume(state_dir)
    recorded = state_text(state_dir)
    node_ops = NodeOps(lab)

    node_ops.values(
        op("metabase_set", path="W3SVC/1", property="AnonymousUserPass", secret="wrong"), host="NODE2", secrets=SECRETS
    )
    other = metabase_digests(lab, "NODE2")["/LM/W3SVC/1"]["properties"]["AnonymousUserPass"]
    node_ops.values(
        op("metabase_set", path="W3SVC/1", property="AnonymousUserPass", secret="iusr"),
        host="NODE2",
        secrets=SECRETS,
    )
    node_ops.values(op("domain_user_set_password", name="IUSR_web", secret="iusr"), host="DC1", secrets=SECRETS)
    lab.save()

    node1, node2 = metabase_digests(lab, "NODE1"), metabase_digests(lab, "NODE2")
    assert other != node1["/LM/W3SVC/1"]["properties"]["AnonymousUserPass"]
    assert node2["/LM/W3SVC/1"] == node1["/LM/W3SVC/1"]
    assert state_text(state_dir) == recorded


def test_a_backup_made_before_the_restart_restores_after_it(converged: Lab, state_dir: pathlib.Path) -> None:
    lab = resume(state_dir)

    NodeOps(lab).value(op("metabase_backup_restore", name=BACKUP, version=0), host="NODE2")
    lab.save()

    node2 = state_of(state_dir)["hosts"]["NODE2"]
    assert node2["metabase"] == node2["metabase_backups"][0]["metabase"]
    assert node2["metabase"]["/LM/W3SVC/1"]["properties"].get("AnonymousUserName") is None
    assert node2["anonymous_logons"]["/LM/W3SVC/1/ROOT"] == {"user": "IUSR_NODE2", "logs_on": True, "why_not": None}


def test_a_deleted_account_s_rid_is_not_handed_out_again_after_a_resume(
    converged: Lab, state_dir: pathlib.Path
) -> None:
    node_ops = NodeOps(converged)
    iwam_sid = node_ops.value(op("domain_user_get", name="IWAM_web"), host="DC1")["sid"]
    node_ops.values(op("domain_user_delete", name="IWAM_web"), host="DC1")
    converged.save()

    node_ops = NodeOps(resume(state_dir))
    node_ops.values(op("domain_user_add", name="IWAM_web2", secret="iwam"), host="DC1", secrets=SECRETS)

    new_sid = node_ops.value(op("domain_user_get", name="IWAM_web2"), host="DC1")["sid"]
    assert int(new_sid.rsplit("-", 1)[1]) == int(iwam_sid.rsplit("-", 1)[1]) + 1


def test_no_secret_is_written_by_a_resumed_lab(converged: Lab, state_dir: pathlib.Path) -> None:
    lab = resume(state_dir)
    NodeOps(lab).values(
        op("metabase_set", path="W3SVC/1", property="AnonymousUserPass", secret="wrong"), host="NODE2", secrets=SECRETS
    )
    lab.save()

    written = "".join(path.read_text(encoding="utf-8") for path in state_dir.iterdir())
    for secret in [*SECRETS.values(), "Lab-Admin-1"]:
        assert secret not in written


# The process record.


def test_a_resumed_lab_appends_to_the_process_record(state_dir: pathlib.Path) -> None:
    Lab.from_topology(None, str(state_dir)).record_process("127.0.0.12", "WEBFARM\\Administrator", "before")

    resume(state_dir).record_process("127.0.0.12", "WEBFARM\\Administrator", "after")

    lines = (state_dir / "processes.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["command_line"] for line in lines] == ["before", "after"]


def test_without_a_state_the_lab_starts_from_its_topology(state_dir: pathlib.Path) -> None:
    state_dir.mkdir()
    (state_dir / "processes.jsonl").write_text('{"command_line": "stale"}\n', encoding="utf-8")

    lab = Lab.from_topology(None, str(state_dir), resume=True)

    assert not lab.resumed
    assert state_of(state_dir)["topology"] == "default"
    assert (state_dir / "processes.jsonl").read_text(encoding="utf-8") == ""


# What is refused, with the file, what differs and the remedy; the recorded state is left alone.


def refusal(state_dir: pathlib.Path, topology: str | None = None) -> str:
    recorded = state_text(state_dir)
    with pytest.raises(StateError) as refused:
        Lab.from_topology(topology, str(state_dir), resume=True)
    assert state_text(state_dir) == recorded
    message = str(refused.value)
    assert message.startswith(f"cannot resume from {state_dir / 'state.json'}: ")
    assert message.endswith(f"; delete {state_dir} or drop --resume")
    return message


def test_a_state_of_another_topology_is_refused(converged: Lab, state_dir: pathlib.Path) -> None:
    other = str(PACKAGED_TOPOLOGIES / "domain_controllers.yml")

    message = refusal(state_dir, other)

    assert (
        f"it was written for another topology ('default'): its domain and hosts differ from those of '{other}'"
        in message
    )


def test_a_topology_with_another_administrator_password_is_another_topology(
    tmp_path: pathlib.Path, state_dir: pathlib.Path
) -> None:
    Lab.from_topology(None, str(state_dir))
    domain = default_document()["domain"]
    topology = topology_file(
        tmp_path, domain={**domain, "admin": {"user": "Administrator", "password": "Other-Admin-2"}}
    )

    message = refusal(state_dir, topology)

    assert f"its domain administrator's password is not that of {topology!r}" in message
    assert "Other-Admin-2" not in message


def test_the_same_topology_from_another_file_is_resumed(tmp_path: pathlib.Path, state_dir: pathlib.Path) -> None:
    Lab.from_topology(None, str(state_dir))
    recorded = state_of(state_dir)

    resume(state_dir, str(PACKAGED_TOPOLOGIES / "default.yml"))

    assert {**state_of(state_dir), "topology": "default"} == recorded


def test_a_state_of_another_format_is_refused(state_dir: pathlib.Path) -> None:
    Lab.from_topology(None, str(state_dir))
    (state_dir / "state.json").write_text(json.dumps({**state_of(state_dir), "format": 1}), encoding="utf-8")

    assert "it is in state format 1, this lab reads format 3" in refusal(state_dir)


def test_a_state_that_is_not_json_is_refused(state_dir: pathlib.Path) -> None:
    state_dir.mkdir()
    (state_dir / "state.json").write_text("{not json", encoding="utf-8")

    assert "it cannot be read as JSON" in refusal(state_dir)


def test_a_state_the_lab_cannot_rebuild_is_refused(state_dir: pathlib.Path) -> None:
    Lab.from_topology(None, str(state_dir))
    state = state_of(state_dir)
    state["hosts"]["NODE1"]["metabase"]["/LM/W3SVC"]["properties"]["NoSuchProperty"] = {
        "type": "STRING",
        "secure": False,
        "value": "x",
    }
    (state_dir / "state.json").write_text(json.dumps(state), encoding="utf-8")

    assert "it holds no model this lab can rebuild (ValueError: /LM/W3SVC sets NoSuchProperty" in refusal(state_dir)


def test_a_state_that_would_not_be_written_back_is_refused(state_dir: pathlib.Path) -> None:
    Lab.from_topology(None, str(state_dir))
    state = state_of(state_dir)
    state["hosts"]["NODE1"]["anonymous_logons"]["/LM/W3SVC/1/ROOT"]["logs_on"] = False
    (state_dir / "state.json").write_text(json.dumps(state), encoding="utf-8")

    message = refusal(state_dir)

    assert "would not write it back (it differs at hosts.NODE1.anonymous_logons./LM/W3SVC/1/ROOT.logs_on)" in message


def test_resuming_needs_a_state_directory() -> None:
    with pytest.raises(ValueError, match="a lab resumes from a state directory"):
        Lab.from_topology(None, resume=True)
