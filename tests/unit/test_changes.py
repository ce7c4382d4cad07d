from __future__ import annotations

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import Change, Shown, render_diff


def test_diff_shows_plain_values_and_only_markers_for_secrets():
    changes = [
        Change("/LM/W3SVC/WAMUserName", Shown.value("IWAM_NODE1"), Shown.value("WEBFARM\\IWAM_web"), ()),
        Change("/LM/W3SVC/WAMUserPass", Shown.secret(), Shown.secret(), (), secret=True),
    ]
    diff = render_diff(changes, "node1:/LM/W3SVC")
    assert diff["before"] == '/LM/W3SVC/WAMUserName: "IWAM_NODE1"\n/LM/W3SVC/WAMUserPass: (secret)\n'
    assert diff["after"] == '/LM/W3SVC/WAMUserName: "WEBFARM\\IWAM_web"\n/LM/W3SVC/WAMUserPass: (secret) (changed)\n'
    assert diff["before_header"] == diff["after_header"] == "node1:/LM/W3SVC"


def test_values_are_shown_as_adsutil_shows_them():
    assert Shown.value([":80:", ":8080:"]).text == '[":80:", ":8080:"]'
    assert Shown.value(False).text == "False"
    assert Shown.value(5).text == "5"
    assert Shown.absent().text == "(not set)"
