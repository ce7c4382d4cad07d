"""The controller sends each batch to the smallest module of the instruction set that runs it."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils import _node_ops_modules
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_ops_modules import (
    InstructionSetModules,
    from_contract,
    module_for,
)

CONTRACT = yaml.safe_load(_node_ops_modules.CONTRACT_FILE.read_text(encoding="utf-8"))

SMALL = InstructionSetModules(
    op_utils={"a1": "A", "a2": "A", "b": "B", "c": "C"},
    module_utils={
        "only_a": frozenset({"A"}),
        "a_and_b": frozenset({"A", "B"}),
        "a_and_c": frozenset({"A", "C"}),
        "all": frozenset({"A", "B", "C"}),
    },
)


@pytest.mark.parametrize(
    "ops, module",
    [
        (["a1", "a2"], "only_a"),
        (["a1", "b"], "a_and_b"),
        (["c"], "a_and_c"),
        (["b", "c"], "all"),
        ([], "only_a"),
    ],
)
def test_the_first_module_that_loads_every_util_of_the_batch(ops, module):
    assert SMALL.module_for(ops) == f"webfarm.iis_cluster.{module}"


def test_an_unknown_op_or_an_uncovered_batch_is_a_lookup_error():
    with pytest.raises(LookupError, match="nope is not an op"):
        SMALL.module_for(["a1", "nope"])
    partial = InstructionSetModules(op_utils=SMALL.op_utils, module_utils={"only_a": frozenset({"A"})})
    with pytest.raises(LookupError, match=r"no module .* loads every util of \['A', 'B'\]"):
        partial.module_for(["a1", "b"])


def test_every_op_has_a_util_and_node_ops_comes_last_and_loads_them_all():
    modules = from_contract(CONTRACT)
    assert set(modules.op_utils) == set(CONTRACT["ops"])
    assert list(modules.module_utils)[-1] == "node_ops"
    assert set(modules.op_utils.values()) <= modules.module_utils["node_ops"]


@pytest.mark.parametrize(
    "ops, module",
    [
        # node_access (steps 4-5), on any node
        (["account_lookup", "local_group_members_get", "user_rights_get", "account_token_get"], "node_ops_accounts"),
        # steps 1-3 on a domain controller
        (["domain_user_get", "domain_password_policy_get", "kds_root_key_get", "gmsa_get"], "node_ops_accounts"),
        # IIS 5/6
        (["metabase_get", "metabase_digest_tree", "iissync_run", "complus_catalog", "anonymous_logon_check"], "node_ops_metabase"),
        (["metabase_secret_matches", "account_logon_check", "account_lookup"], "node_ops_metabase"),
        (["metabase_get", "metabase_digest_tree"], "node_ops_metabase"),
        # node_info, before the node's IIS version is known; a metabase read alone
        (["host_facts", "metabase_sites_get", "iis_sites_get"], "node_ops_facts"),
        (["host_facts"], "node_ops_facts"),
        (["metabase_get"], "node_ops_facts"),
        # IIS 7-10
        (["web_config_get", "app_pools_get", "apphost_digest_tree", "web_deploy_info"], "node_ops_apphost"),
        (["shared_config_get", "share_get", "account_logon_check", "gmsa_check"], "node_ops_apphost"),
        # both areas' reads of configuration: the utils node_info needs hold them
        (["metabase_get", "web_config_get"], "node_ops_facts"),
        # both areas at once: the conformance run's kind of batch
        (["iissync_run", "web_config_get"], "node_ops"),
        # a domain account's op runs on a domain controller, never with a node's
        (["domain_user_get", "metabase_get"], "node_ops"),
        (["iis_identities_check", "web_deploy_info"], "node_ops"),
    ],
)
def test_the_shipped_contract_chooses(ops, module):
    assert module_for(ops) == f"webfarm.iis_cluster.{module}"
