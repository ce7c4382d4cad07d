"""Shared Configuration on the iis10 topology: file shares (share_get, share_set), a node
reading a UNC path as IIS does (unc_read_check), redirection.config and the configuration keys
(shared_config_*), WAS reading the share, and the faults of a shared configuration."""

from __future__ import annotations

import json
import pathlib
import re
import signal
import subprocess
import sys
import typing as t

import pytest
from conftest import IIS10_TOPOLOGY, NodeOps, op
from test_cli_serve import ENTRY_POINT, first_line, start_serve

from iis_lab.lab import Lab
from iis_lab.shared_config_faults import SHARED_CONFIG_FAULTS

TOPOLOGY = LAB_TOPOLOGY = IIS10_TOPOLOGY
READER = "WEBFARM\\IISConfigReader"
READER_PASSWORD = "Lab-Reader-1"
SHARE = "\\\\DC1\\IISConfig"





def make_share(node_ops: NodeOps, *, read: t.Sequence[str] = (READER,)) -> None:
    node_ops.value(
        op("share_set", name="IISConfig", path="C:\\IISConfig", read=list(read), change=["WEBFARM\\Domain Admins"]),
        host="DC1",
    )


def grant_batch(lab: Lab, *nodes: str) -> None:
    for node in nodes or ("NODE1", "NODE2", "NODE3"):
        lab.change_condition(node, "batch_right_removed", READER, clear=True)


def read_check(node_ops: NodeOps, path: str = SHARE, password: str = READER_PASSWORD, host: str = "NODE1") -> t.Any:
    return node_ops.value(op("unc_read_check", path=path, user=READER, secret="r"), host=host, secrets={"r": password})


def state(lab: Lab) -> dict[str, t.Any]:
    lab.save_changes()
    assert lab.state_file is not None
    with open(lab.state_file, encoding="utf-8") as stream:
        return t.cast(dict[str, t.Any], json.load(stream))


def code(check: dict[str, t.Any]) -> int | None:
    return None if check["error"] is None else check["error"]["code"]


# Shares ---------------------------------------------------------------------------------------
def test_share_get_of_a_missing_share_and_of_an_administrative_one(node_ops: NodeOps) -> None:
    assert node_ops.value(op("share_get", name="IISConfig"), host="DC1") is None
    assert node_ops.value(op("share_get", name="admin$"), host="DC1") == {
        "name": "ADMIN$",
        "path": "C:\\Windows",
        "access": [{"account": "BUILTIN\\Administrators", "right": "full"}],
    }


def test_share_set_creates_the_share_and_its_folder_then_sets_its_access(lab: Lab, node_ops: NodeOps) -> None:
    make_share(node_ops)
    assert node_ops.value(op("share_get", name="iisconfig"), host="DC1") == {
        "name": "IISConfig",
        "path": "C:\\IISConfig",
        "access": [
            {"account": READER, "right": "read"},
            {"account": "WEBFARM\\Domain Admins", "right": "change"},
        ],
    }
    # One model: the file_shares op (IISSync's) lists it too.
    shares = node_ops.value(op("file_shares"), host="DC1")["shares"]
    assert {"name": "IISConfig", "path": "C:\\IISConfig"} in shares
    node_ops.value(op("share_set", name="IISConfig", path="C:\\IISConfig\\", change=[READER]), host="DC1")
    assert node_ops.value(op("share_get", name="IISConfig"), host="DC1")["access"] == [
        {"account": READER, "right": "change"}
    ]
    dc = state(lab)["hosts"]["DC1"]["file_server"]
    assert dc["share_access"] == {"IISConfig": {READER: "change"}}
    assert dc["folders"] == {"c:\\iisconfig": {"access": {READER: "change"}, "files": []}}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"name": "IISConfig", "path": "C:\\Other"}, 2118),  # the name is taken by another folder
        ({"name": "C$", "path": "C:\\"}, 2118),  # an administrative share
        ({"name": "Bad/Name", "path": "C:\\IISConfig"}, 123),
        ({"name": "Other", "path": "IISConfig"}, 161),
        ({"name": "Other", "path": "C:\\Other", "read": ["WEBFARM\\NoSuchUser"]}, 1332),
    ],
)
def test_share_set_refusals(node_ops: NodeOps, args: dict[str, t.Any], expected: int) -> None:
    make_share(node_ops)
    result = node_ops(op("share_set", **args), host="DC1")
    assert result["results"][0]["error"]["code"] == expected
    assert node_ops.value(op("share_get", name="Other"), host="DC1") is None


