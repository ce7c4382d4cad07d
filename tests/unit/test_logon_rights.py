"""The right each IIS 7-10 logon needs, and IIS_IUSRS in a pool identity's token."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._logon_rights import (
    IIS_IUSRS,
    LogonNeed,
    anonymous_logon_need,
    logon_grant,
    pool_logon_need,
    rights_needed,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._principals import Principal
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._user_rights import Holder, Token

IWAM = Principal("S-1-5-21-1-1106", "WEBFARM\\IWAM_web", "user")
DOMAIN_USERS = Principal("S-1-5-21-1-513", "WEBFARM\\Domain Users", "group")
EVERYONE = Principal("S-1-1-0", "Everyone", "well_known")
ADMINISTRATORS = Principal("S-1-5-32-544", "BUILTIN\\Administrators", "alias")
TOKEN = Token(IWAM, (DOMAIN_USERS, EVERYONE))
# Windows' default holders of "Log on as a batch job" on an IIS server.
BATCH_HOLDERS = [Holder(ADMINISTRATORS, ()), Holder(IIS_IUSRS, ())]


def _pool(logon_type="LogonBatch", manual=False, identity_type="SpecificUser", user="WEBFARM\\IWAM_web"):
    return {
        "name": "Shop Pool",
        "state": "Started",
        "identity_type": identity_type,
        "user_name": user,
        "logon_type": logon_type,
        "manual_group_membership": manual,
        "password_set": True,
    }


@pytest.mark.parametrize(
    ("logon_type", "right"), [("LogonBatch", "SeBatchLogonRight"), ("LogonService", "SeServiceLogonRight")]
)
def test_a_pools_right_follows_its_logon_type(logon_type, right):
    need = pool_logon_need(_pool(logon_type))
    assert (need.account, need.right, need.pool_identity) == ("WEBFARM\\IWAM_web", right, True)
    assert need.needed_by == f"application pool Shop Pool (logonType {logon_type})"


def test_built_in_pool_identities_need_no_right():
    assert pool_logon_need(_pool(identity_type="ApplicationPoolIdentity", user=None)) is None
    assert pool_logon_need(_pool(identity_type="NetworkService", user="")) is None


@pytest.mark.parametrize(
    ("method", "right", "label"),
    [
        ("ClearText", "SeNetworkLogonRight", "Access this computer from the network"),
        ("Network", "SeNetworkLogonRight", "Access this computer from the network"),
        ("Interactive", "SeInteractiveLogonRight", "Allow log on locally"),
        ("Batch", "SeBatchLogonRight", "Log on as a batch job"),
    ],
)
def test_an_anonymous_users_right_follows_the_logon_method(method, right, label):
    need = anonymous_logon_need("Default Web Site", "WEBFARM\\IUSR_web", method)
    assert (need.right, need.label, need.pool_identity) == (right, label, False)
    assert need.needed_by == f"anonymous requests to Default Web Site (logonMethod {method})"


def test_the_built_in_iusr_and_the_pool_identity_need_no_anonymous_right():
    assert anonymous_logon_need("Default Web Site", "IUSR", "ClearText") is None
    assert anonymous_logon_need("Default Web Site", "NT AUTHORITY\\IUSR", "ClearText") is None
    assert anonymous_logon_need("", "", "ClearText") is None


def test_iis_iusrs_gives_a_pool_identity_the_batch_right_unless_membership_is_manual():
    grant = logon_grant(TOKEN, BATCH_HOLDERS, pool_logon_need(_pool()))
    assert grant is not None and grant.holder == IIS_IUSRS
    assert logon_grant(TOKEN, BATCH_HOLDERS, pool_logon_need(_pool(manual=True))) is None
    # The same account as an anonymous user gets no IIS_IUSRS.
    assert logon_grant(TOKEN, BATCH_HOLDERS, anonymous_logon_need("Shop", "WEBFARM\\IWAM_web", "Batch")) is None
    # IIS_IUSRS does not hold "Log on as a service" by default.
    assert logon_grant(TOKEN, [Holder(ADMINISTRATORS, ())], pool_logon_need(_pool("LogonService"))) is None


def test_needs_are_grouped_by_right_with_each_account_once():
    needs = [
        LogonNeed("WEBFARM\\IWAM_web", "SeBatchLogonRight", "pool A", True),
        LogonNeed("webfarm\\iwam_web", "SeBatchLogonRight", "pool B", True),
        LogonNeed("WEBFARM\\IUSR_web", "SeNetworkLogonRight", "anonymous"),
    ]
    grouped = rights_needed(needs)
    assert [need.needed_by for need in grouped["SeBatchLogonRight"]] == ["pool A"]
    assert [need.account for need in grouped["SeNetworkLogonRight"]] == ["WEBFARM\\IUSR_web"]
    # A pool without IIS_IUSRS decides for the account.
    manual = LogonNeed("WEBFARM\\IWAM_web", "SeBatchLogonRight", "pool C", False)
    assert [need.needed_by for need in rights_needed([*needs, manual])["SeBatchLogonRight"]] == ["pool C"]
