"""The decisions of steps 6 and 7: sites, overrides below them, why an anonymous request would
not log on, why a password given is refused, which COM+ packages synciwam sets, when a resync is
needed and what does not work on a node."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iis_identity import (
    POOLED_PACKAGE_ID,
    ComApplication,
    apphost_sites,
    application_problem,
    failing_key_problem,
    function_problems,
    logon_problem,
    own_accounts_authority,
    out_of_process_packages,
    overrides_below,
    plan_overrides,
    plan_resync,
    proof_problem,
    site_path,
    stale_overrides,
)

SITES = [{"path": "W3SVC/1", "server_comment": "Default Web Site"}, {"path": "W3SVC/3", "server_comment": "Shop"}]
SHOP_PACKAGE = "{11111111-2222-3333-4444-555555555555}"
IWAM = "WEBFARM\\IWAM_web"


def test_a_site_by_number_or_by_server_comment():
    assert site_path("W3SVC", "3", None) == "W3SVC/3"
    assert site_path("MSFTPSVC", "01", None) == "MSFTPSVC/1"
    assert site_path("W3SVC", "Shop", SITES) == "W3SVC/3"
    with pytest.raises(InvalidInput, match=r"^site: no site of W3SVC has the ServerComment 'shop'; its sites are 'Default"):
        site_path("W3SVC", "shop", SITES)


def test_overrides_are_the_keys_strictly_below_that_set_a_property():
    data_paths = {
        "AnonymousUserName": ["W3SVC", "W3SVC/1", "W3SVC/1/ROOT/Shop", "W3SVC/10/ROOT"],
        "AnonymousUserPass": ["W3SVC/1", "W3SVC/1/ROOT/Shop"],
        "AnonymousPasswordSync": ["W3SVC/1/ROOT/Shop/cart.asp"],
    }
    assert overrides_below("W3SVC/1", data_paths) == {
        "W3SVC/1/ROOT/Shop": ["AnonymousUserName", "AnonymousUserPass"],
        "W3SVC/1/ROOT/Shop/cart.asp": ["AnonymousPasswordSync"],
    }


def test_overrides_are_cleared_only_when_asked():
    overrides = {"W3SVC/1/ROOT/Shop": ["AnonymousUserName", "AnonymousUserPass"]}
    assert plan_overrides(overrides, "report") == []
    changes = plan_overrides(overrides, "inherit")
    assert [change.instructions[0].args for change in changes] == [
        {"path": "W3SVC/1/ROOT/Shop", "property": "AnonymousUserName"},
        {"path": "W3SVC/1/ROOT/Shop", "property": "AnonymousUserPass"},
    ]
    assert [change.secret for change in changes] == [False, True]


def _check(**changes):
    check = {"user": "WEBFARM\\IUSR_web", "password_sync": False, "exists": True, "logon_method": 0, "logon_error": None}
    return {**check, **changes}


@pytest.mark.parametrize(
    ("check", "problem"),
    [
        (_check(), None),
        (_check(exists=False, logon_error={"code": 1326}), "the account WEBFARM\\IUSR_web does not exist"),
        (_check(logon_error={"code": 1326}), "the password is wrong"),
        (_check(logon_error={"code": 1331}), "the account WEBFARM\\IUSR_web is disabled"),
        (_check(logon_error={"code": 1385}), 'WEBFARM\\IUSR_web does not hold "Log on locally" (SeInteractiveLogonRight), which LogonMethod 0'),
        (_check(logon_method=3, logon_error={"code": 1385}), 'does not hold "Access this computer from the network"'),
        (_check(password_sync=True), "AnonymousPasswordSync is True"),
    ],
)
def test_the_reason_an_anonymous_logon_fails(check, problem):
    found = logon_problem(check)
    assert found is None if problem is None else problem in found


def test_synciwam_sets_the_pooled_package_and_each_isolated_applications_own():
    applications = [
        {"path": "W3SVC/1/ROOT", "app_isolated": 2, "app_package_id": None},
        {"path": "W3SVC/1/ROOT/Shop", "app_isolated": 1, "app_package_id": SHOP_PACKAGE},
        {"path": "W3SVC/1/ROOT/Old", "app_isolated": 0, "app_package_id": "{99999999-0000-0000-0000-000000000000}"},
        {"path": "W3SVC/1/ROOT/Shop2", "app_isolated": 1, "app_package_id": SHOP_PACKAGE.lower()},
    ]
    assert out_of_process_packages(applications) == [POOLED_PACKAGE_ID, SHOP_PACKAGE]


CATALOG = [ComApplication(POOLED_PACKAGE_ID, "IIS Out-Of-Process Pooled Applications", IWAM), ComApplication(SHOP_PACKAGE, "IIS-{Shop}", IWAM.lower())]


def test_no_resync_when_the_metabase_is_unchanged_and_every_identity_is_the_account():
    assert plan_resync(False, [POOLED_PACKAGE_ID, SHOP_PACKAGE], CATALOG, IWAM, "value") == ([], [])


def test_a_changed_metabase_resyncs_every_application():
    changes, missing = plan_resync(True, [POOLED_PACKAGE_ID, SHOP_PACKAGE], CATALOG, IWAM, "value")
    assert [change.instructions[0].args["id"] for change in changes] == [POOLED_PACKAGE_ID, SHOP_PACKAGE]
    assert changes[0].instructions[0].args == {"id": POOLED_PACKAGE_ID, "identity": IWAM, "secret": "value"}
    assert missing == []


def test_one_application_with_another_identity_resyncs_them_all_and_missing_packages_are_named():
    catalog = [CATALOG[0], ComApplication(SHOP_PACKAGE, "IIS-{Shop}", "IWAM_NODE1")]
    absent = "{AAAAAAAA-0000-0000-0000-000000000000}"
    changes, missing = plan_resync(False, [POOLED_PACKAGE_ID, SHOP_PACKAGE, absent], catalog, IWAM, "value")
    assert len(changes) == 2 and missing == [absent]


def test_an_application_that_does_not_start_resyncs_them_all_though_names_agree():
    changes, _ = plan_resync(False, [POOLED_PACKAGE_ID, SHOP_PACKAGE], CATALOG, IWAM, "value", [SHOP_PACKAGE.lower()])
    assert [change.instructions[0].args["id"] for change in changes] == [POOLED_PACKAGE_ID, SHOP_PACKAGE]


def test_a_failing_application_outside_the_packages_does_not_resync():
    absent = "{AAAAAAAA-0000-0000-0000-000000000000}"
    assert plan_resync(False, [POOLED_PACKAGE_ID], CATALOG, IWAM, "value", [absent]) == ([], [])


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        (1326, "the password is wrong: the password given does not log WEBFARM\\IWAM_web on (1326"),
        (1331, "the account WEBFARM\\IWAM_web is disabled (1331): enable it"),
        (
            1385,
            'WEBFARM\\IWAM_web does not hold "Log on as a batch job" (SeBatchLogonRight), which a COM+ logon needs '
            "(1385): grant it (webfarm.iis_cluster.user_right)",
        ),
    ],
)
def test_a_refused_proof_names_the_cause_and_the_remedy(code, problem):
    found = proof_problem(IWAM, {"code": code, "message": ""}, "batch", "a COM+ logon")
    assert found is not None and found.startswith(problem)
    assert proof_problem(IWAM, None, "batch", "a COM+ logon") is None


def test_password_sync_works_for_the_nodes_own_account_only():
    own = _check(user="IUSR_NODE1", account="NODE1\\IUSR_NODE1", password_sync=True, logon_error={"code": 1326})
    assert logon_problem(own, "NODE1") is None
    assert logon_problem(own, "NODE2").startswith("AnonymousPasswordSync is True")
    assert logon_problem({**own, "logon_error": {"code": 1331}}, "node1") == "the account IUSR_NODE1 is disabled (1331): enable it"


def test_a_domain_controller_syncs_the_password_of_its_domains_accounts():
    dc_account = _check(user="IUSR_NODE1", account="WEBFARM\\IUSR_NODE1", password_sync=True, logon_error=None)
    controller = {"name": "NODE1", "domain": "WEBFARM", "domain_role": 5}
    member = {"name": "NODE1", "domain": "WEBFARM", "domain_role": 3}
    assert own_accounts_authority(controller) == "WEBFARM"
    assert own_accounts_authority(member) == "NODE1"
    assert logon_problem(dc_account, own_accounts_authority(controller)) is None
    assert logon_problem(dc_account, own_accounts_authority(member)).startswith("AnonymousPasswordSync is True")


def _application(error=None, identity=IWAM):
    return {"id": SHOP_PACKAGE, "name": "IIS-{Shop}", "identity": identity, "start_error": error}


def test_why_an_application_does_not_start():
    assert application_problem(_application()) is None
    assert application_problem(_application({"code": 0x8000401A, "message": ""})).startswith(
        f"COM+ cannot log {IWAM} on with the password it holds for 'IIS-{{Shop}}' (CO_E_RUNAS_LOGON_FAILURE)"
    )
    assert application_problem(_application({"code": 0x80070569, "message": ""})).startswith(
        f'{IWAM} does not hold "Log on as a batch job" (SeBatchLogonRight), which COM+ needs to start'
    )


def _anonymous(*failing: dict, passing: int = 0) -> dict:
    """``iis_identities_check``'s ``anonymous``: a domain identity that works, a local one with
    password sync that does not (on NODE2), and the keys given as ``failing``."""
    identities = [
        {**_check(), "works": True, "keys": 1, "at": ["W3SVC/1/ROOT"]},
        {**_check(user="IUSR_NODE1", account="NODE1\\IUSR_NODE1", password_sync=True), "works": False, "keys": 1, "at": ["MSFTPSVC/1"]},
    ]
    return {"identities": identities, "failing": list(failing), "passing": passing}


def test_what_does_not_work_on_a_node():
    report = {
        "wam_user": IWAM,
        "anonymous": _anonymous(passing=2),
        "applications": [_application(), _application(identity="IWAM_NODE2")],
    }
    assert function_problems(report, "NODE1") == [
        "COM+ application 'IIS-{Shop}' runs as IWAM_NODE2, not as WAMUserName WEBFARM\\IWAM_web: set it "
        "(webfarm.iis_cluster.wam_identity on this node)"
    ]
    report["anonymous"] = _anonymous({"path": "MSFTPSVC/1", "user": "IUSR_NODE1", "identity": 1}, passing=1)
    problems = function_problems(report, "NODE2")
    assert len(problems) == 2
    assert problems[0].startswith("anonymous requests to /LM/MSFTPSVC/1 do not log on: AnonymousPasswordSync is True")


def test_every_failing_key_is_named_with_its_identitys_reason_and_remedy():
    wrong = {**_check(logon_error={"code": 1326}), "works": False, "keys": 2, "at": ["W3SVC/1/ROOT/A", "W3SVC/2/ROOT"]}
    report = {
        "wam_user": IWAM,
        "anonymous": {
            "identities": [wrong],
            "failing": [
                {"path": "W3SVC/1/ROOT/A", "user": "WEBFARM\\iusr_web", "identity": 0},
                {"path": "W3SVC/2/ROOT", "user": "WEBFARM\\IUSR_web", "identity": 0},
            ],
            "passing": 40,
        },
        "applications": [],
    }
    assert function_problems(report, "NODE1") == [
        "anonymous requests to /LM/W3SVC/1/ROOT/A do not log on: the password is wrong: AnonymousUserPass does not "
        "log WEBFARM\\iusr_web on (1326, or no such account); give the account's current password",
        "anonymous requests to /LM/W3SVC/2/ROOT do not log on: the password is wrong: AnonymousUserPass does not "
        "log WEBFARM\\IUSR_web on (1326, or no such account); give the account's current password",
    ]


def test_a_key_the_node_found_failing_is_explained_without_the_nodes_facts():
    # A domain controller syncs its domain's accounts; the controller, without its facts, takes
    # the computer's name for its authority and tells what password sync needs.
    disabled = {**_check(account="WEBFARM\\IUSR_web", password_sync=True, logon_error={"code": 1331}), "works": False}
    assert failing_key_problem(disabled, "WEBFARM") == "the account WEBFARM\\IUSR_web is disabled (1331): enable it"
    assert failing_key_problem(disabled, "DC1").startswith("AnonymousPasswordSync is True")


def test_stale_overrides_are_the_overriding_keys_that_do_not_log_on():
    checks = [{**_check(), "path": "W3SVC/1/ROOT/A"}, {**_check(logon_error={"code": 1326}), "path": "W3SVC/1/ROOT/B"}]
    [stale] = stale_overrides(checks)
    assert (stale["path"], stale["user"]) == ("W3SVC/1/ROOT/B", "WEBFARM\\IUSR_web")
    assert stale["problem"].startswith("the password is wrong: AnonymousUserPass does not log")


def test_iis_7_sites_are_named_as_the_metabase_compatibility_names_them():
    shop = [{"path": "/", "pool": "Shop"}, {"path": "/checkout", "pool": "Shop"}]
    listed = [
        {"name": "Default Web Site", "id": 1, "state": "Started", "applications": []},
        {"name": "Shop", "id": 3, "state": "Stopped", "applications": shop},
    ]
    sites = apphost_sites("W3SVC", listed)
    assert sites == [
        {"path": "W3SVC/1", "server_comment": "Default Web Site", "applications": []},
        {"path": "W3SVC/3", "server_comment": "Shop", "applications": shop},
    ]
    assert site_path("W3SVC", "Shop", sites) == "W3SVC/3"
