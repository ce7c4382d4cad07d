"""The decisions of steps 6 and 7: sites, overrides below them, why an anonymous request would
not log on, which COM+ packages synciwam sets and when a resync is needed."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iis_identity import (
    POOLED_PACKAGE_ID,
    ComApplication,
    logon_problem,
    out_of_process_packages,
    overrides_below,
    plan_overrides,
    plan_resync,
    site_path,
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
