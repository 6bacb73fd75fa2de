"""Fixtures shared by the project's tests: scripted prerequisite gaps and where prerequisite records land."""

from __future__ import annotations

import pytest

from conformance.target.prerequisites import Record
from tests._gaps import Gaps


@pytest.fixture
def gaps(monkeypatch: pytest.MonkeyPatch) -> Gaps:
    """Scripted answers replacing the server's (none until a test adds some)."""
    return Gaps(monkeypatch)


@pytest.fixture
def records() -> list[Record]:
    """Where a Provisioner's prerequisite records land."""
    return []
