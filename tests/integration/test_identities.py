"""KB Q249603 steps 6-7 (roles anonymous_identity and wam_identity, their modules) run by the real
ansible-playbook over WinRM against the lab, after steps 1-5."""

from __future__ import annotations

import secrets

import pytest
from lab_harness import Lab
from iis_lab.state import secret_matches

IUSR = "WEBFARM\\IUSR_web"
IWAM = "WEBFARM\\IWAM_web"
ANONYMOUS_TASK = "webfarm.iis_cluster.anonymous_identity : Make the site's anonymous user the domain IUSR account (KB Q249603 step 6)"
WAM_TASK = (
    "webfarm.iis_cluster.wam_identity : Make IIS's out-of-process identity the domain IWAM account, in the metabase "
    "and COM+ (KB Q249603 step 7)"
)
POOLED = "{3D14228D-FBE1-11D0-995D-00C04FD919C1}"


def _password(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


def _kb_vars(**extra: str) -> dict[str, str]:
    return {
        "iis_cluster_account_base": "web",
        "iis_cluster_iusr_password": _password("Iusr"),
        "iis_cluster_iwam_password": _password("Iwam"),
        **extra,
    }


def _node1(lab: Lab) -> dict:
    return lab.state()["hosts"]["NODE1"]


def _out_of_process(lab: Lab) -> dict:
    """The COM+ server applications that run web applications: the pooled package and the
    isolated application's own."""
    return {app["id"]: app for app in _node1(lab)["complus"]["applications"] if app["name"].startswith("IIS")}


def test_check_then_apply_then_an_idempotent_rerun_that_leaves_com_alone(lab: Lab) -> None:
    kb = _kb_vars()
    before = lab.state()["hosts"]
    check = lab.playbook("identities.yml", "--check", extra_vars=kb)
    assert check.rc == 0, check.output
    assert lab.state()["hosts"] == before
    predicted = check.result(WAM_TASK, "node1")
    assert predicted["resynced"] is True
    assert {app["name"] for app in predicted["applications"]} == {
        "IIS Out-Of-Process Pooled Applications",
        "IIS-{Default Web Site//Root/Shop}",
    }
    assert check.result(ANONYMOUS_TASK, "node1")["after"]["AnonymousUserName"]["value"] == IUSR
    assert check.status(ANONYMOUS_TASK, "node2") == "skipped"

    run = lab.playbook("identities.yml", extra_vars=kb)
    assert run.rc == 0, run.output
    assert run.changed() == check.changed()
    site = _node1(lab)["metabase"]["/LM/W3SVC/1"]["properties"]
    assert site["AnonymousUserName"]["value"] == IUSR and site["AnonymousPasswordSync"]["value"] is False
    assert secret_matches(site["AnonymousUserPass"]["digest"], kb["iis_cluster_iusr_password"])
    w3svc = _node1(lab)["metabase"]["/LM/W3SVC"]["properties"]
    assert w3svc["WAMUserName"]["value"] == IWAM
    assert secret_matches(w3svc["WAMUserPass"]["digest"], kb["iis_cluster_iwam_password"])
    assert run.result(ANONYMOUS_TASK, "node1")["anonymous_logon"] == {
        "account": IUSR, "logon_method": 0, "works": True, "problem": None
    }
    for app in _out_of_process(lab).values():
        assert (app["identity"], app["logon_error"]) == (IWAM, None)
        assert secret_matches(app["password_digest"], kb["iis_cluster_iwam_password"])
    # NODE2 is a copy target (step 8): its own identities are untouched.
    assert lab.state()["hosts"]["NODE2"]["metabase"]["/LM/W3SVC"]["properties"]["WAMUserName"]["value"] == "IWAM_NODE2"

    complus = _node1(lab)["complus"]
    again = lab.playbook("identities.yml", extra_vars=kb)
    assert again.rc == 0, again.output
    assert again.changed() == {"node1": 0, "node2": 0}
    assert again.result(WAM_TASK, "node1")["resynced"] is False
    assert _node1(lab)["complus"] == complus


def test_an_override_below_the_site_is_reported_then_removed(lab: Lab) -> None:
    shop = {"target": "node1", "path": "W3SVC/1/ROOT/Shop", "property": "AnonymousUserName", "value": "NODE1\\IUSR_NODE1"}
    assert lab.playbook("property.yml", extra_vars=shop).rc == 0
    kb = _kb_vars()

    reported = lab.playbook("identities.yml", extra_vars=kb)
    assert reported.rc == 0, reported.output
    result = reported.result(ANONYMOUS_TASK, "node1")
    assert result["overrides"] == [{"path": "W3SVC/1/ROOT/Shop", "properties": ["AnonymousUserName"]}]
    assert result["overrides_removed"] is False
    assert _node1(lab)["anonymous_logons"]["/LM/W3SVC/1/ROOT/Shop"]["user"] == "NODE1\\IUSR_NODE1"

    fixed = lab.playbook("identities.yml", extra_vars={**kb, "anonymous_identity_overrides": "inherit"})
    assert fixed.rc == 0, fixed.output
    assert fixed.result(ANONYMOUS_TASK, "node1")["overrides_removed"] is True
    assert "AnonymousUserName" not in _node1(lab)["metabase"]["/LM/W3SVC/1/ROOT/Shop"]["properties"]
    assert _node1(lab)["anonymous_logons"]["/LM/W3SVC/1/ROOT/Shop"] == {"user": IUSR, "logs_on": True, "why_not": None}
    rerun = lab.playbook("identities.yml", extra_vars={**kb, "anonymous_identity_overrides": "inherit"})
    assert rerun.result(ANONYMOUS_TASK, "node1")["overrides"] == []


def test_a_password_rotation_converges_in_one_run(lab: Lab) -> None:
    kb = _kb_vars()
    assert lab.playbook("identities.yml", extra_vars=kb).rc == 0
    rotated = {**kb, "iis_cluster_iusr_password": _password("Iusr"), "iis_cluster_iwam_password": _password("Iwam")}

    run = lab.playbook("identities.yml", extra_vars=rotated)
    assert run.rc == 0, run.output
    assert run.result(WAM_TASK, "node1")["resynced"] is True
    accounts = lab.state()["domain"]["accounts"]
    assert secret_matches(accounts[IUSR]["password_digest"], rotated["iis_cluster_iusr_password"])
    assert secret_matches(accounts[IWAM]["password_digest"], rotated["iis_cluster_iwam_password"])
    assert _node1(lab)["anonymous_logons"]["/LM/W3SVC/1/ROOT"] == {"user": IUSR, "logs_on": True, "why_not": None}
    for app in _out_of_process(lab).values():
        assert app["logon_error"] is None
        assert secret_matches(app["password_digest"], rotated["iis_cluster_iwam_password"])

    assert lab.playbook("identities.yml", extra_vars=rotated).changed() == {"node1": 0, "node2": 0}


def _set_up_accounts(lab: Lab) -> dict[str, str]:
    kb = _kb_vars()
    assert lab.playbook("accounts.yml", extra_vars=kb).rc == 0
    return kb


@pytest.mark.parametrize(
    ("case", "problem"),
    [
        ("no such account", "the account WEBFARM\\Nobody does not exist"),
        ("wrong password", "the password is wrong: AnonymousUserPass does not log WEBFARM\\IUSR_web on"),
        ("right missing", 'WEBFARM\\IUSR_web does not hold "Log on as a batch job" (SeBatchLogonRight), which LogonMethod 1 needs'),
    ],
)
def test_a_run_that_leaves_the_anonymous_user_unusable_fails_saying_why(lab: Lab, case: str, problem: str) -> None:
    kb = _kb_vars()
    assert lab.playbook("accounts.yml", extra_vars=kb).rc == 0
    user, password = IUSR, kb["iis_cluster_iusr_password"]
    if case == "no such account":
        user = "WEBFARM\\Nobody"
    elif case == "wrong password":
        password = _password("Wrong")
    else:
        batch = {"target": "node1", "path": "W3SVC/1", "property": "LogonMethod", "value": 1}
        assert lab.playbook("property.yml", extra_vars=batch).rc == 0

    run = lab.playbook("anonymous_identity.yml", extra_vars={"user": user, "password": password})
    assert run.rc != 0
    result = run.result("Anonymous", "node1")
    assert result["msg"] == f"anonymous requests to /LM/W3SVC/1 on node1 would not log on: {result['anonymous_logon']['problem']}"
    assert result["anonymous_logon"]["problem"].startswith(problem)
    assert _node1(lab)["anonymous_logons"]["/LM/W3SVC/1/ROOT"]["logs_on"] is False


def test_the_site_can_be_named_by_its_server_comment(lab: Lab) -> None:
    kb = _set_up_accounts(lab)
    run = lab.playbook(
        "anonymous_identity.yml",
        extra_vars={"site": "Default Web Site", "user": IUSR, "password": kb["iis_cluster_iusr_password"]},
    )
    assert run.rc == 0, run.output
    assert run.result("Anonymous", "node1")["path"] == "W3SVC/1"
    unknown = lab.playbook("anonymous_identity.yml", extra_vars={"site": "Shop", "user": IUSR, "password": "x"})
    assert unknown.result("Anonymous", "node1")["msg"].startswith(
        "site: no site of W3SVC has the ServerComment 'Shop'; its sites are 'Default Web Site' (W3SVC/1)"
    )


def test_no_secret_in_output_at_vvvv_in_state_or_in_process_records(lab: Lab) -> None:
    kb = _kb_vars()
    rotated = {**kb, "iis_cluster_iusr_password": _password("Iusr"), "iis_cluster_iwam_password": _password("Iwam")}
    runs = [
        lab.playbook("identities.yml", "-vvvv", "--diff", "--check", extra_vars=kb),
        lab.playbook("identities.yml", "-vvvv", "--diff", extra_vars=kb),
        lab.playbook("identities.yml", "-vvvv", "--diff", extra_vars=rotated),
        lab.playbook("anonymous_identity.yml", "-vvvv", "--diff", extra_vars={"user": IUSR, "password": kb["iis_cluster_iusr_password"]}),
    ]
    assert [run.rc for run in runs[:3]] == [0, 0, 0]
    assert runs[3].rc != 0  # the old password no longer logs the account on
    assert "+/LM/W3SVC/WAMUserPass: (secret) (changed)" in runs[2].output
    for password in {*kb.values(), *rotated.values()} - {"web"}:
        lab.assert_never_exposed(password, runs)
