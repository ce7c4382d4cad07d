"""Fault kinds: one for every condition of KB Q224801's table, each documented in the README."""

from __future__ import annotations

import pathlib
import re

from iis_lab.faults import FAULT_KINDS

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
_ROW = re.compile(r"^\| `(?P<kind>[a-z_]+)` \| (?P<code>\d+) \(0x[0-9A-F]{8}\) \| (?P<host>[^|]+) \| (?P<check>yes|no) \|", re.M)

# Q224801's table and the related codes of legacy-iis.md, but 0 (success).
CODES = {3, 5, 64, 1060, 1722, 1726, 2147500037, 2147746132, 2148007941, 2148598792, 2148598794, 2148598801, 2148599041}


def test_there_is_a_fault_kind_for_every_code_and_one_code_per_kind() -> None:
    assert sorted(kind.code for kind in FAULT_KINDS.values()) == sorted(CODES)


def test_the_readme_documents_every_fault_kind_as_the_lab_defines_it() -> None:
    documented = {
        match["kind"]: (int(match["code"]), match["host"].strip(), match["check"] == "yes")
        for match in _ROW.finditer(README.read_text(encoding="utf-8"))
    }

    assert documented == {name: (kind.code, kind.host, kind.checkable) for name, kind in FAULT_KINDS.items()}


def test_only_the_codes_that_depend_on_the_run_itself_escape_the_preflight() -> None:
    # 0x80004005 and 0x8011040A come from the MTS replication share, which COM+ does not show.
    assert sorted(kind.code for kind in FAULT_KINDS.values() if not kind.checkable) == [
        64,
        1726,
        0x80004005,
        0x80080005,
        0x8011040A,
    ]
