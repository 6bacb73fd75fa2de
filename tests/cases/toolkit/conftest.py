"""The toolkit's unit tests never end skipped: the suite plugin turns a PrerequisiteFailed (and a case's
not-verified / not-applicable) into a skip, which would let a broken check pass these tests unnoticed."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """A skip of a test body here is a failure (the body raised what a case turns into not-verified)."""
    report = yield
    if report.when == "call" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"a toolkit unit test ended skipped: {report.longrepr}"
    return report
