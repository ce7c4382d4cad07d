from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._web_config import (
    SECRET_REF,
    AttributeState,
    DesiredAttribute,
    ElementState,
    Step,
    Where,
    check_attribute_request,
    check_item_request,
    check_location,
    check_section,
    config_value,
    format_element,
    item_attributes,
    parent_location,
    parse_element,
    plan_attribute,
    plan_item,
    predicted_attribute,
    predicted_item,
)

ANONYMOUS = "system.webServer/security/authentication/anonymousAuthentication"
POOLS = "system.applicationHost/applicationPools"
SITE = Where(ANONYMOUS, "Default Web Site", ())


def _element(*attributes: AttributeState, override_allowed: bool = True) -> ElementState:
    return ElementState(override_allowed, attributes)


def _attr(name: str, value: str | None, origin: str = "set", encrypted: bool = False) -> AttributeState:
    return AttributeState(name, value, origin, encrypted)


@pytest.mark.parametrize(
    ("raw", "steps"),
    [
        ("", ()),
        (None, ()),
        ("processModel", (Step("processModel"),)),
        ("add[@name='Shop Pool']/processModel", (Step("add", (("name", "Shop Pool"),)), Step("processModel"))),
        ("site[@name='Bob''s site']", (Step("site", (("name", "Bob's site"),)),)),
        ("add[@name='a/b]c']", (Step("add", (("name", "a/b]c"),)),)),
        ("add[@ip='10.0.0.1'][@port='80']", (Step("add", (("ip", "10.0.0.1"), ("port", "80"))),)),
        ("add[@name='']", (Step("add", (("name", ""),)),)),
    ],
)
def test_element_paths_parse_into_steps_and_format_back(raw, steps):
    assert parse_element(raw) == steps
    assert parse_element(format_element(steps)) == steps


def test_formatting_doubles_a_quote_in_a_key():
    assert format_element((Step("site", (("name", "Bob's"),)),)) == "site[@name='Bob''s']"


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("/processModel", "expected an element name at character 1"),
        ("processModel/", "unexpected"),
        ("add[@name='x'", "not closed by ']'"),
        ("add[@name='x]", "no closing quote"),
        ("add[@name=x]", r"not \[@key='value'\]"),
        ("add[name='x']", "unexpected"),
        ("add[@name='x'][@name='y']", "given twice"),
        ("add[@name='x']x", "unexpected"),
        ("a//b", "expected an element name at character 3"),
        ("1add", "expected an element name"),
    ],
)
def test_bad_element_paths_name_the_field_and_the_rule(raw, rule):
    with pytest.raises(InvalidInput, match=rf"^element: .*{rule}"):
        parse_element(raw)


def test_sections_and_locations_are_checked():
    assert check_section(f" {ANONYMOUS} ") == ANONYMOUS
    for bad in ("", "system.webServer//x", "system webServer", "system.webServer/"):
        with pytest.raises(InvalidInput, match="^section: "):
            check_section(bad)
    assert check_location("/Default Web Site/Shop/") == "Default Web Site/Shop"
    assert check_location(None) == ""
    for bad in ("Default Web Site\\Shop", "a//b", "a\x01"):
        with pytest.raises(InvalidInput, match="^location: "):
            check_location(bad)


def test_parent_locations_end_at_the_server_level():
    assert parent_location("Default Web Site/Shop") == "Default Web Site"
    assert parent_location("Default Web Site") == ""
    assert parent_location("") is None


def test_values_travel_in_the_configuration_spelling():
    assert config_value(True) == "true"
    assert config_value(1200) == "1200"
    assert config_value("ClearText") == "ClearText"
    with pytest.raises(InvalidInput, match="^value: "):
        config_value(["a"])


def test_setting_writes_when_the_value_is_only_inherited():
    element = _element(_attr("userName", "WEBFARM\\IUSR_web", "inherited"))
    (change,) = plan_attribute(DesiredAttribute(SITE, "username", value="WEBFARM\\IUSR_web"), element)
    (instruction,) = change.instructions
    assert instruction.op == "web_config_set"
    assert instruction.args == {
        "section": ANONYMOUS,
        "location": "Default Web Site",
        "element": "",
        "attribute": "userName",
        "value": "WEBFARM\\IUSR_web",
    }


def test_setting_an_equal_value_set_here_changes_nothing_and_booleans_ignore_case():
    assert plan_attribute(DesiredAttribute(SITE, "userName", value="IUSR"), _element(_attr("userName", "IUSR"))) == []
    assert plan_attribute(DesiredAttribute(SITE, "enabled", value="True"), _element(_attr("enabled", "true"))) == []
    assert plan_attribute(DesiredAttribute(SITE, "userName", value="iusr"), _element(_attr("userName", "IUSR")))


def test_a_change_where_applicationhost_may_not_hold_the_section_is_refused_before_the_write():
    # override_allowed is allowDefinition's answer: locks for web.config files do not make it false.
    refused = _element(_attr("userName", "IUSR", "inherited"), override_allowed=False)
    with pytest.raises(InvalidInput, match=r"^location: applicationHost.config may not hold .* at 'Default Web Site'"):
        plan_attribute(DesiredAttribute(SITE, "userName", value="WEBFARM\\IUSR_web"), refused)
    # Nothing to change, nothing refused.
    kept = _element(_attr("userName", "WEBFARM\\IUSR_web", "set"), override_allowed=False)
    assert plan_attribute(DesiredAttribute(SITE, "userName", value="WEBFARM\\IUSR_web"), kept) == []


