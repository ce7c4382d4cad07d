"""An application pool's identity: what is refused before any remote call, the proof batch,
why a proof or a start failed, and the change."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._app_pool_identity import (
    SECRET_REF,
    PoolState,
    Proof,
    desired_identity,
    identity_queries,
    plan_identity,
    predicted_state,
    proof_problem,
    start_problem,
    the_pool,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput

IWAM = "WEBFARM\\IWAM_web"
GMSA = "WEBFARM\\shop-pool$"


def _pool(identity_type="ApplicationPoolIdentity", user=None, logon_type="LogonBatch", password_set=False, state="Started"):
    return PoolState("Shop Pool", state, identity_type, user, logon_type, False, password_set)


@pytest.mark.parametrize(
    ("args", "rule"),
    [
        (("Shop Pool", "SpecificUser", None, False), "^user: identity_type SpecificUser needs the account"),
        (("Shop Pool", "SpecificUser", "SpecificUser", True), "^user: 'SpecificUser' is named like an identity type"),
        (("Shop Pool", "SpecificUser", "WEBFARM\\NetworkService", True), "^user: .* named like an identity type"),
        (("Shop Pool", "SpecificUser", GMSA, True), "^password: .* group managed service account.*give no password"),
        (("Shop Pool", "SpecificUser", "shop-pool$", False), r"^user: give the group managed service account with its domain"),
        (("Shop Pool", "SpecificUser", IWAM, False), "^password: .* give it"),
        (("Shop Pool", "NetworkService", IWAM, True), "^user: identity_type NetworkService is a built-in identity"),
        (("Shop Pool", "NetworkService", None, True), "^user: identity_type NetworkService is a built-in identity"),
        (("", "NetworkService", None, False), "^name: "),
        (("Shop Pool", "Specificuser", IWAM, True), "^identity_type: "),
    ],
)
def test_identities_that_cannot_be_meant_are_refused_naming_the_option(args, rule):
    with pytest.raises(InvalidInput, match=rule):
        desired_identity(*args)


def test_a_password_is_proven_with_the_pools_logon_type_and_compared_on_the_node():
    desired = desired_identity("Shop Pool", "SpecificUser", IWAM, True, "LogonService")
    pools, matches, logon, rights, token = identity_queries(desired)
    assert pools.args == {"names": ["Shop Pool"]}
    assert matches.op == "web_config_secret_matches"
    assert matches.args["element"] == "add[@name='Shop Pool']/processModel"
    assert matches.args["secret"] == SECRET_REF
    assert logon.args == {"name": IWAM, "secret": SECRET_REF, "logon_type": "service"}
    assert rights.args == {"right": "SeServiceLogonRight"}
    assert token.args == {"name": IWAM}


def test_a_gmsa_is_proven_by_the_node_retrieving_it_and_a_built_in_needs_no_proof():
    (_, check, rights, token) = identity_queries(desired_identity("Shop Pool", "SpecificUser", GMSA, False))
    assert check.op == "gmsa_check"
    assert check.args == {"name": GMSA}
    assert (rights.args, token.args) == ({"right": "SeBatchLogonRight"}, {"name": GMSA})
    assert len(identity_queries(desired_identity("Shop Pool", "NetworkService", None, False))) == 1


def _logon(code):
    return Proof(logon_error={"code": code, "message": "x"})


def test_a_failed_proof_names_the_cause_and_the_remedy():
    desired = desired_identity("Shop Pool", "SpecificUser", IWAM, True)
    pool = _pool()
    assert proof_problem(desired, pool, Proof()) is None
    assert "the password is wrong" in proof_problem(desired, pool, _logon(1326))
    refused = proof_problem(desired, pool, _logon(1385))
    assert '"Log on as a batch job" (SeBatchLogonRight)' in refused
    assert "logonType LogonBatch (IIS_IUSRS, which the worker's token carries, does not hold it either)" in refused
    service = desired_identity("Shop Pool", "SpecificUser", IWAM, True, "LogonService")
    assert '"Log on as a service" (SeServiceLogonRight)' in proof_problem(service, pool, _logon(1385))
    assert "ERROR_ACCOUNT_LOCKED_OUT" in proof_problem(desired, pool, _logon(1909))
    gmsa = desired_identity("Shop Pool", "SpecificUser", GMSA, False)
    assert proof_problem(gmsa, pool, Proof(gmsa={"exists": True, "can_retrieve": True, "error": None})) is None
    missing = Proof(gmsa={"exists": False, "can_retrieve": False, "error": None})
    assert "does not exist in the domain" in proof_problem(gmsa, pool, missing)
    denied = Proof(gmsa={"exists": True, "can_retrieve": False, "error": {"code": 5, "message": "Access is denied."}})
    text = proof_problem(gmsa, pool, denied)
    assert "may not retrieve the password" in text
    assert "ERROR_ACCESS_DENIED" in text
    assert "PrincipalsAllowedToRetrieveManagedPassword" in text


IWAM_SID = "S-1-5-21-1-1106"
TOKEN = {"sid": IWAM_SID, "name": IWAM, "kind": "user", "groups": [{"sid": "S-1-5-21-1-513", "name": "WEBFARM\\Domain Users", "kind": "group"}]}
BATCH = {
    "right": "SeBatchLogonRight",
    "holders": [
        {"sid": "S-1-5-32-544", "name": "BUILTIN\\Administrators", "kind": "alias", "members": []},
        {"sid": "S-1-5-32-568", "name": "BUILTIN\\IIS_IUSRS", "kind": "alias", "members": []},
    ],
}


def test_a_batch_logon_refused_to_the_account_alone_passes_when_iis_iusrs_holds_the_right():
    desired = desired_identity("Shop Pool", "SpecificUser", IWAM, True)
    through_iis_iusrs = Proof(logon_error={"code": 1385, "message": "x"}, rights=BATCH, token=TOKEN)
    assert proof_problem(desired, _pool(), through_iis_iusrs) is None
    manual = PoolState("Shop Pool", "Started", "ApplicationPoolIdentity", None, "LogonBatch", True, False)
    assert "SeBatchLogonRight" in proof_problem(desired, manual, through_iis_iusrs)
    # A gMSA has no password to log on with here: its token and the right decide.
    gmsa = desired_identity("Shop Pool", "SpecificUser", GMSA, False)
    retrievable = {"exists": True, "can_retrieve": True, "error": None}
    gmsa_token = {**TOKEN, "name": GMSA}
    assert proof_problem(gmsa, _pool(), Proof(gmsa=retrievable, rights=BATCH, token=gmsa_token)) is None
    unrighted = {"right": "SeBatchLogonRight", "holders": BATCH["holders"][:1]}
    text = proof_problem(gmsa, _pool(), Proof(gmsa=retrievable, rights=unrighted, token=gmsa_token))
    assert text == (
        f'{GMSA} does not hold "Log on as a batch job" (SeBatchLogonRight) (nor does IIS_IUSRS, which the worker\'s '
        "token carries), which the pool's logonType LogonBatch needs: grant it (webfarm.iis_cluster.user_right)"
    )
    # A wrong password is wrong whatever the rights.
    wrong = Proof(logon_error={"code": 1326, "message": "x"}, rights=BATCH, token=TOKEN)
    assert "the password is wrong" in proof_problem(desired, _pool(), wrong)


def test_a_missing_pool_fails_naming_how_to_create_it():
    assert the_pool("shop pool", [{"name": "Shop Pool", "state": "Started", "identity_type": "NetworkService",
                                   "user_name": None, "logon_type": "LogonBatch", "manual_group_membership": False,
                                   "password_set": False}]).name == "Shop Pool"
    with pytest.raises(InvalidInput, match=r"^name: the node has no application pool 'Shop Pool'.*add\[@name='Shop Pool'\]"):
        the_pool("Shop Pool", [])


def test_the_same_identity_changes_nothing():
    desired = desired_identity("Shop Pool", "SpecificUser", IWAM, True)
    current = _pool("SpecificUser", "webfarm\\iwam_web", password_set=True)
    assert plan_identity(desired, current, password_matches=True) == []
    assert plan_identity(desired_identity("Shop Pool", "NetworkService", None, False), _pool("NetworkService")) == []
    assert plan_identity(desired_identity("Shop Pool", "SpecificUser", GMSA, False), _pool("SpecificUser", GMSA)) == []


def test_a_new_password_is_one_commit_shown_only_as_changed():
    desired = desired_identity("Shop Pool", "SpecificUser", IWAM, True)
    identity, password = plan_identity(desired, _pool("SpecificUser", IWAM, password_set=True), password_matches=False)
    (instruction,) = identity.instructions
    assert instruction.op == "app_pool_identity_set"
    assert instruction.args == {
        "name": "Shop Pool",
        "identity_type": "SpecificUser",
        "user": IWAM,
        "secret": SECRET_REF,
        "logon_type": "LogonBatch",
        "recycle": True,
    }
    assert password.instructions == ()
    assert password.lines()[1] == "application pool Shop Pool password: (secret) (changed)\n"


def test_a_gmsa_clears_a_password_left_from_an_earlier_identity_and_a_logon_type_change_counts():
    desired = desired_identity("Shop Pool", "SpecificUser", GMSA, False)
    identity, password = plan_identity(desired, _pool("SpecificUser", GMSA, password_set=True))
    assert "secret" not in identity.instructions[0].args
    assert password.lines()[1] == "application pool Shop Pool password: (not set)\n"
    (change,) = plan_identity(desired_identity("Shop Pool", "NetworkService", None, False, "LogonService"), _pool("NetworkService"))
    assert change.lines() == (
        "application pool Shop Pool identity: NetworkService (LogonBatch)\n",
        "application pool Shop Pool identity: NetworkService (LogonService)\n",
    )


def test_a_recycle_starts_a_stopped_pool():
    desired = desired_identity("Shop Pool", "NetworkService", None, False)
    assert predicted_state(desired, _pool(state="Stopped"), changed=True) == "Started"
    assert predicted_state(desired, _pool(state="Stopped"), changed=False) == "Stopped"
    unrecycled = desired_identity("Shop Pool", "NetworkService", None, False, recycle=False)
    assert predicted_state(unrecycled, _pool(state="Stopped"), changed=True) == "Stopped"


def test_a_pool_that_did_not_start_says_why_and_whether_the_previous_identity_is_back():
    desired = desired_identity("Shop Pool", "SpecificUser", IWAM, True)
    assert start_problem(desired, {"state": "Started", "start_error": None, "restored": False}) is None
    restored = start_problem(desired, {"state": "Started", "start_error": {"code": 1326, "message": "x"}, "restored": True})
    assert restored.startswith(f"application pool Shop Pool did not start as {IWAM}: the password is wrong")
    assert restored.endswith("the previous identity was put back and the pool is Started")
    lost = start_problem(desired, {"state": "Stopped", "start_error": {"code": 1385, "message": "x"}, "restored": False})
    assert "SeBatchLogonRight" in lost
    assert "could NOT be put back: the pool is Stopped" in lost
    gmsa = desired_identity("Shop Pool", "SpecificUser", GMSA, False)
    text = start_problem(gmsa, {"state": "Started", "start_error": {"code": 1326, "message": "x"}, "restored": True})
    assert "cannot log a gMSA on" in text
