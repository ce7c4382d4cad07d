"""The IISSync status table: every code of KB Q224801 and the related KBs, in every spelling,
and the docs page generated from it."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.webfarm.iis_cluster.plugins.filter.iissync_status import iissync_status
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._iissync_status import STATUSES, decode

ROOT = Path(__file__).resolve().parents[2]

# Every code the issue and legacy-iis.md list: (unsigned, hex, signed, symbol).
CODES = [
    (0, "0x00000000", 0, "ERROR_SUCCESS"),
    (3, "0x00000003", 3, "ERROR_PATH_NOT_FOUND"),
    (5, "0x00000005", 5, "ERROR_ACCESS_DENIED"),
    (64, "0x00000040", 64, "ERROR_NETNAME_DELETED"),
    (1060, "0x00000424", 1060, "ERROR_SERVICE_DOES_NOT_EXIST"),
    (1722, "0x000006BA", 1722, "RPC_S_SERVER_UNAVAILABLE"),
    (1726, "0x000006BE", 1726, "RPC_S_CALL_FAILED"),
    (2147500037, "0x80004005", -2147467259, "E_FAIL"),
    (2147746132, "0x80040154", -2147221164, "REGDB_E_CLASSNOTREG"),
    (2148007941, "0x80080005", -2146959355, "CO_E_SERVER_EXEC_FAILURE"),
    (2148598792, "0x80110408", -2146368504, "COMADMIN_E_APP_FILE_READFAIL"),
    (2148598794, "0x8011040A", -2146368502, "COMADMIN_E_BADPATH"),
    (2148598801, "0x80110411", -2146368495, "COMADMIN_E_NOREGISTRYCLSID"),
    (2148599041, "0x80110501", -2146368255, None),
]


def test_the_table_holds_exactly_the_codes_of_the_kbs():
    assert [status.code for status in STATUSES] == [code for code, *_ in CODES]


@pytest.mark.parametrize(("code", "hex_form", "signed", "symbol"), CODES, ids=[c[1] for c in CODES])
def test_every_spelling_of_a_code_decodes_to_the_same_entry(code, hex_form, signed, symbol):
    spellings = [code, signed, str(code), str(signed), hex_form, hex_form.lower(), f" {hex_form} "]
    decoded = [decode(spelling) for spelling in spellings]

    assert {(entry.code, entry.hex, entry.signed) for entry in decoded} == {(code, hex_form, signed)}
    assert {entry.status.symbol for entry in decoded} == {symbol}
    assert all(entry.status.meaning and entry.status.remedy for entry in decoded)


def test_access_denied_reads_the_same_as_a_win32_code_or_its_hresult():
    for spelling in (5, 0x80070005, -2147024891, "0x80070005", "2147942405"):
        entry = decode(spelling)
        assert entry.status.symbol == "ERROR_ACCESS_DENIED"
        assert "double hop" in entry.status.meaning


def test_the_kbs_meanings_are_kept():
    assert decode(1060).status.meaning.endswith("the DCOM default protocols do not match on both nodes.")
    assert "same subnet" in decode(2148598792).status.remedy
    assert decode(2148598801).status.meaning == "The component's CLSID is missing or corrupt."
    assert decode(2147500037).status.kb == "Q224801, Q191138"


def test_only_64_is_transient():
    assert [status.code for status in STATUSES if status.transient] == [64]


def test_an_unknown_code_says_so_plainly():
    entry = decode("0x80070020")

    assert entry.status is None
    assert entry.describe() == (
        "IISSync status 2147942432 (0x80070020) is not in KB Q224801's table nor in the related KBs this "
        "collection knows; look up 0x80070020 in Microsoft's error code references."
    )


def test_the_filter_returns_the_whole_entry():
    assert iissync_status("-2146368502") == {
        "code": 2148598794,
        "hex": "0x8011040A",
        "signed": -2146368502,
        "known": True,
        "symbol": "COMADMIN_E_BADPATH",
        "meaning": "Invalid share in the MTS replication settings.",
        "remedy": decode(2148598794).status.remedy,
        "kb": "Q224801",
        "transient": False,
        "description": decode(2148598794).describe(),
    }
    assert iissync_status(12345)["known"] is False


@pytest.mark.parametrize("bad", ["abc", "0x1FFFFFFFF", 1.5, None, True, "-0x80000001"])
def test_the_filter_refuses_what_is_not_a_code(bad):
    with pytest.raises(AnsibleFilterError, match="^iissync_status: "):
        iissync_status(bad)


def _page_module():
    spec = importlib.util.spec_from_file_location("status_codes", ROOT / "hack" / "status_codes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_docs_page_is_the_table():
    page = _page_module()

    assert (ROOT / "docs" / "iissync-status-codes.md").read_text(
        encoding="utf-8"
    ) == page.render_iissync(), "docs/iissync-status-codes.md is stale: run make status-codes"


def test_the_page_lists_every_code_with_its_remedy():
    rendered = _page_module().render_iissync()

    for status in STATUSES:
        forms = decode(status.code)
        assert f"| {status.code} | `{forms.hex}` | {forms.signed} |" in rendered
        assert status.remedy in rendered


def _q224801_table() -> dict[int, str]:
    """KB Q224801's own table, code to meaning, as the article prints it."""
    text = (ROOT / "tests" / "unit" / "data" / "q224801-status-codes.txt").read_text(encoding="utf-8")
    rows = (re.match(r"^(\d+) (.+)$", line) for line in text.splitlines() if not line.startswith("#"))
    return {int(row.group(1)): row.group(2) for row in rows if row}


def _words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z]+", text.lower()) if len(word) > 3}


def test_the_rows_attributed_to_q224801_are_exactly_its_table_and_keep_its_meaning():
    kb_table = _q224801_table()
    attributed = {status.code: status for status in STATUSES if status.in_q224801}

    assert len(kb_table) == 10
    assert sorted(attributed) == sorted(kb_table)
    for code, kb_meaning in kb_table.items():
        # A pointer to another KB is kept in the source column, not the meaning.
        meaning = _words(re.sub(r"See the Knowledge Base article (Q\d+)", "", kb_meaning))
        ours = _words(attributed[code].meaning + " " + attributed[code].remedy)
        assert len(meaning & ours) >= len(meaning) / 2, (code, kb_meaning, attributed[code].meaning)
        assert all(pointer in attributed[code].kb for pointer in re.findall(r"article (Q\d+)", kb_meaning))


def test_every_other_row_names_its_own_source_and_why_it_is_decoded():
    beyond = [status for status in STATUSES if not status.in_q224801]

    assert [status.code for status in beyond] == [5, 64, 1726, 0x80040154]
    assert [status.kb for status in beyond] == [
        "Windows System Error Codes (0-499)",
        "Q214783",
        "Windows System Error Codes (1700-3999)",
        "Q310412",
    ]
    assert all(status.beyond_q224801 for status in beyond)
    assert not any(status.beyond_q224801 for status in STATUSES if status.in_q224801)


def test_the_page_says_which_codes_q224801_does_not_list_and_why():
    rendered = _page_module().render_iissync()
    section = rendered.split("## Codes KB Q224801 does not list", 1)[1]
    listed = [int(code) for code in re.findall(r"^\| (\d+) \|", section, re.M)]

    assert listed == [status.code for status in STATUSES if not status.in_q224801]
    for status in STATUSES:
        if not status.in_q224801:
            assert status.beyond_q224801 in section
