"""The metabase ops as the controller sees them through node_ops."""

from __future__ import annotations

import json
import typing as t

import pytest

if t.TYPE_CHECKING:
    from conftest import MetabaseReader, NodeOps


def get(path: str, *properties: str, **args: t.Any) -> dict[str, t.Any]:
    if properties:
        args["properties"] = list(properties)
    return {"op": "metabase_get", "args": {"path": path, **args}}


def put(path: str, name: str, **args: t.Any) -> dict[str, t.Any]:
    return {"op": "metabase_set", "args": {"path": path, "property": name, **args}}


def matches(path: str, name: str, secret: str) -> dict[str, t.Any]:
    return {"op": "metabase_secret_matches", "args": {"path": path, "property": name, "secret": secret}}


def error_of(result: dict[str, t.Any]) -> dict[str, t.Any]:
    [entry] = result["results"]
    assert entry["status"] == "failed"
    return entry["error"]


def test_get_reports_source_type_and_value_and_hides_secure_values(node_ops: NodeOps) -> None:
    value = node_ops.value(get("w3svc/1/root", "anonymoususername", "AnonymousUserPass", "AppIsolated", "UNCUserName"))

    assert value == {
        "path": "W3SVC/1/ROOT",
        "key_type": "IIsWebVirtualDir",
        "properties": {
            "AnonymousUserName": {"type": "STRING", "secure": False, "source": "inherited", "value": "IUSR_NODE1"},
            "AnonymousUserPass": {"type": "STRING", "secure": True, "source": "inherited"},
            "AppIsolated": {"type": "INTEGER", "secure": False, "source": "here", "value": 2},
            "UNCUserName": {"type": "STRING", "secure": False, "source": "unset"},
        },
    }


def test_get_without_names_lists_every_property_set_at_the_key(node_ops: NodeOps) -> None:
    value = node_ops.value(get("W3SVC/1"))

    assert sorted(value["properties"]) == sorted(
        ["KeyType", "ServerComment", "ServerBindings", "ServerAutoStart", "ServerState"]
    )
    assert {entry["source"] for entry in value["properties"].values()} == {"here"}
    assert value["properties"]["ServerBindings"]["value"] == [":80:"]
    assert "children" not in value


def test_get_lists_children_when_asked(node_ops: NodeOps) -> None:
    assert node_ops.value(get("W3SVC/1/ROOT", children=True))["children"] == ["IISHelp", "Shop", "Catalog"]
    assert node_ops.value(get("", children=True))["children"] == ["W3SVC", "MSFTPSVC"]


@pytest.mark.parametrize(
    ("instruction", "code", "message"),
    [
        (get("W3SVC/5", "ServerComment"), 0x80070003, "The system cannot find the path specified."),
        (get("W3SVC", "NoSuchProperty"), 0x80005006, "The specified directory property is not supported"),
        (put("W3SVC", "NoSuchProperty", value=1), 0x80005006, "The specified directory property is not supported"),
        # WAMUserName belongs to the web service key: ADSI does not show it on a site.
        (get("W3SVC/1", "WAMUserName"), 0x80005006, "The specified directory property is not supported"),
        (put("W3SVC/1", "WAMUserName", value="x"), 0x80005006, "The specified directory property is not supported"),
        (
            put("W3SVC/1", "ServerBindings", value=":80:"),
            0x8000500C,
            "The directory datatype cannot be converted to/from a native DS datatype",
        ),
        (
            {"op": "metabase_delete", "args": {"path": "W3SVC/5", "property": "Path"}},
            0x80070003,
            "The system cannot find the path specified.",
        ),
    ],
)
def test_windows_errors_are_reported_with_unsigned_code_and_windows_text(
    node_ops: NodeOps, instruction: dict, code: int, message: str
) -> None:
    assert error_of(node_ops(instruction)) == {"code": code, "message": message}


def test_set_value_is_read_back_with_its_type(node_ops: NodeOps) -> None:
    node_ops.values(
        put("W3SVC/1", "ServerBindings", value=["10.20.0.100:80:"]),
        put("W3SVC/1/ROOT", "AnonymousPasswordSync", value=False),
        put("W3SVC/1/ROOT", "LogonMethod", value=0),
    )

    properties = node_ops.value(get("W3SVC/1/ROOT", "AnonymousPasswordSync", "LogonMethod"))["properties"]
    assert node_ops.value(get("W3SVC/1", "ServerBindings"))["properties"]["ServerBindings"]["value"] == [
        "10.20.0.100:80:"
    ]
    assert (properties["AnonymousPasswordSync"]["value"], properties["LogonMethod"]["value"]) == (False, 0)


def test_secret_is_set_compared_on_the_host_and_never_returned(
    read_metabase: MetabaseReader, node_ops: NodeOps
) -> None:
    secrets = {"iusr": "Dom-Iusr-Pw-1", "wrong": "dom-iusr-pw-1"}
    result = node_ops(
        put("W3SVC/1/ROOT", "AnonymousUserPass", secret="iusr"),
        matches("W3SVC/1/ROOT", "AnonymousUserPass", "iusr"),
        matches("W3SVC/1/ROOT/IISHelp", "AnonymousUserPass", "iusr"),  # inherited value counts
        matches("W3SVC/1/ROOT", "AnonymousUserPass", "wrong"),  # ordinal: case matters
        matches("W3SVC/1", "AnonymousUserPass", "iusr"),  # the site still inherits the setup password
        get("W3SVC/1/ROOT", "AnonymousUserPass"),
        secrets=secrets,
    )

    assert [entry.get("value") for entry in result["results"][:5]] == [None, True, True, False, False]
    assert result["results"][5]["value"]["properties"]["AnonymousUserPass"] == {
        "type": "STRING",
        "secure": True,
        "source": "here",
    }
    assert read_metabase("NODE1", "W3SVC/1/ROOT", "AnonymousUserPass") == "Dom-Iusr-Pw-1"
    assert "Dom-Iusr-Pw-1" not in json.dumps(result)


def test_secret_matches_is_false_when_unset(node_ops: NodeOps) -> None:
    assert node_ops.value(matches("W3SVC/1/ROOT", "UNCPassword", "s"), secrets={"s": "anything"}) is False


def test_secret_matches_fails_on_a_missing_key(node_ops: NodeOps) -> None:
    assert error_of(node_ops(matches("W3SVC/4", "WAMUserPass", "s"), secrets={"s": "x"}))["code"] == 0x80070003


def test_delete_makes_the_key_inherit_again(node_ops: NodeOps) -> None:
    node_ops.values(
        put("W3SVC/1/ROOT", "AnonymousUserName", value="WEBFARM\\IUSR_WEB"),
        {"op": "metabase_delete", "args": {"path": "W3SVC/1/ROOT", "property": "AnonymousUserName"}},
        {"op": "metabase_delete", "args": {"path": "W3SVC/1/ROOT", "property": "AnonymousUserName"}},
    )

    entry = node_ops.value(get("W3SVC/1/ROOT", "AnonymousUserName"))["properties"]["AnonymousUserName"]
    assert (entry["source"], entry["value"]) == ("inherited", "IUSR_NODE1")


def test_metabase_ops_fail_on_a_host_without_iis(node_ops: NodeOps) -> None:
    assert error_of(node_ops(get("W3SVC"), host="DC1"))["code"] == 0x80005000
