"""The IIS identity ops: metabase searches, anonymous logons and the COM+ catalog."""

from __future__ import annotations

import typing as t

import pytest

from iis_lab.lab import Lab

if t.TYPE_CHECKING:
    from conftest import NodeOps

POOLED = "{3D14228D-FBE1-11D0-995D-00C04FD919C1}"


def op(op_name: str, **args: t.Any) -> dict[str, t.Any]:
    return {"op": op_name, "args": args}


def failure(result: dict[str, t.Any]) -> dict[str, t.Any]:
    [entry] = [entry for entry in result["results"] if entry["status"] == "failed"]
    return entry["error"]


def test_default_nodes_have_an_isolated_and_a_pooled_application(node_ops: NodeOps, lab: Lab) -> None:
    applications = node_ops.value(op("metabase_applications_get", path="W3SVC"))
    by_path = {app["path"]: app for app in applications}
    assert {path: app["app_isolated"] for path, app in by_path.items()} == {
        "W3SVC/1/ROOT": 2,
        "W3SVC/1/ROOT/Shop": 1,
        "W3SVC/1/ROOT/Catalog": 2,
    }
    shop_package = by_path["W3SVC/1/ROOT/Shop"]["app_package_id"]
    catalog = {app["id"]: app for app in node_ops.value(op("complus_catalog"))["applications"]}
    shop = catalog[shop_package]
    assert (shop["name"], shop["system"], shop["server"], shop["identity"]) == (
        "IIS-{Default Web Site//Root/Shop}",
        False,
        True,
        "IWAM_NODE1",
    )
    assert (catalog[POOLED]["name"], catalog[POOLED]["identity"]) == ("IIS Out-Of-Process Pooled Applications", "IWAM_NODE1")


def test_data_paths_find_the_keys_that_set_a_property_themselves(node_ops: NodeOps) -> None:
    node_ops.values(op("metabase_set", path="W3SVC/1/ROOT/Shop", property="AnonymousUserName", value="X"))
    assert node_ops.value(op("metabase_data_paths", path="W3SVC", property="anonymoususername")) == [
        "W3SVC",
        "W3SVC/1/ROOT/Shop",
    ]
    assert node_ops.value(op("metabase_data_paths", path="W3SVC/1", property="LogonMethod")) == []
    assert node_ops.value(op("metabase_sites_get", service="MSFTPSVC")) == [
        {"path": "MSFTPSVC/1", "server_comment": "Default FTP Site"}
    ]


def test_the_default_anonymous_user_logs_on_through_password_sync(node_ops: NodeOps) -> None:
    check = node_ops.value(op("anonymous_logon_check", path="W3SVC/1/ROOT"))
    assert check == {
        "path": "W3SVC/1/ROOT",
        "user": "IUSR_NODE1",
        "account": "NODE1\\IUSR_NODE1",
        "password_sync": True,
        "logon_method": 0,
        "exists": True,
        "logon_error": None,
    }


@pytest.mark.parametrize(
    ("instructions", "code"),
    [
        ([op("metabase_set", path="W3SVC/1", property="AnonymousUserName", value="WEBFARM\\Nobody")], 1326),
        ([op("metabase_set", path="W3SVC/1", property="AnonymousUserPass", secret="wrong")], 1326),
        ([op("metabase_set", path="W3SVC/1", property="LogonMethod", value=1)], None),  # IUSR_ holds batch from setup
        ([op("user_right_grant", right="SeInteractiveLogonRight", sid="S-1-5-21-0-0-0-1")], None),
    ],
)
def test_logon_errors_follow_logonuser(node_ops: NodeOps, instructions, code) -> None:
    node_ops.values(*instructions, op("metabase_set", path="W3SVC/1", property="AnonymousPasswordSync", value=False), secrets={"wrong": "x"})
    error = node_ops.value(op("anonymous_logon_check", path="W3SVC/1/ROOT"))["logon_error"]
    assert (error and error["code"]) == code


def test_a_logon_without_the_right_fails_with_logon_type_not_granted(node_ops: NodeOps, lab: Lab) -> None:
    node1 = lab.hosts[1]
    node1.rights["SeBatchLogonRight"] = []
    node_ops.values(
        op("metabase_set", path="W3SVC/1", property="AnonymousPasswordSync", value=False),
        op("metabase_set", path="W3SVC/1", property="LogonMethod", value=1),
    )
    error = node_ops.value(op("anonymous_logon_check", path="W3SVC/1"))["logon_error"]
    assert error["code"] == 1385


def test_setting_a_com_identity_checks_the_password_and_grants_batch_logon(node_ops: NodeOps, lab: Lab) -> None:
    node_ops.values(
        op("domain_user_add", name="IWAM_web", secret="pw", enabled=True), host="DC1", secrets={"pw": "Iwam-Pass-1"}
    )
    set_identity = op("comadmin_application_set_identity", id=POOLED.lower(), identity="WEBFARM\\IWAM_web", secret="pw")
    assert failure(node_ops(set_identity, secrets={"pw": "Wrong-Pass-1"}))["code"] == 0x80110414
    node_ops.values(set_identity, secrets={"pw": "Iwam-Pass-1"})
    catalog = {app["id"]: app for app in node_ops.value(op("complus_catalog"))["applications"]}
    assert catalog[POOLED]["identity"] == "WEBFARM\\IWAM_web"
    sid = lab.domain.accounts.find("IWAM_web").sid
    assert sid in lab.hosts[1].rights["SeBatchLogonRight"]
    missing = op("comadmin_application_set_identity", id="{00000000-0000-0000-0000-000000000000}", identity="x", secret="pw")
    assert failure(node_ops(missing, secrets={"pw": "x"}))["code"] == 0x80110809


