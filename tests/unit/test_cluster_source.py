"""The sync source rule: the first host of iis_cluster unless iis_cluster_source names another."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.webfarm.iis_cluster.plugins.filter.cluster_source import cluster_source

NODES = ["web1", "web2", "web3"]


@pytest.mark.parametrize("named", [None, ""])
def test_without_a_named_source_it_is_the_first_host(named):
    assert cluster_source(NODES, named) == "web1"


def test_a_named_host_of_the_group_is_the_source():
    assert cluster_source(NODES, "web3") == "web3"


def test_a_named_host_outside_the_group_is_refused_naming_the_group():
    with pytest.raises(AnsibleFilterError) as refused:
        cluster_source(NODES, "dc1")
    assert str(refused.value).startswith(
        "iis_cluster_source: 'dc1' is not a host of the iis_cluster group (web1, web2, web3)"
    )


def test_an_empty_group_has_no_source():
    with pytest.raises(AnsibleFilterError, match="the iis_cluster group has no hosts"):
        cluster_source([])
