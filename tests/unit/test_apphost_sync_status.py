"""The IIS 7-10 step 8 status table: every ERROR_* code of Microsoft's "Web Deploy error codes"
page and the Windows codes of Shared Configuration, in every spelling, and the docs page
generated from it."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.webfarm.iis_cluster.plugins.filter.apphost_sync_status import apphost_sync_status
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._apphost_sync_status import (
    SHARED_CONFIG,
    SOURCES,
    STATUSES,
    UNDESCRIBED,
    WEB_DEPLOY,
    decode,
)

ROOT = Path(__file__).resolve().parents[2]
WEB_DEPLOY_CODES = [status for status in STATUSES if isinstance(status.code, str)]
WINDOWS_CODES = [status for status in STATUSES if not isinstance(status.code, str)]

# The Windows codes the brief and modern-iis.md name for Shared Configuration and its reader:
# (code, the HRESULT that wraps it or the code itself, signed, symbol).
WINDOWS = [
    (0x80090005, "0x80090005", -2146893819, "NTE_BAD_DATA"),
    (5, "0x80070005", -2147024891, "ERROR_ACCESS_DENIED"),
    (53, "0x80070035", -2147024843, "ERROR_BAD_NETPATH"),
    (67, "0x80070043", -2147024829, "ERROR_BAD_NET_NAME"),
    (1326, "0x8007052E", -2147023570, "ERROR_LOGON_FAILURE"),
    (1330, "0x80070532", -2147023566, "ERROR_PASSWORD_EXPIRED"),
    (1331, "0x80070533", -2147023565, "ERROR_ACCOUNT_DISABLED"),
    (1385, "0x80070569", -2147023511, "ERROR_LOGON_TYPE_NOT_GRANTED"),
    (1909, "0x80070775", -2147022987, "ERROR_ACCOUNT_LOCKED_OUT"),
    (3, "0x80070003", -2147024893, "ERROR_PATH_NOT_FOUND"),
    (1168, "0x80070490", -2147023728, "ERROR_NOT_FOUND"),
    (0x80090029, "0x80090029", -2146893783, "NTE_NOT_SUPPORTED"),
]


def _page_codes() -> list[str]:
    """The ERROR_* codes of Microsoft's page, as tests/unit/data keeps them."""
    text = (ROOT / "tests" / "unit" / "data" / "web-deploy-error-codes.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def _listed_in_modern_iis() -> list[str]:
    """The codes the Web Deploy bullet of the shared reference notes (modern-iis.md) lists, as
    tests/unit/data keeps it, a trailing ``*`` standing for a family."""
    text = (ROOT / "tests" / "unit" / "data" / "modern-iis-web-deploy-codes.txt").read_text(encoding="utf-8")
    return re.findall(r"ERROR_[A-Z_]+\*?", "\n".join(line for line in text.splitlines() if not line.startswith("#")))


def test_the_web_deploy_rows_are_exactly_the_codes_of_microsofts_page():
    assert sorted(status.code for status in WEB_DEPLOY_CODES) == sorted(_page_codes())
    assert len({status.code for status in STATUSES}) == len(STATUSES)


def test_every_code_modern_iis_lists_is_decoded():
    listed = _listed_in_modern_iis()
    assert len(listed) == 22
    for code in listed:
        if code.endswith("*"):
            family = [status for status in WEB_DEPLOY_CODES if status.code.startswith(code[:-1])]
            assert len(family) >= 2, code
        elif code in UNDESCRIBED:
            assert code not in _page_codes()
            assert decode(code).status is None
        else:
            assert decode(code).status is not None, code


def test_the_members_of_a_family_modern_iis_names_are_decoded():
    for provider in ("IISAPP", "SETACL", "CREATEAPP", "CONTENTPATH"):
        assert decode(f"ERROR_USER_NOT_AUTHORIZED_FOR_{provider}").status is not None


def test_only_error_connection_terminated_has_no_description_and_it_says_so():
    assert list(UNDESCRIBED) == ["ERROR_CONNECTION_TERMINATED"]
    entry = decode("connection_terminated")
    assert entry.code == "ERROR_CONNECTION_TERMINATED"
    assert "page does not describe this code" in entry.describe()
    assert entry.as_dict()["known"] is False


def test_every_row_has_meaning_remedy_a_known_source_and_a_method():
    for status in STATUSES:
        assert status.meaning.endswith(".") and status.remedy.endswith("."), status.code
        assert all(part in SOURCES for part in re.sub(r" \(.*\)$", "", status.source).split(", ")), status.code
        assert status.methods == ((WEB_DEPLOY,) if isinstance(status.code, str) else (SHARED_CONFIG,))


@pytest.mark.parametrize("code", [status.code for status in WEB_DEPLOY_CODES])
def test_every_spelling_of_a_web_deploy_code_decodes_to_its_entry(code: str):
    bare = code[len("ERROR_") :]
    for spelling in (code, code.lower(), f" {code.title()} ", bare, bare.lower()):
        entry = decode(spelling)
        assert entry.code == code
        assert entry.status is not None and entry.status.code == code
        assert entry.describe().startswith(f"Web Deploy error {code}: ")


@pytest.mark.parametrize(("code", "hresult", "signed", "symbol"), WINDOWS, ids=[row[3] for row in WINDOWS])
def test_every_spelling_of_a_windows_code_decodes_to_its_entry(code: int, hresult: str, signed: int, symbol: str):
    unsigned = int(hresult, 16)
    spellings = [
        code,
        str(code),
        hresult,
        hresult.lower(),
        unsigned,
        str(unsigned),
        signed,
        str(signed),
        f" {hresult} ",
    ]
    for spelling in spellings:
        entry = decode(spelling)
        assert entry.status is not None and entry.status.symbol == symbol, spelling
        assert entry.status.code == code
    assert decode(hresult).as_dict()["signed"] == signed
    assert decode(hresult).as_dict()["code"] == hresult.upper().replace("0X", "0x")


def test_the_windows_rows_are_exactly_the_codes_of_shared_configuration():
    assert [status.code for status in WINDOWS_CODES] == [row[0] for row in WINDOWS]


def test_a_win32_code_reads_as_its_number_an_hresult_in_hex():
    assert decode(53).describe().startswith("Windows error 53 (0x00000035, ERROR_BAD_NETPATH): ")
    assert decode("0x80070035").describe().startswith("Windows error 0x80070035 (ERROR_BAD_NETPATH): ")
    assert decode(-2146893819).describe().startswith("Windows error 0x80090005 (NTE_BAD_DATA): Bad Data")


def test_the_contexts_the_brief_names_are_kept():
    assert "Failed to decrypt attribute" in decode("0x80090005").status.meaning
    assert "Failed to commit configuration changes" in decode("0x80070005").status.meaning
    assert "redirection.config" in decode(1330).status.remedy
    assert decode(1330).status.source == "Shared Configuration and password expiration"
    assert "Log on as a batch job" in decode(1385).status.meaning


def test_the_preflight_column():
    # The Web Deploy preview reaches the target: a refused connection or logon shows there; what
    # only a write meets does not (what-if is optimistic).
    assert decode("ERROR_DESTINATION_NOT_REACHABLE").status.preflight
    assert decode("ERROR_USER_UNAUTHORIZED").status.preflight
    assert not decode("ERROR_FILE_IN_USE").status.preflight
    assert not decode("ERROR_OBJECT_TO_BE_DELETED_DOES_NOT_EXIST").status.preflight
    # The reader's logon and read of the share, and a node's decryption, are all tried before a
    # change; what only the export or the disabling meets is not.
    late = {1168, 0x80090029}
    assert all(status.preflight == (status.code not in late) for status in WINDOWS_CODES)


@pytest.mark.parametrize("unknown", ["ERROR_NOT_A_WEB_DEPLOY_CODE", "0x80070020", 1234, "-2147024864"])
def test_an_unknown_code_says_so_plainly(unknown):
    entry = decode(unknown)
    assert entry.status is None
    assert entry.describe().endswith("is not a code this collection knows; look it up in Microsoft's error references.")
    assert apphost_sync_status(unknown)["known"] is False
    assert apphost_sync_status(unknown)["methods"] == []


def test_a_bare_name_that_is_no_web_deploy_code_is_not_a_code():
    with pytest.raises(ValueError, match="is not a Windows error code"):
        decode("NOT_A_CODE")


def test_the_filter_returns_the_whole_entry():
    assert apphost_sync_status("file_in_use") == {
        "code": "ERROR_FILE_IN_USE",
        "signed": None,
        "known": True,
        "symbol": None,
        "meaning": decode("ERROR_FILE_IN_USE").status.meaning,
        "remedy": decode("ERROR_FILE_IN_USE").status.remedy,
        "source": "Web Deploy error codes",
        "methods": ["web_deploy"],
        "preflight": False,
        "description": decode("ERROR_FILE_IN_USE").describe(),
    }
    assert apphost_sync_status("0x80070569")["symbol"] == "ERROR_LOGON_TYPE_NOT_GRANTED"
    assert apphost_sync_status("0x80070569")["methods"] == ["shared_config"]


@pytest.mark.parametrize("bad", ["abc", "0x1FFFFFFFF", 1.5, None, True, "ERROR-FILE-IN-USE"])
def test_the_filter_refuses_what_is_not_a_code(bad):
    with pytest.raises(AnsibleFilterError, match="^apphost_sync_status: "):
        apphost_sync_status(bad)


def _page_module():
    spec = importlib.util.spec_from_file_location("status_codes", ROOT / "hack" / "status_codes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_docs_page_is_the_table():
    assert (ROOT / "docs" / "apphost-sync-status-codes.md").read_text(
        encoding="utf-8"
    ) == _page_module().render_apphost_sync(), "docs/apphost-sync-status-codes.md is stale: run make status-codes"


def test_the_page_lists_every_code_with_its_remedy_and_every_source():
    rendered = _page_module().render_apphost_sync()
    for status in WEB_DEPLOY_CODES:
        assert f"| `{status.code}` | {'yes' if status.preflight else 'no'} |" in rendered
    for status in WINDOWS_CODES:
        assert f"| {status.code} | `{decode(status.code).spelled}` |" in rendered
    for status in STATUSES:
        assert status.remedy.replace("|", "\\|") in rendered
    for code in UNDESCRIBED:
        assert f"| `{code}` |" in rendered
    for address in SOURCES.values():
        assert address in rendered