# unc_read_check --------------------------------------------------------------------------------
def test_the_reader_needs_the_batch_right_on_the_node_then_reads(lab: Lab, node_ops: NodeOps) -> None:
    make_share(node_ops)
    # "Log on as a batch job" is not granted by default (Shared Configuration).
    assert code(read_check(node_ops)) == 1385
    grant_batch(lab, "NODE1")
    assert read_check(node_ops) == {"error": None, "files": []}
    assert code(read_check(node_ops, host="NODE2")) == 1385


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("\\\\NOSUCHHOST\\IISConfig", 53),
        ("\\\\DC1\\NoSuchShare", 67),
        ("\\\\dc1.webfarm.test\\IISConfig\\missing", 3),
        ("C:\\IISConfig", 161),
    ],
)
def test_unc_paths_that_lead_nowhere(lab: Lab, node_ops: NodeOps, path: str, expected: int) -> None:
    make_share(node_ops)
    grant_batch(lab, "NODE1")
    assert code(read_check(node_ops, path)) == expected


def test_the_readers_logon_failures(lab: Lab, node_ops: NodeOps) -> None:
    make_share(node_ops)
    grant_batch(lab, "NODE1")
    assert code(read_check(node_ops, password="wrong")) == 1326
    reader = lab.domain.accounts.find("IISConfigReader")
    assert reader is not None
    reader.password_expired = True
    assert code(read_check(node_ops)) == 1330
    assert code(read_check(node_ops, password="wrong")) == 1326
    reader.password_expired = False
    lab.change_condition("NODE1", "account_disabled", READER)
    assert code(read_check(node_ops)) == 1331
    lab.change_condition("NODE1", "account_disabled", READER, clear=True)
    lab.change_condition("NODE1", "account_locked_out", READER)
    assert code(read_check(node_ops)) == 1909


def test_share_and_folder_both_must_grant_read(lab: Lab, node_ops: NodeOps) -> None:
    make_share(node_ops, read=["WEBFARM\\Domain Admins"])
    grant_batch(lab, "NODE1")
    assert code(read_check(node_ops)) == 5
    make_share(node_ops, read=["WEBFARM\\Domain Users"])  # through a group
    assert code(read_check(node_ops)) is None
    dc = lab.host_named("DC1")
    folder = dc.folders["c:\\iisconfig"]
    folder.access.clear()  # the folder's ACL changed by hand: the share alone is not enough
    assert code(read_check(node_ops)) == 5
    assert node_ops.value(op("share_get", name="IISConfig"), host="DC1")["access"] == []


def test_a_file_server_that_does_not_answer(lab: Lab, node_ops: NodeOps) -> None:
    make_share(node_ops)
    grant_batch(lab, "NODE1")
    lab.host_named("DC1").file_server_reachable = False
    assert code(read_check(node_ops)) == 53


# Shared Configuration ----------------------------------------------------------------------------
KEY_PASSWORD = "Key-Encryption-1"
SECRETS = {"r": READER_PASSWORD, "k": KEY_PASSWORD}
NODES = ("NODE1", "NODE2", "NODE3")


def failed(result: dict[str, t.Any]) -> int:
    [entry] = [entry for entry in result["results"] if entry["status"] == "failed"]
    return t.cast(int, entry["error"]["code"])


def export(node_ops: NodeOps, **kwargs: t.Any) -> dict[str, t.Any]:
    kwargs.setdefault("become_password", True)
    return node_ops(op("shared_config_export", path=SHARE, key_secret="k"), host="NODE2", secrets=SECRETS, **kwargs)


def enable(node_ops: NodeOps, host: str, key_password: str = KEY_PASSWORD) -> dict[str, t.Any]:
    return node_ops(
        op("shared_config_enable", path=SHARE, user=READER, secret="r", key_secret="k"),
        host=host,
        secrets={"r": READER_PASSWORD, "k": key_password},
    )


def get(node_ops: NodeOps, host: str) -> dict[str, t.Any]:
    return t.cast(dict[str, t.Any], node_ops.value(op("shared_config_get", secret="r"), host=host, secrets=SECRETS))


