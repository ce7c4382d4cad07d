"""The WinRM server tests run against a fake lab (test_wsman_fakes.py), not the Windows model."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_wsman_fakes import FakeLab, serving

from iis_lab.wsman import RunningLab


@pytest.fixture
def lab() -> FakeLab:
    return FakeLab()


@pytest.fixture
def running(lab: FakeLab) -> Iterator[RunningLab]:
    with serving(lab) as server:
        yield server
