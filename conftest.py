"""Repository root: makes the graph-conformance plugins active without an install; the project's tests
(tests/) run with warnings as errors, except the narrow ignores below."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest

_PLUGINS = ("conformance.plugin", "conformance.report.plugin", "conformance.cases.generated.plugin")
_INSTALLED = {entry.value for entry in entry_points(group="pytest11")}
pytest_plugins = [name for name in _PLUGINS if name not in _INSTALLED]

PROJECT_TESTS = Path(__file__).resolve().parent / "tests"
# Only for the project's tests: a warning inside a conformance case is no evidence against the target, so
# the conformance cases keep Python's defaults. Each ignore names the warning and who raises it, and why.
PROJECT_TEST_WARNINGS = ("error",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every item under tests/ with the project's warning filters (marks win over the ini's filters)."""
    mark = pytest.mark.filterwarnings(*PROJECT_TEST_WARNINGS)
    for item in items:
        if PROJECT_TESTS in item.path.parents:
            item.add_marker(mark)
