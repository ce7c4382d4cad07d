from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase import (
    DesiredProperty,
    PropertyState,
    adsutil_command,
    check_property_name,
    coerce,
    normalize_path,
    parent_path,
    plan_property,
    predicted,
)


@pytest.mark.parametrize(
    "raw",
    ["W3SVC/1/ROOT", "/LM/W3SVC/1/ROOT", "LM\\W3SVC\\1\\ROOT", "IIS://localhost/W3SVC/1/ROOT", " w3svc/1/root/ ".upper()],
)
def test_paths_operators_paste_all_normalise_to_the_adsi_form(raw):
    assert normalize_path(raw).upper() == "W3SVC/1/ROOT"


@pytest.mark.parametrize(
    ("raw", "rule"),
    [("/LM", "names no key"), ("", "names no key"), ("IIS://web2/W3SVC", "names the server"), ("W3SVC/\x01", "control")],
)
def test_bad_paths_name_the_field_and_the_rule(raw, rule):
    with pytest.raises(InvalidInput, match=rf"^path: .*{rule}"):
        normalize_path(raw)


def test_parent_of_a_top_level_key_is_none():
    assert parent_path("W3SVC/1/ROOT") == "W3SVC/1"
    assert parent_path("W3SVC") is None


@pytest.mark.parametrize("name", ["Anonymous User", "WAMUser/Pass", "1Path", ""])
def test_property_names_are_letters_and_digits(name):
    with pytest.raises(InvalidInput, match="^name: "):
        check_property_name(name)


@pytest.mark.parametrize(
    ("metabase_type", "given", "expected"),
    [
        ("STRING", "WEBFARM\\IWAM_web", "WEBFARM\\IWAM_web"),
        ("STRING", 80, "80"),
        ("INTEGER", "2", 2),
        ("INTEGER", "0x10", 16),
        ("BOOLEAN", "no", False),
        ("BOOLEAN", True, True),
        ("LIST", ":80:", [":80:"]),
        ("LIST", [":80:", 443], [":80:", "443"]),
        ("BINARY", "0A1B", "0a1b"),
    ],
)
def test_values_are_converted_to_the_metabase_type(metabase_type, given, expected):
    assert coerce(metabase_type, given) == expected


@pytest.mark.parametrize(
    ("metabase_type", "given", "rule"),
    [
        ("INTEGER", True, "give a number"),
        ("INTEGER", "two", "not a whole number"),
        ("INTEGER", -1, "outside 0..4294967295"),
        ("BOOLEAN", "maybe", "neither true nor false"),
        ("STRING", ["a"], "single string"),
        ("LIST", [["a"]], "list of strings"),
        ("BINARY", "abc", "hex string"),
        ("MimeMapList", "x", "cannot be set"),
    ],
)
def test_values_that_do_not_fit_the_type_name_the_field_and_rule(metabase_type, given, rule):
    with pytest.raises(InvalidInput, match=f"^value: .*{rule}"):
        coerce(metabase_type, given)


def _state(source, value=None, *, name="AnonymousUserName", type_="STRING", secure=False):
    return PropertyState(name=name, type=type_, secure=secure, source=source, value=value)


def test_value_already_set_here_needs_no_change():
    current = _state("here", "WEBFARM\\IUSR_web")
    assert plan_property(DesiredProperty("W3SVC/1", "anonymoususername", value="WEBFARM\\IUSR_web"), current) == []


def test_an_equal_inherited_value_is_still_set_at_the_key():
    current = _state("inherited", "WEBFARM\\IUSR_web")
    (change,) = plan_property(DesiredProperty("W3SVC/1", "AnonymousUserName", value="WEBFARM\\IUSR_web"), current)
    assert change.instructions[0].op == "metabase_set"
    assert change.instructions[0].args == {"path": "W3SVC/1", "property": "AnonymousUserName", "value": "WEBFARM\\IUSR_web"}


def test_a_changed_value_plans_one_set_with_the_typed_value():
    current = _state("here", 2, name="AppIsolated", type_="INTEGER")
    (change,) = plan_property(DesiredProperty("W3SVC/1/ROOT", "AppIsolated", value="0"), current)
    assert change.instructions[0].args["value"] == 0
    assert change.lines() == ("/LM/W3SVC/1/ROOT/AppIsolated: 2\n", "/LM/W3SVC/1/ROOT/AppIsolated: 0\n")


