"""Fixtures: a fresh lab per test (see lab_harness.py)."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest

from lab_harness import Lab


@pytest.fixture
def lab(request: pytest.FixtureRequest, tmp_path: Path) -> t.Iterator[Lab]:
    """A fresh lab for one test: the default topology, or the test module's ``LAB_TOPOLOGY``."""
    running = Lab(tmp_path, topology=getattr(request.module, "LAB_TOPOLOGY", None))
    try:
        yield running
    finally:
        running.stop()

