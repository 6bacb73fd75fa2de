"""The typed run context in the stash, the report header, and each test's transcript and request count."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from conformance._stash import EXCHANGES_KEY, RUN_CONTEXT_KEY, RunContext
from conformance.errors import ConformanceError
from conformance.pytest_plugin._keys import (
    ACTIONS_KEY,
    EMBEDDED_NAME,
    EXPLICIT_TARGET_KEY,
    RUN_ID_KEY,
    TRANSCRIPT_KEY,
    is_worker,
)
from conformance.pytest_plugin.options import resolve_run
from conformance.target.redact import Redactor
from conformance.target.tags import new_run_id
from conformance.target.transcript import Transcript

REQUESTS_PROPERTY = "graph_conformance_requests"  # on a worker's reports: requests sent in that phase
_COUNTED_KEY = pytest.StashKey[int]()  # per item: exchanges already counted in an earlier phase


def run_context(config: pytest.Config) -> RunContext:
    """This run's context (set up in pytest_configure)."""
    return config.stash[RUN_CONTEXT_KEY]


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Build the run context from the resolved run (options.py) and start the transcript."""
    config.addinivalue_line(
        "markers", "requirement(*ids): the catalog requirement ids a conformance case checks"
    )
    if RUN_ID_KEY not in config.stash and not config.option.help:  # configured without pytest_cmdline_main
        try:
            resolve_run(config)
        except ConformanceError as error:
            pytest.exit(f"graph-conformance: {error}", returncode=error.exit_code)
    target = config.stash.get(EXPLICIT_TARGET_KEY, None)
    config.stash[TRANSCRIPT_KEY] = Transcript(Redactor(target.secrets() if target else ()))
    context = RunContext(
        run_id=config.stash.get(RUN_ID_KEY, None) or new_run_id(),
        target_name=target.name if target else EMBEDDED_NAME,
        base_url=target.base_url if target else "embedded (127.0.0.1, free port)",
        unsupported_profiles=tuple(sorted(target.unsupported_profiles)) if target else (),
        actions=config.stash.get(ACTIONS_KEY, ()),
    )
    config.stash[RUN_CONTEXT_KEY] = context


def pytest_report_header(config: pytest.Config) -> str:
    """One line: target name, base URL, run id."""
    context = run_context(config)
    return f"graph-conformance: target {context.target_name!r} at {context.base_url}, run id {context.run_id}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    """Send this test's exchanges to `item.stash[EXCHANGES_KEY]` and keep the run's request count."""
    transcript = item.config.stash[TRANSCRIPT_KEY]
    item.stash[EXCHANGES_KEY] = []
    transcript.start_test(item.stash[EXCHANGES_KEY])
    try:
        return (yield)
    finally:
        transcript.stop_test()
        context = run_context(item.config)
        context.request_count = transcript.request_count


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """On an xdist worker: attach the number of requests of each phase to the report for the controller."""
    report = yield
    if is_worker(item.config):
        exchanges = len(item.stash.get(EXCHANGES_KEY, []))
        report.user_properties.append((REQUESTS_PROPERTY, exchanges - item.stash.get(_COUNTED_KEY, 0)))
        item.stash[_COUNTED_KEY] = exchanges
    return report