def shared_farm(lab: Lab, node_ops: NodeOps) -> None:
    """The share, the reader's batch right on every node, NODE2's configuration exported and
    every node enabled."""
    make_share(node_ops)
    grant_batch(lab)
    assert "failed" not in export(node_ops) and export(node_ops)["results"][0]["status"] == "ok"
    for node in NODES:
        assert enable(node_ops, node)["results"][0]["status"] == "ok"


def set_pool_identity(node_ops: NodeOps, host: str = "NODE1", **kwargs: t.Any) -> dict[str, t.Any]:
    node_ops.values(
        op("domain_user_add", name="ShopPool", secret="pw", enabled=True), host="DC1", secrets={"pw": "Pool-Pass-1"}
    )
    args = {"name": "Shop", "identity_type": "SpecificUser", "user": "WEBFARM\\ShopPool", "secret": "pw"}
    return t.cast(
        dict[str, t.Any],
        node_ops.value(op("app_pool_identity_set", **args), host=host, secrets={"pw": "Pool-Pass-1"}, **kwargs),
    )


def test_export_writes_the_configuration_and_wrapped_keys_as_the_caller(lab: Lab, node_ops: NodeOps) -> None:
    make_share(node_ops)
    grant_batch(lab, "NODE1")
    # Without network credentials (no become with a password) the source cannot write: the double hop.
    assert failed(export(node_ops, become_password=None)) == 0x80070005
    assert failed(export(node_ops, become_password=False)) == 0x80070005
    assert read_check(node_ops)["files"] == []
    export(node_ops)
    assert read_check(node_ops)["files"] == ["administration.config", "applicationHost.config", "configEncKey.key"]
    files = state(lab)["hosts"]["DC1"]["file_server"]["folders"]["c:\\iisconfig"]["files"]
    assert files == ["administration.config", "applicationHost.config", "configEncKey.key"]


@pytest.mark.parametrize(
    ("path", "expected"), [("\\\\NOSUCH\\IISConfig", 0x80070035), ("\\\\DC1\\Missing", 0x80070043)]
)
def test_export_to_a_path_that_leads_nowhere(node_ops: NodeOps, path: str, expected: int) -> None:
    make_share(node_ops)
    result = node_ops(
        op("shared_config_export", path=path, key_secret="k"), host="NODE2", secrets=SECRETS, become_password=True
    )
    assert failed(result) == expected


def test_export_needs_change_on_the_share(node_ops: NodeOps) -> None:
    make_share(node_ops)
    node_ops.value(op("share_set", name="IISConfig", path="C:\\IISConfig", read=["WEBFARM\\Domain Admins"]), host="DC1")
    assert failed(export(node_ops)) == 0x80070005


def test_every_node_runs_the_shared_configuration(lab: Lab, node_ops: NodeOps) -> None:
    shared_farm(lab, node_ops)
    for node in NODES:
        assert get(node_ops, node) == {
            "enabled": True,
            "path": SHARE,
            "user_name": READER,
            "password_matches": True,
            "decrypt_error": None,
            "offline_files": False,
        }
    assert (
        node_ops.value(op("shared_config_get", secret="k"), host="NODE1", secrets=SECRETS)["password_matches"] is False
    )
    assert node_ops.value(op("shared_config_get"), host="NODE1")["password_matches"] is None
    documented = state(lab)["hosts"]
    assert documented["NODE1"]["iis"]["shared_config"] == {
        "enabled": True,
        "path": SHARE,
        "user_name": READER,
        "keys_backed_up": True,
        "read_error": None,
        "decrypt_error": None,
    }
    # A write through one node (as the caller, with network credentials) is what every node reads.
    assert set_pool_identity(node_ops, become_password=True)["state"] == "Started"
    texts = {
        documented_host["iis"]["applicationhost"]
        for documented_host in state(lab)["hosts"].values()
        if documented_host["iis"]
    }
    assert len(texts) == 1 and "WEBFARM\\ShopPool" in texts.pop()
    pools = {node: state(lab)["hosts"][node]["iis"]["pools"]["Shop"] for node in NODES}
    assert pools == {node: {"state": "Started", "logon_error": None} for node in NODES}
    shop = node_ops.value(op("app_pools_get", names=["Shop"]), host="NODE3")
    assert (shop[0]["user_name"], shop[0]["password_set"]) == ("WEBFARM\\ShopPool", True)
    # Nothing secret in the state: the reader's password, the key password, the pool's password.
    with open(lab.state_file or "", encoding="utf-8") as stream:
        text = stream.read()
    for secret in (READER_PASSWORD, KEY_PASSWORD, "Pool-Pass-1"):
        assert secret not in text


