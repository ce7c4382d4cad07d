"""The metabase model: keys, typed values, inheritance, the schema's classes, ADSI's errors."""

from __future__ import annotations

import typing as t

import pytest
from conftest import lab_of

from iis_lab.state import host_state
from iis_lab.windows.errors import WindowsApiError
from iis_lab.windows.host import WINDOWS_2000, WINDOWS_2003
from iis_lab.windows.iis_setup import install_iis
from iis_lab.windows.metabase import Metabase, Source


@pytest.fixture
def metabase() -> Metabase:
    return install_iis("NODE1", WINDOWS_2000, make_password=lambda: "Setup-Pw-1")


def error_code(call) -> int:
    with pytest.raises(WindowsApiError) as caught:
        call()
    return caught.value.code


def test_value_set_at_a_key_is_read_there(metabase: Metabase) -> None:
    reading = metabase.read("W3SVC", "AnonymousUserName")

    assert (reading.source, reading.value) == (Source.HERE, "IUSR_NODE1")


def test_inheritable_value_is_read_from_the_nearest_key_above(metabase: Metabase) -> None:
    metabase.write("W3SVC/1", "AnonymousUserName", "WEBFARM\\IUSR_SITE")

    assert metabase.read("W3SVC/1/ROOT/IISHelp", "AnonymousUserName").value == "WEBFARM\\IUSR_SITE"
    assert metabase.read("W3SVC/1/ROOT/IISHelp", "AnonymousUserName").source is Source.INHERITED
    assert metabase.read("W3SVC", "AnonymousUserName").value == "IUSR_NODE1"


def test_a_value_set_lower_in_the_tree_overrides_the_one_above(metabase: Metabase) -> None:
    metabase.write("W3SVC/1/ROOT", "AuthFlags", 1)

    assert metabase.read("W3SVC/1/ROOT/IISHelp", "AuthFlags").value == 1
    assert metabase.read("W3SVC/1", "AuthFlags").value == 5


def test_non_inheritable_value_is_not_seen_below(metabase: Metabase) -> None:
    # KeyType is never inherited: a key whose own KeyType is cleared does not take its parent's
    # and is bound as IIsObject, whose class lists every property.
    metabase.create_key("W3SVC/1/ROOT/Plain", "IIsWebDirectory")
    metabase.clear("W3SVC/1/ROOT/Plain", "KeyType")

    assert metabase.key("W3SVC/1/ROOT/Plain").key_type == "IIsObject"
    assert error_code(lambda: metabase.read("W3SVC/1/ROOT/Plain", "KeyType")) == 0x800CC801
    assert metabase.read("W3SVC/1/ROOT/Plain", "AnonymousUserName").value == "IUSR_NODE1"


def test_property_with_no_value_here_or_above_fails_with_md_error_data_not_found(metabase: Metabase) -> None:
    assert error_code(lambda: metabase.read("W3SVC/1/ROOT", "UNCUserName")) == 0x800CC801


def test_property_the_class_does_not_list_fails_with_0x80005006_even_when_set_above(metabase: Metabase) -> None:
    # WAMUserName belongs to IIsWebService: an IIsWebVirtualDir does not see it.
    assert error_code(lambda: metabase.read("W3SVC/1/ROOT", "WAMUserName")) == 0x80005006
    assert error_code(lambda: metabase.write("W3SVC/1/ROOT", "WAMUserName", "x")) == 0x80005006


def test_missing_key_fails_with_0x80070003(metabase: Metabase) -> None:
    assert error_code(lambda: metabase.read("W3SVC/7/ROOT", "Path")) == 0x80070003
    assert error_code(lambda: metabase.write("W3SVC/7", "ServerComment", "x")) == 0x80070003


def test_unknown_property_fails_with_0x80005006_as_one_the_class_does_not_list(metabase: Metabase) -> None:
    assert error_code(lambda: metabase.read("W3SVC", "NoSuchProperty")) == 0x80005006
    assert error_code(lambda: metabase.clear("W3SVC", "NoSuchProperty")) == 0x80005006


@pytest.mark.parametrize("path", ["/W3SVC", "W3SVC/", "W3SVC//1"])
def test_path_with_an_empty_name_is_invalid(metabase: Metabase, path: str) -> None:
    assert error_code(lambda: metabase.key(path)) == 0x80005000


