"""Comparing a target's salted metabase digests with the source's: what differs, what is
excluded, and how it reads."""

from __future__ import annotations

import hashlib

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_compare import (
    CHANGED,
    EXTRA,
    MACHINE_SPECIFIC_PROPERTIES,
    MISSING,
    ApplicationDifference,
    KeyDifference,
    PropertyDifference,
    bucket_of,
    describe_differences,
    differing_applications,
    differing_keys,
    in_subtree,
    listed_details,
    tree_differences,
)


def key(digest, **properties):
    return {"digest": digest, "properties": properties}


SOURCE = {
    "/LM": key("k0", KeyType="t0"),
    "/LM/W3SVC": key("k1", KeyType="t1", WAMUserName="u1", WAMUserPass="p1"),
    "/LM/W3SVC/1": key("k2", KeyType="t2", ServerComment="c1", ServerState="s2"),
}


def test_equal_digests_mean_no_difference():
    assert differing_keys(SOURCE, dict(SOURCE)) == []


def test_a_differing_key_names_each_property_that_differs_is_missing_or_extra():
    target = {
        **SOURCE,
        "/LM/W3SVC": key("k1'", KeyType="t1", WAMUserName="u2", ConnectionTimeout="x"),
    }

    assert differing_keys(SOURCE, target) == [
        KeyDifference(
            "/LM/W3SVC",
            CHANGED,
            (
                PropertyDifference("WAMUserName", CHANGED),
                PropertyDifference("WAMUserPass", MISSING),
                PropertyDifference("ConnectionTimeout", EXTRA),
            ),
        )
    ]


def test_keys_missing_or_extra_on_the_target_are_named_with_their_properties():
    target = {"/LM": SOURCE["/LM"], "/lm/w3svc": SOURCE["/LM/W3SVC"], "/LM/W3SVC/2": key("k9", KeyType="t9")}

    assert differing_keys(SOURCE, target) == [
        KeyDifference(
            "/LM/W3SVC/1",
            MISSING,
            tuple(PropertyDifference(n, MISSING) for n in ("KeyType", "ServerComment", "ServerState")),
        ),
        KeyDifference("/LM/W3SVC/2", EXTRA, (PropertyDifference("KeyType", EXTRA),)),
    ]


def test_excluded_properties_never_make_a_difference_in_any_case():
    target = {**SOURCE, "/LM/W3SVC/1": key("k2'", KeyType="t2", ServerComment="c1", ServerState="s4")}

    assert differing_keys(SOURCE, target, exclude=["serverstate"]) == []
    assert differing_keys(SOURCE, target) == [
        KeyDifference("/LM/W3SVC/1", CHANGED, (PropertyDifference("ServerState", CHANGED),))
    ]
    assert "ServerState" in MACHINE_SPECIFIC_PROPERTIES


def catalog(*apps):
    return {"applications": [{"id": app_id, "name": name, "system": system} for app_id, name, system in apps]}


def test_com_plus_applications_compare_by_id_and_ignore_system_ones():
    source = catalog(("{S}", "System Application", True), ("{A}", "Orders", False))
    target = catalog(("{s}", "System Application", True), ("{B}", "Legacy", False), ("{X}", "IIS Utilities", True))

    assert differing_applications(source, target) == ApplicationDifference(("Orders",), ("Legacy",))
    assert not differing_applications(source, catalog(("{a}", "Orders", False)))


def test_the_differences_read_as_lines_and_never_show_a_secret():
    keys = [
        KeyDifference(
            "/LM/W3SVC",
            CHANGED,
            (PropertyDifference("WAMUserPass", CHANGED), PropertyDifference("WAMUserName", MISSING)),
        ),
        KeyDifference(
            "/LM/W3SVC/1", CHANGED, (PropertyDifference("ServerBindings", CHANGED), PropertyDifference("Path", EXTRA))
        ),
        KeyDifference("/LM/W3SVC/2", MISSING, (PropertyDifference("KeyType", MISSING),)),
    ]
    details = {
        "/LM/W3SVC": {
            "WAMUserPass": {"type": "STRING", "secure": True, "source": "here"},
            "WAMUserName": {"type": "STRING", "secure": False, "source": "here", "value": "WEBFARM\\IWAM_web"},
        },
        "/LM/W3SVC/1": {"ServerBindings": {"type": "LIST", "secure": False, "source": "here", "value": [":80:"]}},
    }

    lines = describe_differences("web1", "web2", keys, ApplicationDifference(("Orders",), ()), details)

    assert lines == [
        "/LM/W3SVC: WAMUserPass differs: web1 has a secret value (not shown), web2 has another value",
        '/LM/W3SVC: WAMUserName is not set on web2; web1 has "WEBFARM\\IWAM_web"',
        '/LM/W3SVC/1: ServerBindings differs: web1 has [":80:"], web2 has another value',
        "/LM/W3SVC/1: Path is set on web2 but not on web1",
        "/LM/W3SVC/2: the key is missing on the target (KeyType)",
        "COM+ applications missing on web2: Orders",
    ]


