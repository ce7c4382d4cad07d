"""The identities a sync replicates, and whether every target resolves them to the source's
accounts (issue 11, defect 2)."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._replicated_identities import (
    identity_checks,
    replicated_identities,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._sync_report import NodeReport

IUSR = {"sid": "S-1-5-21-9-9-9-1105", "name": "WEBFARM\\IUSR_web", "kind": "user"}
IWAM = {"sid": "S-1-5-21-9-9-9-1106", "name": "WEBFARM\\IWAM_web", "kind": "user"}


def anonymous(path: str, user: str, password_sync: bool = False) -> dict[str, t.Any]:
    """A distinct identity of ``iis_identities_check`` used at the key ``path`` and below."""
    return {"user": user, "password_sync": password_sync, "keys": 1, "at": [path]}


def report(host: str, accounts: t.Mapping[str, t.Any], **identities: t.Any) -> NodeReport:
    parts = {
        "facts": {"name": host.upper()},
        "identities": {
            "wam_user": identities.get("wam_user", "WEBFARM\\IWAM_web"),
            "anonymous": {
                "identities": identities.get(
                    "anonymous",
                    [anonymous("W3SVC/1/ROOT", "WEBFARM\\IUSR_web"), anonymous("W3SVC/1/ROOT/Shop", "WEBFARM\\IUSR_web")],
                ),
                "failing": [],
                "passing": 2,
            },
            "applications": [],
        },
        "complus": {"applications": identities.get("applications", [])},
    }
    lookups = {name: {"principal": principal, "error": None} for name, principal in accounts.items()}
    return NodeReport(host, parts, {}, "id", (), lookups)


DOMAIN = {"WEBFARM\\IUSR_web": IUSR, "WEBFARM\\IWAM_web": IWAM}


def outcomes(checks) -> list[tuple[str, str]]:
    return [(check.node, check.outcome) for check in checks]


def test_an_inherited_anonymous_user_is_named_once_at_the_topmost_key_and_system_applications_are_left_out():
    source = report(
        "node1",
        DOMAIN,
        applications=[
            {"name": "IIS Out-Of-Process Pooled Applications", "system": True, "server": True, "identity": "IWAM_NODE1"},
            {"name": "Orders", "system": False, "server": True, "identity": "WEBFARM\\iwam_WEB"},
            {"name": "Library", "system": False, "server": False, "identity": None},
            {"name": "Console", "system": False, "server": True, "identity": "Interactive User"},
        ],
    )

    found = replicated_identities(source)

    assert [(identity.name, identity.uses) for identity in found] == [
        ("WEBFARM\\IUSR_web", ("AnonymousUserName at /LM/W3SVC/1/ROOT",)),
        ("WEBFARM\\IWAM_web", ("WAMUserName at /LM/W3SVC", "identity of COM+ application 'Orders'")),
    ]


def test_domain_accounts_every_target_resolves_alike_pass():
    checks = identity_checks(report("node1", DOMAIN), [report("node2", DOMAIN)], [])

    assert outcomes(checks) == [("node1", "passed"), ("node2", "passed")] * 2


def test_an_account_of_the_source_is_refused_and_its_targets_are_not_asked():
    local = {"sid": "S-1-5-21-1-1-1-1003", "name": "NODE1\\IUSR_NODE1", "kind": "user"}
    source = report("node1", {**DOMAIN, "IUSR_NODE1": local}, anonymous=[anonymous("MSFTPSVC/1", "IUSR_NODE1")])

    [check, *rest] = identity_checks(source, [report("node2", {})], [])

    assert (check.outcome, check.code) == ("failed", None)
    assert check.found == "it is NODE1\\IUSR_NODE1, an account of node1 itself, which no other node has"
    assert "--tags domain_accounts,node_access,anonymous_identity,wam_identity" in check.explain()
    assert outcomes(rest) == [("node1", "passed"), ("node2", "failed")]


def test_a_target_that_lacks_the_name_or_resolves_it_to_another_account_is_refused():
    namesake = {"sid": "S-1-5-21-2-2-2-1000", "name": "NODE2\\IWAM_web", "kind": "user"}
    targets = [report("node2", {"WEBFARM\\IUSR_web": None, "WEBFARM\\IWAM_web": namesake}), report("node3", DOMAIN)]

    checks = identity_checks(report("node1", DOMAIN), targets, [])

    failed = [(check.node, check.found) for check in checks if check.outcome == "failed"]
    assert failed == [
        ("node2", "no account has that name on node2"),
        ("node2", f"it resolves it to NODE2\\IWAM_web {namesake['sid']}, another account"),
    ]


def test_password_sync_on_a_domain_account_is_refused():
    source = report("node1", DOMAIN, anonymous=[anonymous("W3SVC/1/ROOT", "WEBFARM\\IUSR_web", password_sync=True)])

    check = identity_checks(source, [report("node2", DOMAIN)], [])[0]

    assert check.outcome == "failed"
    assert check.found.startswith("AnonymousPasswordSync is True at /LM/W3SVC/1/ROOT")


def test_a_name_nobody_resolved_fails_and_a_lookup_error_is_unknown():
    errors = NodeReport("node2", {}, {}, "id", (), {"WEBFARM\\IUSR_web": {"principal": None, "error": {"code": 1722, "message": "The RPC server is unavailable."}}})

    checks = identity_checks(report("node1", {"WEBFARM\\IUSR_web": IUSR}), [errors], [])

    assert [(check.node, check.outcome) for check in checks] == [
        ("node1", "passed"),
        ("node2", "unknown"),
        ("node1", "failed"),
    ]
    assert checks[2].found == "node1 was not asked to resolve it"


def test_pending_identity_changes_leave_the_checks_to_the_real_run():
    [check] = identity_checks(report("node1", {}), [report("node2", {})], ["the WAM identity"])

    assert check.outcome == "unknown"
    assert "the WAM identity" in check.found


def test_a_name_only_a_service_key_sets_is_a_warning_not_a_refusal():
    local = {"sid": "S-1-5-21-1-1-1-1003", "name": "NODE1\\IUSR_NODE1", "kind": "user"}
    source = report("node1", {**DOMAIN, "IUSR_NODE1": local})
    service = {"properties": {"AnonymousUserName": {"type": "string", "secure": False, "source": "here", "value": "IUSR_NODE1"}}}
    source = NodeReport(source.host, {**source.parts, "w3svc": service}, {}, "id", (), source.accounts)

    checks = identity_checks(source, [report("node2", DOMAIN)], [])

    assert [check.outcome for check in checks] == ["passed", "passed", "warning", "passed", "passed"]
    assert checks[2].condition.startswith("IUSR_NODE1 (AnonymousUserName at /LM/W3SVC, inherited by sites created later)")