def test_paths_and_names_are_case_insensitive_and_keep_their_spelling(metabase: Metabase) -> None:
    metabase.write("w3svc/1/root", "anonymoususername", "WEBFARM\\IUSR_X")

    key = metabase.key("W3SVC/1/Root/iishelp")
    reading = metabase.read("w3svc/1/ROOT/IISHELP", "ANONYMOUSUSERNAME")
    assert (key.metabase_path, key.adsi_path) == ("/LM/W3SVC/1/ROOT/IISHelp", "W3SVC/1/ROOT/IISHelp")
    assert (reading.schema.name, reading.value) == ("AnonymousUserName", "WEBFARM\\IUSR_X")
    assert "AnonymousUserName" in metabase.key("W3SVC/1/ROOT").values


@pytest.mark.parametrize(
    ("name", "value", "stored"),
    [
        ("ServerComment", "Site", "Site"),
        ("LogFileDirectory", "%WinDir%\\Logs", "%WinDir%\\Logs"),
        ("MaxConnections", 4294967295, 4294967295),
        ("MaxConnections", -1, 4294967295),  # a signed VT_I4 from a script is the same DWORD
        ("ServerAutoStart", False, False),
        ("ServerBindings", ["10.20.0.12:80:", ":8080:"], ("10.20.0.12:80:", ":8080:")),
        ("SSLCertHash", "00ff10", b"\x00\xff\x10"),
    ],
)
def test_values_are_stored_as_their_type(metabase: Metabase, name: str, value: object, stored: object) -> None:
    metabase.write("W3SVC/1", name, value)

    assert metabase.read("W3SVC/1", name).value == stored


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ServerComment", 5),
        ("MaxConnections", "5"),
        ("MaxConnections", True),
        ("MaxConnections", 2**32),
        ("ServerAutoStart", "yes"),
        ("ServerBindings", ":80:"),
        ("ServerBindings", [80]),
        ("SSLCertHash", "xyz"),
        ("ServerComment", None),
    ],
)
def test_value_of_the_wrong_type_fails_with_0x8000500C(metabase: Metabase, name: str, value: object) -> None:
    before = metabase.key("W3SVC/1").values.get(name)

    assert error_code(lambda: metabase.write("W3SVC/1", name, value)) == 0x8000500C
    assert metabase.key("W3SVC/1").values.get(name) == before


def test_clear_makes_the_key_inherit_again_and_tolerates_nothing_to_clear(metabase: Metabase) -> None:
    metabase.write("W3SVC/1/ROOT", "AnonymousUserName", "WEBFARM\\IUSR_X")
    metabase.clear("W3SVC/1/ROOT", "AnonymousUserName")
    metabase.clear("W3SVC/1/ROOT", "AnonymousUserName")

    reading = metabase.read("W3SVC/1/ROOT", "AnonymousUserName")
    assert (reading.source, reading.value) == (Source.INHERITED, "IUSR_NODE1")


def test_bit_properties_read_and_write_their_flags(metabase: Metabase) -> None:
    # AccessFlags at ROOT is 0x201: AccessRead | AccessScript.
    assert metabase.read("W3SVC/1/ROOT", "AccessScript").value is True
    assert metabase.read("W3SVC/1/ROOT", "AccessWrite").value is False

    metabase.write("W3SVC/1/ROOT", "AccessWrite", True)
    metabase.write("W3SVC/1/ROOT", "AccessScript", False)

    assert metabase.read("W3SVC/1/ROOT", "AccessFlags").value == 0x3
    assert "AccessWrite" not in metabase.key("W3SVC/1/ROOT").values


def test_writing_a_bit_stores_the_inherited_flags_at_the_key(metabase: Metabase) -> None:
    # DirBrowseFlags is set on W3SVC only; turning browsing on for the site stores all flags there.
    metabase.write("W3SVC/1", "EnableDirBrowsing", True)

    assert metabase.read("W3SVC/1", "DirBrowseFlags").value == 0xC000001E
    assert metabase.read("W3SVC", "EnableDirBrowsing").value is False


def test_clearing_a_bit_clears_its_whole_flags_property(metabase: Metabase) -> None:
    metabase.clear("W3SVC/1/ROOT", "AccessRead")

    assert error_code(lambda: metabase.read("W3SVC/1/ROOT", "AccessFlags")) == 0x800CC801