def test_properties_a_step_sets_alike_on_both_nodes_differ_no_more():
    from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_compare import (
        CHANGED,
        MISSING,
        KeyDifference,
        PropertyDifference,
        without_settled,
    )

    wam = KeyDifference("/LM/W3SVC", CHANGED, (PropertyDifference("WAMUserPass", CHANGED),))
    both = KeyDifference(
        "/LM/W3SVC", CHANGED, (PropertyDifference("WAMUserPass", CHANGED), PropertyDifference("LogonMethod", CHANGED))
    )
    missing = KeyDifference("/LM/W3SVC/2", MISSING, ())

    settled = ["/LM/W3SVC/wamuserpass"]

    assert without_settled([wam, missing], settled) == [missing]
    assert without_settled([both], settled) == [
        KeyDifference("/LM/W3SVC", CHANGED, (PropertyDifference("LogonMethod", CHANGED),))
    ]


def test_a_target_is_compared_only_where_it_says_it_differs():
    source = {
        **SOURCE,
        "/LM/W3SVC/1/ROOT": key("k3", KeyType="t3"),
        "/LM/W3SVC/10": key("k4", KeyType="t4"),
    }
    target = {
        "root": "r",
        "against": "s",
        "differing_keys": ["/lm/w3svc"],
        "differing_subtrees": ["/LM/W3SVC/1", "/LM/W3SVC/2"],
        "keys": {
            "/LM/W3SVC": key("k1'", KeyType="t1", WAMUserName="u2", WAMUserPass="p1"),
            "/LM/W3SVC/1": SOURCE["/LM/W3SVC/1"],
            "/LM/W3SVC/2": key("k5", KeyType="t5"),
        },
    }

    assert tree_differences(source, target) == [
        KeyDifference("/LM/W3SVC", CHANGED, (PropertyDifference("WAMUserName", CHANGED),)),
        KeyDifference("/LM/W3SVC/1/ROOT", MISSING, (PropertyDifference("KeyType", MISSING),)),
        KeyDifference("/LM/W3SVC/2", EXTRA, (PropertyDifference("KeyType", EXTRA),)),
    ]
    in_sync = {"root": "r", "differing_keys": [], "differing_subtrees": [], "keys": {}}
    assert tree_differences(source, in_sync) == []


def test_a_bucket_of_a_wide_key_scopes_its_childrens_subtrees():
    # The first two hex characters of the SHA-256 of the lower-case name, as the nodes compute it.
    assert (bucket_of("Shop"), bucket_of("SHOP"), bucket_of("catalog")) == (
        hashlib.sha256(b"shop").hexdigest()[:2],
        hashlib.sha256(b"shop").hexdigest()[:2],
        hashlib.sha256(b"catalog").hexdigest()[:2],
    )
    top = f"/LM/W3SVC/1/ROOT//{bucket_of('shop')}"
    assert in_subtree("/LM/W3SVC/1/ROOT/Shop", top)
    assert in_subtree("/lm/w3svc/1/root/shop/cart/items", top.upper())
    assert not in_subtree("/LM/W3SVC/1/ROOT", top)
    assert not in_subtree("/LM/W3SVC/1/ROOTS/Shop", top)
    other = next(name for name in ("catalog", "help", "images", "docs") if bucket_of(name) != bucket_of("shop"))
    assert not in_subtree(f"/LM/W3SVC/1/ROOT/{other}", top)
    assert in_subtree("/LM/W3SVC/1/ROOT/Shop", "/LM/W3SVC/1") and not in_subtree("/LM/W3SVC/10", "/LM/W3SVC/1")

    source = {
        "/LM/W3SVC/1/ROOT/Shop": key("k1", KeyType="t1"),
        "/LM/W3SVC/1/ROOT/Shop/Cart": key("k2", KeyType="t2"),
        f"/LM/W3SVC/1/ROOT/{other}": key("k3", KeyType="t3"),
    }
    target = {"root": "r", "differing_keys": [], "differing_subtrees": [top], "keys": {}}
    assert tree_differences(source, target) == [
        KeyDifference("/LM/W3SVC/1/ROOT/Shop", MISSING, (PropertyDifference("KeyType", MISSING),)),
        KeyDifference("/LM/W3SVC/1/ROOT/Shop/Cart", MISSING, (PropertyDifference("KeyType", MISSING),)),
    ]


def test_a_listed_property_without_a_value_shows_as_a_secret():
    listing = {"/LM/W3SVC": {"digest": "k", "properties": {"WAMUserName": "a", "WAMUserPass": "b"}, "values": {"WAMUserName": "WEBFARM\\IWAM_web"}}}

    details = listed_details(listing)

    assert details == {"/LM/W3SVC": {"WAMUserName": {"value": "WEBFARM\\IWAM_web"}, "WAMUserPass": {"secure": True}}}
    lines = describe_differences(
        "web1",
        "web2",
        [KeyDifference("/LM/W3SVC", CHANGED, (PropertyDifference("WAMUserName", CHANGED), PropertyDifference("WAMUserPass", CHANGED)))],
        ApplicationDifference((), ()),
        details,
    )
    assert lines[1] == "/LM/W3SVC: WAMUserPass differs: web1 has a secret value (not shown), web2 has another value"
    assert "IWAM_web" in lines[0]
