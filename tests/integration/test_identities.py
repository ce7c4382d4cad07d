"""KB Q249603 steps 6-7 (roles anonymous_identity and wam_identity, their modules) run by the real
ansible-playbook over WinRM against the lab, after steps 1-5."""

from __future__ import annotations

import secrets

import pytest
from lab_harness import Lab
from iis_lab.state import secret_matches

IUSR = "WEBFARM\\IUSR_web"
IWAM = "WEBFARM\\IWAM_web"
ANONYMOUS_TASK = "webfarm.iis_cluster.anonymous_identity : Make the web and FTP sites' anonymous user the domain IUSR account (KB Q249603 step 6)"
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
    assert check.result(ANONYMOUS_TASK, "node1")["sites"][0]["after"]["AnonymousUserName"]["value"] == IUSR
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
    assert run.result(ANONYMOUS_TASK, "node1")["sites"][0]["anonymous_logon"] == {
        "account": IUSR, "logon_method": 0, "works": True, "problem": None
    }
    for app in _out_of_process(lab).values():
        assert (app["identity"], app["logon_error"]) == (IWAM, None)
        assert secret_matches(app["password_digest"], kb["iis_cluster_iwam_password"])
    # Step 7 runs on every node: step 8's COM+ replication leaves the target's pooled package alone.
    node2 = lab.state()["hosts"]["NODE2"]
    assert node2["metabase"]["/LM/W3SVC"]["properties"]["WAMUserName"]["value"] == IWAM
    pooled = next(app for app in node2["complus"]["applications"] if app["id"] == POOLED)
    assert (pooled["identity"], pooled["logon_error"]) == (IWAM, None)
    # The FTP site, which step 8 copies too, has the domain IUSR; step 6 leaves node2's own alone.
    assert _node1(lab)["anonymous_logons"]["/LM/MSFTPSVC/1"] == {"user": IUSR, "logs_on": True, "why_not": None}
    assert node2["anonymous_logons"]["/LM/W3SVC/1/ROOT"]["user"] == "IUSR_NODE2"
    lab.assert_healthy()

    complus = _node1(lab)["complus"]
    again = lab.playbook("identities.yml", extra_vars=kb)
    assert again.rc == 0, again.output
    assert again.changed() == {"node1": 0, "node2": 0}
    assert again.result(WAM_TASK, "node1")["resynced"] is False
    assert _node1(lab)["complus"] == complus
    lab.assert_healthy()


def test_an_override_below_the_site_is_reported_then_removed(lab: Lab) -> None:
    shop = {"target": "node1", "path": "W3SVC/1/ROOT/Shop", "property": "AnonymousUserName", "value": "NODE1\\IUSR_NODE1"}
    assert lab.playbook("property.yml", extra_vars=shop).rc == 0
    kb = _kb_vars()

    reported = lab.playbook("identities.yml", extra_vars=kb, leaves_broken="the default mode reports the override only")
    assert reported.rc == 0, reported.output
    result = reported.result(ANONYMOUS_TASK, "node1")["sites"][0]
    assert result["overrides"] == [{"path": "W3SVC/1/ROOT/Shop", "properties": ["AnonymousUserName"]}]
    assert result["overrides_removed"] is False
    assert _node1(lab)["anonymous_logons"]["/LM/W3SVC/1/ROOT/Shop"]["user"] == "NODE1\\IUSR_NODE1"
    # The override keeps its user but now inherits the site's password and password sync off:
    # it no longer logs on, and the run says so as a warning and a field.
    problem = (
        "the password is wrong: AnonymousUserPass does not log NODE1\\IUSR_NODE1 on (1326, or no such account); "
        "give the account's current password"
    )
    assert result["stale_overrides"] == [{"path": "W3SVC/1/ROOT/Shop", "user": "NODE1\\IUSR_NODE1", "problem": problem}]
    assert result["warnings"] == [
        f"anonymous requests to /LM/W3SVC/1/ROOT/Shop on node1 do not log on: {problem}; that key overrides the "
        "site's anonymous identity: set overrides=inherit to clear it"
    ]
    assert _node1(lab)["anonymous_logons"]["/LM/W3SVC/1/ROOT/Shop"]["logs_on"] is False

    fixed = lab.playbook("identities.yml", extra_vars={**kb, "anonymous_identity_overrides": "inherit"})
    assert fixed.rc == 0, fixed.output
    assert fixed.result(ANONYMOUS_TASK, "node1")["sites"][0]["overrides_removed"] is True
    assert fixed.result(ANONYMOUS_TASK, "node1")["sites"][0]["stale_overrides"] == []
    assert "AnonymousUserName" not in _node1(lab)["metabase"]["/LM/W3SVC/1/ROOT/Shop"]["properties"]
    assert _node1(lab)["anonymous_logons"]["/LM/W3SVC/1/ROOT/Shop"] == {"user": IUSR, "logs_on": True, "why_not": None}
    rerun = lab.playbook("identities.yml", extra_vars={**kb, "anonymous_identity_overrides": "inherit"})
    assert rerun.result(ANONYMOUS_TASK, "node1")["sites"][0]["overrides"] == []


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
    lab.assert_healthy()


