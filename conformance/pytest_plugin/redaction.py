"""No secret in what pytest prints or hands on: failure texts (`-l` locals, `-vv` diffs) and captured output.

Every report's long representation and captured sections go through the run's redactor (the configured
secrets, every token obtained, and the secret-shaped patterns) before the terminal, JUnit or the reports
see them, whatever the traceback holds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Generator
from typing import Any

import pytest

from conformance.pytest_plugin._keys import ACTIVE_TARGET_KEY, TRANSCRIPT_KEY
from conformance.target.redact import Redactor, redact_text

Clean = Callable[[str], str]


def redactor_of(config: pytest.Config) -> Clean:
    """The run's redactor (the transcript's, plus the active target's secrets), or the patterns alone."""
    transcript = config.stash.get(TRANSCRIPT_KEY, None)
    if transcript is None:
        return redact_text
    target = config.stash.get(ACTIVE_TARGET_KEY, None)
    if target is None:
        return transcript.redactor.text
    redactor = Redactor(target.secrets())
    return lambda text: redactor.text(transcript.redactor.text(text))


def _cleaned(value: Any, clean: Clean, seen: set[int]) -> Any:
    """`value` with every string inside it redacted: pytest's repr objects are changed in place."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        value[:] = [_cleaned(item, clean, seen) for item in value]
        return value
    if isinstance(value, tuple):
        return tuple(_cleaned(item, clean, seen) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and id(value) not in seen:
        seen.add(id(value))
        for name, item in list(vars(value).items()):
            object.__setattr__(value, name, _cleaned(item, clean, seen))
    return value


def redact_report(report: pytest.CollectReport | pytest.TestReport, clean: Clean) -> None:
    """Redact a report's failure representation and captured sections in place."""
    if report.longrepr is not None:
        report.longrepr = _cleaned(report.longrepr, clean, set())
    report.sections = [(title, clean(content)) for title, content in report.sections]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Redact each test report last, once every other plugin has shaped it."""
    report = yield
    redact_report(report, redactor_of(item.config))
    return report


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, Any]:
    """Redact collection errors too (a fixture or module failing at import)."""
    report = yield
    redact_report(report, redactor_of(collector.config))
    return report
