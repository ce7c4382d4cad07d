"""The IIS account names, decided once for every role."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._kb_accounts import kb_account_names
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput

MEMBER = {"name": "NODE1", "domain": "WEBFARM", "is_domain_controller": False}
CONTROLLER = {**MEMBER, "is_domain_controller": True}


def test_names_come_from_the_base_or_are_given():
    names = kb_account_names(MEMBER, "web")
    assert (names["iusr_qualified"], names["iwam_qualified"], names["from_iis_setup"]) == (
        "WEBFARM\\IUSR_web",
        "WEBFARM\\IWAM_web",
        False,
    )
    assert kb_account_names(MEMBER, "web", iusr_name="WebAnon")["iusr"] == "WebAnon"


def test_clustered_domain_controllers_reuse_the_accounts_iis_setup_made():
    names = kb_account_names(CONTROLLER)
    assert (names["iusr"], names["iwam"], names["from_iis_setup"]) == ("IUSR_NODE1", "IWAM_NODE1", True)


def test_a_blank_base_or_name_counts_as_not_given():
    names = kb_account_names(CONTROLLER, "", iusr_name="", iwam_name="")
    assert (names["iusr"], names["iwam"], names["from_iis_setup"]) == ("IUSR_NODE1", "IWAM_NODE1", True)
    with pytest.raises(InvalidInput, match="^iis_cluster_account_base: give the base name"):
        kb_account_names(MEMBER, "")


def test_member_servers_need_a_base_or_names():
    with pytest.raises(InvalidInput, match="^iis_cluster_account_base: give the base name"):
        kb_account_names(MEMBER)


def test_a_base_too_long_for_a_logon_name_is_refused():
    with pytest.raises(InvalidInput, match="^iis_cluster_account_base: 'IUSR_0123456789abcdef' has 21 characters"):
        kb_account_names(MEMBER, "0123456789abcdef")


@pytest.mark.parametrize(
    ("base", "iusr", "iwam", "message"),
    [
        (None, "EVILCORP\\IUSR_x", "IWAM_x", "^iis_cluster_iusr_name: 'EVILCORP\\\\\\\\IUSR_x' names the domain 'EVILCORP', but the cluster's nodes are in WEBFARM"),
        ("web", None, "evil.example\\IWAM_x", "^iis_cluster_iwam_name: .* names the domain 'evil.example'"),
        ("web", "IUSR_x@evil.example", None, "^iis_cluster_iusr_name: .* names the domain 'evil.example'"),
        ("x\\y", None, None, "^iis_cluster_account_base: 'x\\\\\\\\y' contains '\\\\\\\\'; an account name may not contain"),
        ("web@evil.example", None, None, "^iis_cluster_account_base: .* names the domain 'evil.example'"),
        (None, "IUSR_web", "iusr_WEB", "^iis_cluster_iusr_name, iis_cluster_iwam_name: both name the account 'IUSR_web'"),
        ("web", "IWAM_web", None, "^iis_cluster_iusr_name, iis_cluster_account_base: both name the account 'IWAM_web'"),
    ],
)
def test_a_foreign_domain_a_base_with_a_domain_or_one_account_for_both_is_refused(base, iusr, iwam, message):
    with pytest.raises(InvalidInput, match=message):
        kb_account_names(MEMBER, base, iusr, iwam)


def test_a_name_in_the_nodes_own_domain_is_honoured():
    facts = {**MEMBER, "dns_domain": "webfarm.test"}
    names = kb_account_names(facts, None, "WEBFARM\\IUSR_x", "IWAM_x@webfarm.test")
    assert (names["iusr_qualified"], names["iwam_qualified"]) == ("WEBFARM\\IUSR_x", "WEBFARM\\IWAM_x")


def test_a_gmsa_iwam_identity_is_qualified_with_its_dollar_and_at_most_15_characters():
    names = kb_account_names(MEMBER, "web", iwam_gmsa=True)
    assert (names["iwam"], names["iwam_qualified"], names["iusr_qualified"], names["iwam_gmsa"]) == (
        "IWAM_web",
        "WEBFARM\\IWAM_web$",
        "WEBFARM\\IUSR_web",
        True,
    )
    assert kb_account_names(MEMBER, "web", iwam_name="WebPool$", iwam_gmsa=True)["iwam_qualified"] == "WEBFARM\\WebPool$"
    assert kb_account_names(MEMBER, "webfarm01", iwam_gmsa=True)["iwam"] == "IWAM_webfarm01"
    with pytest.raises(InvalidInput, match=r"^iis_cluster_account_base: 'IWAM_webfarm012' has 15|^iis_cluster_account_base: 'IWAM_webfarm0123' has 16 .*at most 15"):
        kb_account_names(MEMBER, "webfarm0123", iwam_gmsa=True)
    with pytest.raises(InvalidInput, match=r"^iis_cluster_iwam_name: 'IWAM_webfarm_pool' has 17 characters"):
        kb_account_names(MEMBER, "web", iwam_name="IWAM_webfarm_pool", iwam_gmsa=True)
