"""Fixtures for the report tests: an inner pytest project with a small catalog and fake conformance cases."""

from __future__ import annotations

import pytest

from tests.report._inner_project import (
    CATALOG_ROWS,
    CONFTEST,
    FAILING_CASES,
    INNER_INI,
    PASSING_CASES,
    InnerProject,
    catalog_yaml,
    with_secrets,
)


@pytest.fixture
def inner_project(pytester: pytest.Pytester) -> InnerProject:
    """Make an inner project: catalog + conftest + the chosen case modules."""

    def make(
        *, failing: bool = True, rows: list[tuple[str, str, str, str]] = CATALOG_ROWS
    ) -> pytest.Pytester:
        pytester.makefile(".yaml", requirements=catalog_yaml(rows))
        pytester.makeini(INNER_INI)
        pytester.makeconftest(with_secrets(CONFTEST))
        modules = {"test_passing_cases": with_secrets(PASSING_CASES)}
        if failing:
            modules["test_failing_cases"] = with_secrets(FAILING_CASES)
        pytester.makepyfile(**modules)
        return pytester

    return make