def test_a_secret_is_compared_on_the_node_and_shown_only_as_changed():
    element = _element(_attr("password", None, "set", encrypted=True))
    desired = DesiredAttribute(SITE, "password", secret=True)
    assert plan_attribute(desired, element, secret_matches=True) == []
    (change,) = plan_attribute(desired, element, secret_matches=False)
    assert change.instructions[0].args["secret"] == SECRET_REF
    assert "value" not in change.instructions[0].args
    assert change.lines() == (
        f"{SITE}/@password: (secret)\n",
        f"{SITE}/@password: (secret) (changed)\n",
    )
    # A matching value inherited from above is not set here.
    inherited = _element(_attr("password", None, "inherited", encrypted=True))
    assert plan_attribute(desired, inherited, secret_matches=True)


def test_secret_and_clear_text_attributes_are_not_interchangeable():
    with pytest.raises(InvalidInput, match="^value: password is encrypted"):
        plan_attribute(DesiredAttribute(SITE, "password", value="x"), _element(_attr("password", None, "set", True)))
    with pytest.raises(InvalidInput, match="^secret_value: userName is not an encrypted attribute"):
        plan_attribute(DesiredAttribute(SITE, "userName", secret=True), _element(_attr("userName", "IUSR")), secret_matches=False)


def test_clearing_predicts_what_the_location_inherits():
    element = _element(_attr("userName", "WEBFARM\\IUSR_web", "set"))
    parent = _element(_attr("userName", "IUSR", "default"))
    (change,) = plan_attribute(DesiredAttribute(SITE, "userName", state="absent"), element, parent=parent)
    assert change.instructions[0].op == "web_config_clear"
    after = predicted_attribute([change], element.attribute("userName"), parent)
    assert (after.value, after.origin) == ("IUSR", "default")
    above = _element(_attr("userName", "WEBFARM\\IUSR_all", "set"))
    after = predicted_attribute([change], element.attribute("userName"), above)
    assert (after.value, after.origin) == ("WEBFARM\\IUSR_all", "inherited")
    at_server = predicted_attribute([change], element.attribute("userName"), None)
    assert (at_server.value, at_server.origin) == (None, "default")
    assert plan_attribute(DesiredAttribute(SITE, "userName", state="absent"), _element(_attr("userName", "IUSR", "inherited"))) == []


def test_an_encrypted_value_is_never_in_a_result():
    assert _attr("password", None, "set", True).as_result() == {"origin": "set", "encrypted": True}


def test_an_attribute_of_a_missing_item_fails_naming_the_remedy_unless_clearing():
    where = Where(POOLS, "", parse_element("add[@name='Shop']/processModel"))
    with pytest.raises(InvalidInput, match=r"^element: .*does not exist; add the collection item first"):
        plan_attribute(DesiredAttribute(where, "userName", value="x"), None)
    assert plan_attribute(DesiredAttribute(where, "userName", state="absent"), None) == []


def test_requests_name_the_missing_or_extra_option():
    with pytest.raises(InvalidInput, match="^value: "):
        check_attribute_request("present", False, False)
    with pytest.raises(InvalidInput, match="^state: "):
        check_attribute_request("absent", True, False)
    with pytest.raises(InvalidInput, match="^attribute: "):
        check_item_request("present", True, False)
    with pytest.raises(InvalidInput, match="^attributes: "):
        check_item_request("absent", False, True)


def test_item_attributes_are_its_keys_and_the_given_ones():
    where = Where(POOLS, "", parse_element("add[@name='Shop Pool']"))
    assert item_attributes(where, {"autoStart": False, "NAME": "Shop Pool"}) == {"name": "Shop Pool", "autoStart": "false"}
    with pytest.raises(InvalidInput, match=r"^attributes.name: 'Other' contradicts the item's key"):
        item_attributes(where, {"name": "Other"})
    with pytest.raises(InvalidInput, match="^element: .* does not end in a collection item"):
        item_attributes(Where(POOLS, "", parse_element("applicationPoolDefaults")), {})


def test_a_missing_item_is_added_to_its_collection_with_its_keys():
    where = Where(POOLS, "", parse_element("add[@name='Shop Pool']"))
    wanted = {"name": "Shop Pool", "autoStart": "false"}
    (change,) = plan_item(where, "present", wanted, None, _element())
    (add,) = change.instructions
    assert add.op == "web_config_element_add"
    assert add.args == {"section": POOLS, "location": "", "element": "", "item": "add", "attributes": wanted}
    assert predicted_item("present", wanted, None)["attributes"]["autoStart"]["value"] == "false"


def test_an_existing_item_gets_the_attributes_that_differ_and_absent_removes_it():
    where = Where(POOLS, "", parse_element("add[@name='Shop Pool']"))
    item = _element(_attr("name", "Shop Pool"), _attr("autoStart", "true"))
    (change,) = plan_item(where, "present", {"name": "Shop Pool", "autoStart": "false"}, item, _element())
    assert change.instructions[0].args["element"] == "add[@name='Shop Pool']"
    assert plan_item(where, "present", {"name": "Shop Pool", "autoStart": "true"}, item, _element()) == []
    (removal,) = plan_item(where, "absent", {"name": "Shop Pool"}, item, _element())
    assert removal.instructions[0].op == "web_config_element_remove"
    assert removal.instructions[0].args["element"] == "add[@name='Shop Pool']"
    assert plan_item(where, "absent", {"name": "Shop Pool"}, None, _element()) == []


def test_an_item_is_not_added_to_a_missing_collection():
    where = Where("system.applicationHost/sites", "", parse_element("site[@name='Shop']/application[@path='/a']"))
    with pytest.raises(InvalidInput, match=r"^element: .*site\[@name='Shop'\] does not exist"):
        plan_item(where, "present", {"path": "/a"}, None, None)