def _add_iwam(node_ops: NodeOps) -> None:
    node_ops.values(
        op("domain_user_add", name="IWAM_web", secret="pw", enabled=True), host="DC1", secrets={"pw": "Iwam-Pass-1"}
    )


@pytest.mark.parametrize(
    ("password", "logon_type", "code"),
    [
        ("Iwam-Pass-1", "network", None),
        ("Wrong-Pass-1", "network", 1326),
        ("Iwam-Pass-1", "batch", 1385),
        ("Iwam-Pass-1", "network_cleartext", None),
        ("Wrong-Pass-1", "network_cleartext", 1326),
        ("Iwam-Pass-1", "service", 1385),
    ],
)
def test_an_account_and_password_are_proven_with_a_logon_type(node_ops: NodeOps, password, logon_type, code) -> None:
    _add_iwam(node_ops)
    check = op("account_logon_check", name="WEBFARM\\IWAM_web", secret="pw", logon_type=logon_type)
    error = node_ops.value(check, secrets={"pw": password})
    assert (error and error["code"]) == code
    assert failure(node_ops(op("account_logon_check", name="x", secret="pw", logon_type="unlock"), secrets={"pw": "x"}))[
        "code"
    ] == 0x80070057


def test_an_anonymous_logon_is_proven_for_a_candidate_before_it_is_stored(node_ops: NodeOps, lab: Lab) -> None:
    node_ops.values(
        op("domain_user_add", name="IUSR_web", secret="pw", enabled=True), host="DC1", secrets={"pw": "Iusr-Pass-1"}
    )
    before = node_ops.value(op("anonymous_logon_check", path="W3SVC/1/ROOT"))
    candidate = op("anonymous_logon_check", path="W3SVC/1/ROOT", user="WEBFARM\\IUSR_web", secret="pw")
    # Domain Users are in the node's Users, which holds "Log on locally" (LogonMethod 0).
    proven = node_ops.value(candidate, secrets={"pw": "Iusr-Pass-1"})
    assert (proven["user"], proven["password_sync"], proven["logon_error"]) == ("WEBFARM\\IUSR_web", False, None)
    assert node_ops.value(candidate, secrets={"pw": "Wrong-Pass-1"})["logon_error"]["code"] == 1326
    assert node_ops.value(op("anonymous_logon_check", path="W3SVC/1/ROOT")) == before
    half = op("anonymous_logon_check", path="W3SVC/1/ROOT", user="WEBFARM\\IUSR_web")
    assert failure(node_ops(half))["code"] == 0x80070057


def test_identities_check_covers_every_request_key_and_out_of_process_package(node_ops: NodeOps) -> None:
    report = node_ops.value(op("iis_identities_check"))
    assert report["wam_user"] == "IWAM_NODE1"
    assert [check["path"] for check in report["anonymous"]] == [
        "W3SVC/1/ROOT",
        "W3SVC/1/ROOT/IISHelp",
        "W3SVC/1/ROOT/Shop",
        "W3SVC/1/ROOT/Catalog",
        "MSFTPSVC/1",
    ]
    assert [(app["name"], app["identity"], app["start_error"]) for app in report["applications"]] == [
        ("IIS Out-Of-Process Pooled Applications", "IWAM_NODE1", None),
        ("IIS-{Default Web Site//Root/Shop}", "IWAM_NODE1", None),
    ]


def test_an_application_whose_identity_lacks_batch_logon_does_not_start(node_ops: NodeOps, lab: Lab) -> None:
    _add_iwam(node_ops)
    set_identity = op("comadmin_application_set_identity", id=POOLED, identity="WEBFARM\\IWAM_web", secret="pw")
    node_ops.values(set_identity, secrets={"pw": "Iwam-Pass-1"})
    lab.hosts[1].rights["SeBatchLogonRight"].remove(lab.domain.accounts.find("IWAM_web").sid)
    [pooled, _] = node_ops.value(op("iis_identities_check"))["applications"]
    assert pooled["start_error"] == {
        "code": 0x80070569,
        "message": "Logon failure: the user has not been granted the requested logon type at this computer.",
    }


def test_an_application_whose_stored_password_is_old_does_not_start(node_ops: NodeOps, lab: Lab) -> None:
    _add_iwam(node_ops)
    node_ops.values(
        op("comadmin_application_set_identity", id=POOLED, identity="WEBFARM\\IWAM_web", secret="pw"),
        secrets={"pw": "Iwam-Pass-1"},
    )
    node_ops.values(op("domain_user_set_password", name="IWAM_web", secret="pw"), host="DC1", secrets={"pw": "Iwam-Pass-2"})
    [pooled, _] = node_ops.value(op("iis_identities_check"))["applications"]
    assert pooled["start_error"]["code"] == 0x8000401A
