"""Fixtures: a fresh lab per test (see lab_harness.py)."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest

from lab_harness import Lab


@pytest.fixture
def lab(tmp_path: Path) -> t.Iterator[Lab]:
    """A fresh default-topology lab for one test."""
    running = Lab(tmp_path)
    try:
        yield running
    finally:
        running.stop()

