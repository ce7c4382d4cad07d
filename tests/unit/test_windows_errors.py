from __future__ import annotations

import pytest

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._windows_errors import (
    describe,
    lookup,
    to_signed,
    to_unsigned,
)


@pytest.mark.parametrize("spelling", [2147942403, -2147024893, "0x80070003", "0X80070003", "2147942403", "-2147024893"])
def test_every_spelling_of_an_hresult_is_the_same_code(spelling):
    assert to_unsigned(spelling) == 0x80070003


def test_signed_form_is_what_an_exit_code_shows():
    assert to_signed(0x80005006) == -2147463162
    assert to_signed(1722) == 1722


@pytest.mark.parametrize("bad", ["eighty", "0xZZ", 1 << 32, -(1 << 31) - 1, True, 1.5])
def test_what_is_not_a_32_bit_code_is_refused(bad):
    with pytest.raises(ValueError, match="Windows error code|32 bits"):
        to_unsigned(bad)


def test_an_hresult_wrapping_a_win32_code_is_explained_by_that_code():
    known = lookup(0x80070005)
    assert known is not None and known.symbol == "ERROR_ACCESS_DENIED"


def test_description_names_code_symbol_meaning_and_remedy():
    text = describe(-2147024893)
    assert text.startswith("Windows error 0x80070003 ERROR_PATH_NOT_FOUND: The system cannot find the path specified.")
    assert "metabase_info" in text


def test_property_not_supported_carries_its_real_symbol_and_both_meanings():
    # ADSI answers 0x80005006 for a property the key's class lacks; adsutil.vbs also exits with
    # it for "not set at this node". adserr.h names it E_ADS_PROPERTY_NOT_SUPPORTED.
    text = describe(-2147463162)
    assert "E_ADS_PROPERTY_NOT_SUPPORTED" in text
    assert "probably not allowed at this node" in text and "only inherited" in text


def test_unknown_code_falls_back_to_the_hosts_message():
    assert describe(0x8004D00A, "The transaction was aborted.") == (
        "Windows error 0x8004D00A (2147799050): The transaction was aborted."
    )
    assert "no description is known" in describe(0x8004D00A)
