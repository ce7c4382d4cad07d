"""Check mode's prediction of the IISSync step once step 6 has changed the source: a target that
holds the identity step 6 sets will equal the source there, one that does not will differ."""

from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._anonymous_identity_run import (
    holding_query,
    holds_identity,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_compare import (
    CHANGED,
    MISSING,
    KeyDifference,
    PropertyDifference,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._sync_prediction import (
    PendingIdentity,
    pending_identities,
    predicted_differences,
)

SITE = "/LM/W3SVC/1/ROOT"
PENDING = [PendingIdentity(SITE)]


def _key(path: str, *names: str, kind: str = CHANGED) -> KeyDifference:
    return KeyDifference(path, kind, tuple(PropertyDifference(name, kind) for name in names))


def test_a_rotated_password_the_target_does_not_hold_makes_it_differ_where_it_equals_the_source_now():
    # The IUSR password rotated: source and target hold the old one alike; step 6 changes the source.
    predicted = predicted_differences([], PENDING, {SITE: False})

    assert predicted == [_key(SITE, "AnonymousUserName", "AnonymousUserPass", "AnonymousPasswordSync")]


def test_a_source_changed_by_hand_that_step_6_puts_back_leaves_a_target_that_holds_the_identity_in_sync():
    predicted = predicted_differences([_key(SITE, "AnonymousUserPass")], PENDING, {SITE.lower(): True})

    assert predicted == []


def test_other_differences_at_the_site_key_and_elsewhere_stay():
    differences = [_key(SITE, "AnonymousUserPass", "ServerComment"), _key("/LM/W3SVC/2", "ServerComment")]

    predicted = predicted_differences(differences, PENDING, {SITE: True})

    assert predicted == [_key(SITE, "ServerComment"), _key("/LM/W3SVC/2", "ServerComment")]


def test_a_key_missing_on_the_target_stays_missing():
    differences = [_key(SITE, "AnonymousUserPass", kind=MISSING)]

    assert predicted_differences(differences, PENDING, {SITE: True}) == differences


def test_a_target_that_differs_and_does_not_hold_the_identity_still_differs_once():
    differences = [_key(SITE, "AnonymousUserPass")]

    assert predicted_differences(differences, PENDING, {SITE: False}) == differences


@pytest.mark.parametrize(
    ("pending", "holds"),
    [
        (PENDING, None),
        (PENDING, {"/LM/W3SVC/2/ROOT": True}),
        ([PendingIdentity(SITE, removes_overrides=True)], {SITE: True}),
    ],
    ids=["target not asked", "asked about another key", "overrides removed below the key"],
)
def test_what_cannot_be_told_is_none(pending, holds):
    assert predicted_differences([], pending, holds) is None


def test_without_pending_identities_the_differences_are_kept():
    differences = [_key("/LM/W3SVC/1", "ServerComment")]

    assert predicted_differences(differences, [], None) == differences


def test_pending_identities_come_from_the_site_results_of_step_6():
    sites = [
        {"changed": True, "path": "W3SVC/1/ROOT", "metabase_path": SITE, "overrides_removed": False},
        {"changed": True, "path": "MSFTPSVC/1/ROOT", "metabase_path": "/LM/MSFTPSVC/1/ROOT", "overrides_removed": True},
    ]

    assert pending_identities(sites, "pending_identities") == [
        PendingIdentity(SITE),
        PendingIdentity("/LM/MSFTPSVC/1/ROOT", removes_overrides=True),
    ]


@pytest.mark.parametrize("bad", ["W3SVC/1/ROOT", {"path": "W3SVC/1/ROOT"}, {"metabase_path": "W3SVC/1/ROOT"}])
def test_anything_else_is_refused_naming_the_field(bad):
    with pytest.raises(InvalidInput, match=r"^pending_identities\[0\]: is not a site result"):
        pending_identities([bad], "pending_identities")


def _report(user: str | None = "WEBFARM\\IUSR_web", sync: bool | None = False, source: str = "here") -> dict:
    def entry(kind: str, value, secure: bool = False) -> dict:
        if value is None:
            return {"type": kind, "secure": secure, "source": "unset"}
        return {"type": kind, "secure": secure, "source": source, "value": value}

    return {
        "properties": {
            "AnonymousUserName": entry("STRING", user),
            "AnonymousUserPass": {"type": "STRING", "secure": True, "source": source},
            "AnonymousPasswordSync": entry("BOOLEAN", sync),
        }
    }


def test_the_holding_query_reads_the_identity_and_compares_the_password_on_the_node():
    assert [instruction.op for instruction in holding_query("W3SVC/1/ROOT")] == [
        "metabase_get",
        "metabase_secret_matches",
    ]


@pytest.mark.parametrize(
    ("report", "password_matches", "held"),
    [
        (_report(), True, True),
        (_report(), False, False),
        (_report(user="WEBFARM\\IUSR_old"), True, False),
        (_report(sync=True), True, False),
        (_report(source="inherited"), True, False),
    ],
    ids=["held", "another password", "another user", "password sync on", "only inherited"],
)
def test_a_node_holds_the_identity_only_when_step_6_would_change_nothing(report, password_matches, held):
    assert holds_identity("W3SVC/1/ROOT", "WEBFARM\\IUSR_web", [report, password_matches]) is held