def test_a_write_through_a_node_without_network_credentials_is_refused(lab: Lab, node_ops: NodeOps) -> None:
    shared_farm(lab, node_ops)
    before = state(lab)["hosts"]["NODE1"]["iis"]["applicationhost"]
    result = node_ops(
        op("web_config_set", section=POOLS_SECTION, element="add[@name='Shop']", attribute="autoStart", value="false")
    )
    assert failed(result) == 0x80070005
    assert state(lab)["hosts"]["NODE1"]["iis"]["applicationhost"] == before
    # Reads need no credentials of the caller: the reader reads.
    assert node_ops.value(
        op("web_config_get", section=POOLS_SECTION, element="add[@name='Shop']", attributes=["autoStart"])
    )


POOLS_SECTION = "system.applicationHost/applicationPools"


def test_a_wrong_key_encryption_password_imports_nothing(lab: Lab, node_ops: NodeOps) -> None:
    make_share(node_ops)
    grant_batch(lab)
    export(node_ops)
    before = dict(lab.host_named("NODE1").iis.local.keys)  # type: ignore[union-attr]
    assert failed(enable(node_ops, "NODE1", key_password="not-it")) == 0x80090005
    assert lab.host_named("NODE1").iis.local.keys == before  # type: ignore[union-attr]
    assert get(node_ops, "NODE1")["enabled"] is False


def test_enable_reads_as_the_reader(lab: Lab, node_ops: NodeOps) -> None:
    make_share(node_ops)
    export(node_ops)
    assert failed(enable(node_ops, "NODE1")) == 0x80070569  # no batch right yet: HRESULT of 1385
    grant_batch(lab, "NODE1")
    assert enable(node_ops, "NODE1")["results"][0]["status"] == "ok"


def test_keys_not_imported_fail_decryption_as_iis_does(lab: Lab, node_ops: NodeOps) -> None:
    shared_farm(lab, node_ops)
    set_pool_identity(node_ops, become_password=True)
    lab.change_fault("NODE3", "keys_not_imported")
    assert get(node_ops, "NODE3")["decrypt_error"] == {"code": 0x80090005, "message": "Bad Data."}
    assert get(node_ops, "NODE3")["password_matches"] is True  # redirection.config's RSA key stays
    assert failed(node_ops(op("app_pools_get", names=["Shop"]), host="NODE3")) == 0x80090005
    recycled = node_ops.value(op("app_pool_recycle", name="Shop"), host="NODE3")
    assert (recycled["state"], recycled["start_error"]["code"]) == ("Stopped", 0x80090005)
    assert state(lab)["hosts"]["NODE3"]["iis"]["shared_config"]["decrypt_error"].startswith("0x80090005")
    lab.change_fault("NODE3", "keys_not_imported", clear=True)
    assert get(node_ops, "NODE3")["decrypt_error"] is None


def test_share_unreachable_keeps_was_running_on_its_cached_configuration(lab: Lab, node_ops: NodeOps) -> None:
    shared_farm(lab, node_ops)
    set_pool_identity(node_ops, become_password=True)
    lab.change_fault("DC1", "share_unreachable")
    assert code(read_check(node_ops)) == 53
    assert failed(node_ops(op("web_config_get", section=POOLS_SECTION))) == 0x80070035
    assert get(node_ops, "NODE1")["enabled"] is True
    node1 = state(lab)["hosts"]["NODE1"]["iis"]
    assert node1["pools"]["Shop"] == {"state": "Started", "logon_error": None}
    assert node1["shared_config"]["read_error"].startswith("0x00000035")
    with pytest.raises(LookupError):
        lab.change_fault("NODE1", "share_unreachable")
    lab.change_fault("DC1", "share_unreachable", clear=True)
    assert node_ops.value(op("web_config_get", section=POOLS_SECTION))


