"""Fixtures of the AWX tests."""

from __future__ import annotations

import pytest
from tool_runner import Tools


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> Tools:
    return Tools(tmp_path_factory.mktemp("home"))