def test_secret_that_matches_here_needs_no_change():
    current = _state("here", name="WAMUserPass", secure=True)
    desired = DesiredProperty("W3SVC", "WAMUserPass", secret=True)
    assert plan_property(desired, current, secret_matches=True) == []


@pytest.mark.parametrize(("source", "matches"), [("here", False), ("inherited", True), ("unset", False)])
def test_secret_is_set_when_it_differs_or_is_not_set_here(source, matches):
    current = _state(source, name="WAMUserPass", secure=True)
    (change,) = plan_property(DesiredProperty("W3SVC", "WAMUserPass", secret=True), current, secret_matches=matches)
    assert change.secret
    assert change.instructions[0].args == {"path": "W3SVC", "property": "WAMUserPass", "secret": "value"}
    assert change.lines()[1] == "/LM/W3SVC/WAMUserPass: (secret) (changed)\n"


def test_a_secure_property_refuses_a_plain_value():
    current = _state("here", name="AnonymousUserPass", secure=True)
    with pytest.raises(InvalidInput, match="^value: AnonymousUserPass is a secure metabase property; give it in secret_value"):
        plan_property(DesiredProperty("W3SVC", "AnonymousUserPass", value="Passw0rd!"), current)


def test_secret_value_is_only_for_string_properties():
    current = _state("here", 2, name="AppIsolated", type_="INTEGER")
    with pytest.raises(InvalidInput, match="^secret_value: AppIsolated is a INTEGER property"):
        plan_property(DesiredProperty("W3SVC/1/ROOT", "AppIsolated", secret=True), current, secret_matches=False)


def test_absent_removes_a_value_set_here_and_predicts_what_is_inherited():
    current = _state("here", "WEBFARM\\IUSR_web")
    parent = _state("inherited", "IUSR_NODE1")
    changes = plan_property(DesiredProperty("W3SVC/1/ROOT", "AnonymousUserName", "absent"), current, parent=parent)
    (change,) = changes
    assert change.instructions[0].op == "metabase_delete"
    assert change.lines()[1] == '/LM/W3SVC/1/ROOT/AnonymousUserName: "IUSR_NODE1"\n'
    after = predicted(changes, current, parent)
    assert (after.source, after.value) == ("inherited", "IUSR_NODE1")


def test_absent_on_a_top_level_key_predicts_unset():
    current = _state("here", "x")
    changes = plan_property(DesiredProperty("W3SVC", "AnonymousUserName", "absent"), current)
    assert predicted(changes, current, None).source == "unset"


@pytest.mark.parametrize("source", ["inherited", "unset"])
def test_absent_when_not_set_here_needs_no_change(source):
    assert plan_property(DesiredProperty("W3SVC/1", "AnonymousUserName", "absent"), _state(source, "x")) == []


def test_the_adsutil_record_matches_adsutil_syntax_and_masks_secrets():
    set_list = plan_property(
        DesiredProperty("W3SVC/1", "ServerBindings", value=[":80:", ":8080:"]),
        _state("here", [":80:"], name="ServerBindings", type_="LIST"),
    )[0].instructions[0]
    assert adsutil_command(set_list, "LIST") == 'cscript adsutil.vbs SET W3SVC/1/ServerBindings ":80:" ":8080:"'
    set_secret = plan_property(
        DesiredProperty("W3SVC", "WAMUserPass", secret=True), _state("here", name="WAMUserPass", secure=True)
    )[0].instructions[0]
    assert adsutil_command(set_secret, "STRING") == 'cscript adsutil.vbs SET W3SVC/WAMUserPass "**********"'
    delete = plan_property(
        DesiredProperty("W3SVC/1", "AuthFlags", "absent"), _state("here", 5, name="AuthFlags", type_="INTEGER")
    )[0].instructions[0]
    assert adsutil_command(delete, "INTEGER") == "cscript adsutil.vbs DELETE W3SVC/1/AuthFlags"


def test_results_never_carry_a_secure_value():
    assert "value" not in _state("here", "leak", name="WAMUserPass", secure=True).as_result()
    assert _state("inherited", "IUSR_NODE1").as_result()["value"] == "IUSR_NODE1"