@pytest.mark.parametrize(
    ("kind", "host", "check_code", "op_code"),
    [
        ("reader_password_expired", "NODE1", 1330, 0x80070532),
        ("reader_access_denied", "DC1", 5, 0x80070005),
        ("reader_batch_right_missing", "NODE1", 1385, 0x80070569),
    ],
)
def test_reader_faults_show_in_the_preflight_and_stop_the_configuration_system(
    lab: Lab, node_ops: NodeOps, kind: str, host: str, check_code: int, op_code: int
) -> None:
    shared_farm(lab, node_ops)
    lab.change_fault(host, kind)
    assert code(read_check(node_ops)) == check_code
    assert failed(node_ops(op("web_config_get", section=POOLS_SECTION))) == op_code
    lab.change_fault(host, kind, clear=True)
    assert code(read_check(node_ops)) is None
    assert node_ops.value(op("web_config_get", section=POOLS_SECTION))


def test_offline_files_is_absent_unless_turned_on(lab: Lab, node_ops: NodeOps) -> None:
    shared_farm(lab, node_ops)
    assert node_ops.value(op("shared_config_get"))["offline_files"] is False
    lab.change_fault("NODE1", "offline_files_absent", clear=True)
    assert node_ops.value(op("shared_config_get"))["offline_files"] is True
    node_ops.value(op("shared_config_disable", keep_keys=True))
    assert node_ops.value(op("shared_config_get"))["offline_files"] is False  # no path to cache
    enable(node_ops, "NODE1")
    lab.change_fault("NODE1", "offline_files_absent")
    assert node_ops.value(op("shared_config_get"))["offline_files"] is False


def test_disable_keeps_a_local_copy_and_the_keys_it_needs(lab: Lab, node_ops: NodeOps) -> None:
    shared_farm(lab, node_ops)
    set_pool_identity(node_ops, become_password=True)
    shared_text = state(lab)["hosts"]["NODE1"]["iis"]["applicationhost"]
    node_ops.value(op("shared_config_disable", keep_keys=True))
    after = state(lab)["hosts"]["NODE1"]["iis"]
    assert after["applicationhost"] == shared_text
    assert after["shared_config"]["enabled"] is False and after["shared_config"]["keys_backed_up"] is False
    assert get(node_ops, "NODE1")["decrypt_error"] is None
    assert after["pools"]["Shop"] == {"state": "Started", "logon_error": None}
    # A local change no longer reaches the others.
    node_ops.value(
        op("web_config_set", section=POOLS_SECTION, element="add[@name='Shop']", attribute="autoStart", value="false")
    )
    assert state(lab)["hosts"]["NODE2"]["iis"]["applicationhost"] == shared_text
    # Restoring the node's own keys under the shared configuration's ciphertext: Windows cannot
    # decrypt the copy (what keep_keys is for). NODE2's own keys are the ones it exported.
    node_ops.value(op("shared_config_disable"), host="NODE3")
    assert get(node_ops, "NODE3")["decrypt_error"] == {"code": 0x80090005, "message": "Bad Data."}
    assert state(lab)["hosts"]["NODE3"]["iis"]["pools"]["Shop"]["logon_error"].startswith("0x80090005")
    node_ops.value(op("shared_config_disable"), host="NODE2")
    assert get(node_ops, "NODE2")["decrypt_error"] is None


def test_disable_of_a_node_not_enabled_changes_nothing_and_without_a_backup_refuses(
    lab: Lab, node_ops: NodeOps
) -> None:
    before = state(lab)["hosts"]["NODE1"]["iis"]
    node_ops.value(op("shared_config_disable"))
    assert state(lab)["hosts"]["NODE1"]["iis"] == before
    shared_farm(lab, node_ops)
    lab.host_named("NODE1").iis.redirection.backed_up_keys = None  # type: ignore[union-attr]
    assert failed(node_ops(op("shared_config_disable"))) == 0x80070490
    assert get(node_ops, "NODE1")["enabled"] is True


README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
_ROW = re.compile(r"^  \| `(?P<kind>[a-z_]+)` \| (?P<code>[^|]+) \| (?P<host>[^|]+) \| (?P<check>yes|no) \|", re.M)


def test_the_readme_documents_every_shared_configuration_fault() -> None:
    documented = {
        row["kind"]: (row["code"].strip(), row["host"].strip(), row["check"] == "yes")
        for row in _ROW.finditer(README.read_text(encoding="utf-8"))
    }
    shown = {None: "none (a warning)", 0x80090005: "0x80090005"}
    assert documented == {
        name: (shown.get(kind.code, str(kind.code)), kind.host, kind.checkable)
        for name, kind in SHARED_CONFIG_FAULTS.items()
    }