def test_iis5_setup_leaves_the_kb_defaults(metabase: Metabase) -> None:
    def value(path: str, name: str) -> object:
        return metabase.read(path, name).value

    assert value("W3SVC", "WAMUserName") == "IWAM_NODE1"
    assert value("W3SVC", "AnonymousPasswordSync") is True
    assert value("W3SVC", "AuthFlags") == 5
    assert value("W3SVC/1", "ServerComment") == "Default Web Site"
    assert value("W3SVC/1", "ServerBindings") == (":80:",)
    assert value("W3SVC/1/ROOT", "Path") == "C:\\Inetpub\\wwwroot"
    assert value("W3SVC/1/ROOT", "AppRoot") == "/LM/W3SVC/1/ROOT"
    assert value("W3SVC/1/ROOT", "AppIsolated") == 2
    assert value("W3SVC/1/ROOT/IISHelp", "Path") == "C:\\WINNT\\Help\\iisHelp"
    assert value("MSFTPSVC", "AnonymousUserName") == "IUSR_NODE1"
    assert value("MSFTPSVC/1", "ServerComment") == "Default FTP Site"
    assert value("MSFTPSVC/1/ROOT", "Path") == "C:\\Inetpub\\ftproot"
    assert [key.key_type for key in metabase.keys()] == [
        "IIsComputer",
        "IIsWebService",
        "IIsWebServer",
        "IIsWebVirtualDir",
        "IIsWebVirtualDir",
        "IIsFtpService",
        "IIsFtpServer",
        "IIsFtpVirtualDir",
    ]


def test_setup_gives_iusr_one_password_for_both_services_and_iwam_another() -> None:
    passwords = iter(["iusr-secret", "iwam-secret"])
    metabase = install_iis("NODE1", WINDOWS_2000, make_password=lambda: next(passwords))

    assert metabase.read("W3SVC", "AnonymousUserPass").value == "iusr-secret"
    assert metabase.read("MSFTPSVC", "AnonymousUserPass").value == "iusr-secret"
    assert metabase.read("W3SVC", "WAMUserPass").value == "iwam-secret"


def test_iis6_setup_keeps_the_anonymous_password_in_the_metabase_and_installs_no_ftp() -> None:
    metabase = install_iis("NODE1", WINDOWS_2003)

    assert metabase.read("W3SVC", "AnonymousPasswordSync").value is False
    assert metabase.read("W3SVC/1/ROOT/IISHelp", "Path").value == "C:\\WINDOWS\\Help\\iisHelp"
    assert error_code(lambda: metabase.key("MSFTPSVC")) == 0x80070003


def test_random_setup_passwords_differ_between_hosts() -> None:
    first = install_iis("NODE1", WINDOWS_2000).read("W3SVC", "WAMUserPass").value
    second = install_iis("NODE2", WINDOWS_2000).read("W3SVC", "WAMUserPass").value

    assert first != second and len(str(first)) >= 12


def test_a_seeded_metabase_holds_that_many_more_properties_the_same_on_every_node() -> None:
    plain, seeded = lab_of(), lab_of(metabase_properties=1234)

    def count(lab: t.Any, name: str) -> int:
        return sum(len(key.values) - 1 for key in lab.host_named(name).metabase.keys())  # KeyType aside

    assert count(seeded, "NODE1") - count(plain, "NODE1") == 1234
    assert count(seeded, "NODE2") - count(plain, "NODE2") == 1234
    added = [key for key in seeded.host_named("NODE1").metabase.keys() if "/dept" in key.metabase_path]
    assert added[0].metabase_path == "/LM/W3SVC/1/ROOT/dept1"
    assert {key.key_type for key in added} == {"IIsWebVirtualDir"}
    assert 2 <= min(len(key.values) - 1 for key in added[:-1]) and max(len(key.values) - 1 for key in added) <= 5

    def seeded_part(name: str) -> dict[str, t.Any]:
        metabase = host_state(seeded.host_named(name), lambda secret: "digest")["metabase"]
        return {path: key for path, key in metabase.items() if "/dept" in path}

    assert seeded_part("NODE1") == seeded_part("NODE2")
