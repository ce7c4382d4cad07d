"""Planning the IWAM group managed service account on a domain controller (steps 1-3 with
iis_cluster_iwam_gmsa): created with the nodes allowed, principals only added, refused before
anything is written without a usable KDS root key or when the name is another account's."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._managed_service_account import (
    DesiredGmsa,
    gmsa_queries,
    plan_gmsa,
)

NODE1 = {"sid": "S-1-5-21-9-1101", "name": "WEBFARM\\NODE1$", "kind": "user"}
NODE2 = {"sid": "S-1-5-21-9-1102", "name": "WEBFARM\\NODE2$", "kind": "user"}
OTHER = {"sid": "S-1-5-21-9-1200", "name": "WEBFARM\\BATCH1$", "kind": "user"}
USABLE = {"exists": True, "usable": True}
DESIRED = DesiredGmsa("IWAM_web", ("NODE1$", "WEBFARM\\NODE2$"), "webfarm.test")


def _existing(*principals):
    return {"name": "IWAM_web", "sid": "S-1-5-21-9-1300", "dns_host_name": "iwam_web.webfarm.test", "enabled": True, "principals": list(principals)}


def test_the_queries_read_the_key_the_gmsa_the_name_and_each_principal():
    ops = [(instruction.op, instruction.args) for instruction in gmsa_queries("IWAM_web", ["NODE1$"])]
    assert ops == [
        ("kds_root_key_get", {}),
        ("gmsa_get", {"name": "IWAM_web"}),
        ("domain_user_get", {"name": "IWAM_web$"}),
        ("account_lookup", {"name": "NODE1$"}),
    ]


def test_a_missing_gmsa_is_created_with_every_node_by_sid():
    plan = plan_gmsa(DESIRED, [USABLE, None, None, NODE1, NODE2])
    assert plan.before is None
    (change,) = plan.changes
    (add,) = change.instructions
    assert (add.op, add.args) == (
        "gmsa_add",
        {"name": "IWAM_web", "dns_host_name": "iwam_web.webfarm.test", "principals": [NODE1["sid"], NODE2["sid"]]},
    )
    assert change.lines()[1] == "IWAM_web$ (gMSA): present, password retrievable by WEBFARM\\NODE1$, WEBFARM\\NODE2$\n"
    assert plan.after.as_result()["principals"] == ["WEBFARM\\NODE1$", "WEBFARM\\NODE2$"]


def test_missing_principals_are_added_and_others_kept():
    plan = plan_gmsa(DESIRED, [USABLE, _existing(OTHER, NODE1), None, NODE1, NODE2])
    (change,) = plan.changes
    (allow,) = change.instructions
    assert (allow.op, allow.args["principals"]) == ("gmsa_set_principals", [OTHER["sid"], NODE1["sid"], NODE2["sid"]])
    assert plan.before is not None and [principal.name for principal in plan.after.principals] == [
        "WEBFARM\\BATCH1$",
        "WEBFARM\\NODE1$",
        "WEBFARM\\NODE2$",
    ]


def test_a_gmsa_as_asked_changes_nothing_even_without_a_usable_key():
    plan = plan_gmsa(DESIRED, [{"exists": False, "usable": False}, _existing(NODE2, NODE1), None, NODE1, NODE2])
    assert plan.changes == [] and plan.after == plan.before


@pytest.mark.parametrize(
    ("kds", "words"),
    [({"exists": False, "usable": False}, "has no KDS root key"), ({"exists": True, "usable": False}, "not usable yet")],
)
def test_no_usable_kds_root_key_refuses_the_creation_saying_how_to_add_one(kds, words):
    with pytest.raises(InvalidInput) as refused:
        plan_gmsa(DESIRED, [kds, None, None, NODE1, NODE2])
    message = str(refused.value)
    assert message.startswith("gmsa.name: the gMSA IWAM_web$ cannot be created: the domain ")
    assert words in message and "Add-KdsRootKey" in message and "10 hours" in message and "-EffectiveTime" in message


def test_an_account_of_the_name_that_is_no_gmsa_is_refused():
    user = {"name": "IWAM_web$", "kind": "user"}
    with pytest.raises(InvalidInput, match=r"gmsa.name: the domain already has an account 'IWAM_web\$' of kind user"):
        plan_gmsa(DESIRED, [USABLE, None, user, NODE1, NODE2])


def test_a_principal_that_maps_to_no_account_is_refused():
    with pytest.raises(InvalidInput, match=r"gmsa.principals: 'WEBFARM\\\\NODE2\$' maps to no account"):
        plan_gmsa(DESIRED, [USABLE, None, None, NODE1, None])