def test_a_topology_without_shared_config_refuses_its_faults(tmp_path) -> None:
    lab = Lab.from_topology(None)
    with pytest.raises(LookupError, match="shared_config"):
        lab.change_fault("NODE1", "share_unreachable")


def test_redirection_config_holds_the_readers_password_encrypted_only(lab: Lab, node_ops: NodeOps) -> None:
    assert 'enabled="false"' in lab.host_named("NODE1").iis.redirection.render()  # type: ignore[union-attr]
    shared_farm(lab, node_ops)
    text = lab.host_named("NODE1").iis.redirection.render()  # type: ignore[union-attr]
    assert (
        'enabled="true" path="\\\\DC1\\IISConfig" userName="WEBFARM\\IISConfigReader" password="[enc:IISRsaProvider:'
        in text
    )
    assert READER_PASSWORD not in text


@pytest.mark.parametrize("kind", sorted(SHARED_CONFIG_FAULTS))
def test_a_shared_configuration_fault_added_then_cleared_leaves_the_lab_as_it_was(
    lab: Lab, node_ops: NodeOps, kind: str
) -> None:
    shared_farm(lab, node_ops)
    set_pool_identity(node_ops, become_password=True)  # an encrypted attribute to decrypt
    host = {"the share host": "DC1", "a node": "NODE3"}.get(SHARED_CONFIG_FAULTS[kind].host, "NODE1")
    if kind == "offline_files_absent":
        lab.change_fault(host, kind, clear=True)  # every node starts with it: turn Offline Files on first
    fresh = state(lab)["hosts"]
    lab.change_fault(host, kind)
    faulty = state(lab)["hosts"]
    lab.change_fault(host, kind)
    assert faulty != fresh and state(lab)["hosts"] == faulty
    lab.change_fault(host, kind, clear=True)
    lab.change_fault(host, kind, clear=True)
    assert state(lab)["hosts"] == fresh


def test_iis_lab_fault_reaches_the_running_lab(tmp_path: pathlib.Path, free_port: int) -> None:
    state_dir = tmp_path / "state"
    serve = start_serve("--topology", TOPOLOGY, "--port", str(free_port), "--state-dir", str(state_dir))
    try:
        assert "listening" in first_line(serve)
        added = cli_fault(state_dir, "--host", "DC1", "--add", "share_unreachable")
        wrong_host = cli_fault(state_dir, "--host", "NODE1", "--add", "share_unreachable")
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(30)
    assert added.returncode == 0, added.stderr
    recorded = json.loads((state_dir / "state.json").read_text())["hosts"]["DC1"]["file_server"]
    assert recorded["reachable"] is False
    assert (wrong_host.returncode, wrong_host.stderr) == (
        1,
        "iis-lab fault: share_unreachable is a fault of the share host, DC1\n",
    )


def cli_fault(state_dir: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", ENTRY_POINT, "fault", "--state-dir", str(state_dir), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_an_anonymous_password_the_node_cannot_decrypt(lab: Lab, node_ops: NodeOps) -> None:
    shared_farm(lab, node_ops)
    node_ops.values(
        op("domain_user_add", name="ShopWeb", secret="pw", enabled=True), host="DC1", secrets={"pw": "Web-Pass-1"}
    )
    anonymous = "system.webServer/security/authentication/anonymousAuthentication"
    node_ops.values(
        op("web_config_set", section=anonymous, location="Shop", attribute="userName", value="WEBFARM\\ShopWeb"),
        op("web_config_set", section=anonymous, location="Shop", attribute="password", secret="pw"),
        secrets={"pw": "Web-Pass-1"},
        become_password=True,
    )
    assert state(lab)["hosts"]["NODE3"]["iis"]["sites"]["Shop"]["anonymous_logon_error"] is None
    lab.change_fault("NODE3", "keys_not_imported")
    sites = state(lab)["hosts"]["NODE3"]["iis"]["sites"]
    assert sites["Shop"]["anonymous_logon_error"].startswith("0x80090005")
    assert state(lab)["hosts"]["NODE1"]["iis"]["sites"]["Shop"]["anonymous_logon_error"] is None
