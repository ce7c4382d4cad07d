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