def test_a_wam_password_that_does_not_log_on_is_refused_before_anything_is_written(lab: Lab) -> None:
    kb = _kb_vars()
    assert lab.playbook("identities.yml", extra_vars=kb).rc == 0
    before = lab.state()["hosts"]
    # A new IWAM password that AD never got: the account exists, so on_create leaves it alone.
    rotated = {**kb, "iis_cluster_iwam_password": _password("Iwam"), "domain_accounts_update_password": "on_create"}

    run = lab.playbook("identities.yml", extra_vars=rotated)

    assert run.rc != 0
    assert run.result(WAM_TASK, "node1")["msg"] == (
        f"the WAM identity {IWAM} does not log on on node1: the password is wrong: the password given does not log "
        f"{IWAM} on (1326, or no such account); give the account's current password; nothing was changed"
    )
    assert lab.state()["hosts"] == before
    lab.assert_healthy()


def test_applications_whose_stored_password_no_longer_logs_on_are_repaired_though_names_agree(lab: Lab) -> None:
    kb = _kb_vars()
    assert lab.playbook("identities.yml", extra_vars=kb).rc == 0
    # The half-applied state: AD and the metabase hold a new password, COM+ still the old one.
    rotated = {**kb, "iis_cluster_iwam_password": _password("Iwam")}
    assert lab.playbook("accounts.yml", extra_vars=rotated, leaves_broken="steps 1-3 alone rotate AD only").rc == 0
    wam_pass = {"target": "node1", "path": "W3SVC", "property": "WAMUserPass", "secret": rotated["iis_cluster_iwam_password"]}
    assert lab.playbook("property.yml", extra_vars=wam_pass, leaves_broken="the half-applied state under test").rc == 0
    assert all(app["identity"] == IWAM and app["logon_error"] for app in _out_of_process(lab).values())

    run = lab.playbook("identities.yml", extra_vars=rotated)

    assert run.rc == 0, run.output
    result = run.result(WAM_TASK, "node1")
    assert result["resynced"] is True and result["adsutil_commands"] == []
    assert [app["problem"] for app in result["applications"]] == [None, None]
    for app in _out_of_process(lab).values():
        assert app["logon_error"] is None
        assert secret_matches(app["password_digest"], rotated["iis_cluster_iwam_password"])
    lab.assert_healthy()
    assert lab.playbook("identities.yml", extra_vars=rotated).changed() == {"node1": 0, "node2": 0}


def _set_up_accounts(lab: Lab) -> dict[str, str]:
    kb = _kb_vars()
    assert lab.playbook("accounts.yml", extra_vars=kb).rc == 0
    return kb


@pytest.mark.parametrize(
    ("case", "problem"),
    [
        ("no such account", "the account WEBFARM\\Nobody does not exist"),
        ("wrong password", "the password is wrong: the password given does not log WEBFARM\\IUSR_web on (1326"),
        ("right missing", 'WEBFARM\\IUSR_web does not hold "Log on as a batch job" (SeBatchLogonRight), which LogonMethod 1 needs'),
    ],
)
def test_an_anonymous_identity_that_would_not_log_on_is_refused_before_anything_is_written(
    lab: Lab, case: str, problem: str
) -> None:
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

    before = lab.state()["hosts"]
    run = lab.playbook("anonymous_identity.yml", extra_vars={"user": user, "password": password})
    assert run.rc != 0
    result = run.result("Anonymous", "node1")
    assert result["msg"] == (
        f"anonymous requests to /LM/W3SVC/1 on node1 would not log on: {result['anonymous_logon']['problem']}; "
        "nothing was changed"
    )
    assert result["anonymous_logon"]["problem"].startswith(problem)
    # The site still logs on as before: nothing was written.
    assert lab.state()["hosts"] == before
    assert _node1(lab)["anonymous_logons"]["/LM/W3SVC/1/ROOT"]["logs_on"] is True


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
