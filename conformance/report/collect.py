"""pytest hooks that turn conformance items' reports into CaseResults, also across xdist workers."""

from __future__ import annotations

import re
from collections.abc import Generator
from typing import Any

import pytest

from conformance._stash import EXCHANGES_KEY, FOOTPRINT_PROPERTY, RUN_CONTEXT_KEY
from conformance.outcomes import NOT_APPLICABLE, NOT_VERIFIED, outcome_of_skip
from conformance.report.evidence import excerpt_exchanges
from conformance.report.model import FAIL, CaseResult
from conformance.report.prerequisites import records_of
from conformance.target.footprint import Footprint, FootprintCounter, total_footprint
from conformance.target.polling import EFFECT_PROPERTY
from conformance.target.prerequisites import PREREQUISITE_PROPERTY
from conformance.target.redact import redact_text, redact_value

REPORT_ATTRIBUTE = "graph_conformance"  # a custom TestReport attribute; xdist serialises report.__dict__
MESSAGE_CHARS = 4000
# `conformance.errors.ConformanceFailure: `, `AssertionError: `: a Python class name, not news for a reader
_CLASS_PREFIX = re.compile(r"^(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Failure|Exception|Exit|Warning): ")
# `Skipped: not-verified: `: pytest's and the outcome's words, which the report's outcome column already says
_OUTCOME_PREFIX = re.compile(rf"^\s*(?:Skipped:\s*)?(?:(?:{NOT_VERIFIED}|{NOT_APPLICABLE}):\s*)?")
_SENT_COUNT_KEY = pytest.StashKey[int]()
_FOOTPRINT_KEY = pytest.StashKey[Footprint]()


def requirement_ids_of(item: pytest.Item) -> list[str]:
    """The requirement ids named by an item's `requirement` markers (in order, without duplicates)."""
    ids: list[str] = []
    for marker in item.iter_markers(name="requirement"):
        for requirement_id in marker.args:
            if str(requirement_id) not in ids:
                ids.append(str(requirement_id))
    return ids


def _new_exchanges(item: pytest.Item) -> list[Any]:
    """The exchanges the suite plugin recorded for this item since the last report (all, not excerpted)."""
    exchanges = item.stash.get(EXCHANGES_KEY, None)
    if not isinstance(exchanges, list):
        return []
    already_sent = item.stash.get(_SENT_COUNT_KEY, 0)
    item.stash[_SENT_COUNT_KEY] = len(exchanges)
    return list(exchanges[already_sent:])


def _set_property(properties: list[tuple[str, object]], name: str, value: object) -> None:
    """Replace the user property `name` (one per item, cumulative) or add it."""
    properties[:] = [entry for entry in properties if entry[0] != name]
    properties.append((name, value))


def _property(properties: list[tuple[str, object]], name: str) -> object:
    """The last value of the user property `name`, or None."""
    return next((value for key, value in reversed(properties) if key == name), None)


def without_class_name(text: str) -> str:
    """A failure text without the exception's Python class (`conformance.errors.ConformanceFailure: `)."""
    return _CLASS_PREFIX.sub("", text, count=1)


def without_outcome_prefix(text: str) -> str:
    """A skip reason without pytest's `Skipped: ` and the outcome's `not-verified: ` (or not-applicable)."""
    return _OUTCOME_PREFIX.sub("", text, count=1)


def _skip_reason(report: pytest.TestReport) -> str | None:
    """The reason a skipped report gives, as pytest wrote it (`Skipped: not-verified: ...`), else None."""
    if report.skipped and isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        return str(report.longrepr[2])
    return None


def _message_of(report: pytest.TestReport) -> str:
    """A redacted, bounded failure text or skip reason for a report."""
    crash = getattr(report.longrepr, "reprcrash", None)
    crash_message = getattr(crash, "message", None)
    reason = _skip_reason(report)
    if reason is not None:
        text = without_outcome_prefix(reason)
    elif isinstance(crash_message, str) and crash_message:  # the exception itself, not the traceback
        text = without_class_name(crash_message)
        text = f"{text}\n(at {getattr(crash, 'path', '?')}:{getattr(crash, 'lineno', '?')})"
    else:
        text = report.longreprtext or ""
    if len(text) > MESSAGE_CHARS:
        text = f"{text[:MESSAGE_CHARS]}... [{len(text) - MESSAGE_CHARS} more characters]"
    return redact_text(text)


def _worker_of(report: pytest.TestReport) -> str:
    """The xdist worker id (`gw0`) a report came from, or "" in a single process."""
    gateway = getattr(getattr(report, "node", None), "gateway", None)
    return str(getattr(gateway, "id", "") or "")


class ResultCollector:
    """Collects conformance case results; in a worker it only annotates reports for the controller."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.cases: dict[str, CaseResult] = {}
        self.other_failures: list[str] = []  # failing items that are not conformance cases
        self.worker_run_info: dict[str, Any] = {}
        self._footprint_counter = FootprintCounter()  # this process's exchanges, in the order they were sent

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Attach requirement ids and this phase's evidence to a conformance item's report."""
        report = yield
        requirement_ids = requirement_ids_of(item)
        if requirement_ids:
            context = item.config.stash.get(RUN_CONTEXT_KEY, None)
            run_info = context.info() if context is not None else None
            exchanges = _new_exchanges(item)
            footprint = item.stash.get(_FOOTPRINT_KEY, None) or Footprint()
            footprint.add(self._footprint_counter.count(exchanges))
            item.stash[_FOOTPRINT_KEY] = footprint
            for properties in (item.user_properties, report.user_properties):
                _set_property(properties, FOOTPRINT_PROPERTY, footprint.as_property())
            annotation = {"requirements": requirement_ids, "exchanges": excerpt_exchanges(exchanges)}
            if isinstance(run_info, dict):
                annotation["run_info"] = redact_value(dict(run_info))
            setattr(report, REPORT_ATTRIBUTE, annotation)
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold one phase report (local or from an xdist worker) into its case."""
        annotation = getattr(report, REPORT_ATTRIBUTE, None)
        case = self.cases.get(report.nodeid)
        if not isinstance(annotation, dict):
            if case is None:
                if report.failed:
                    self.other_failures.append(report.nodeid)
                return
            annotation = {}
        if case is None:
            case = CaseResult(nodeid=report.nodeid, requirement_ids=list(annotation.get("requirements", [])))
            self.cases[report.nodeid] = case
        if isinstance(annotation.get("run_info"), dict) and not self.worker_run_info:
            self.worker_run_info = annotation["run_info"]
        case.exchanges.extend(
            exchange for exchange in annotation.get("exchanges", []) if isinstance(exchange, dict)
        )
        case.worker = _worker_of(report) or case.worker
        records = records_of(report.user_properties, PREREQUISITE_PROPERTY)
        if records:  # the item's records so far (user properties accumulate over the phases)
            case.prerequisites = redact_value(records)
        effects = [value for name, value in report.user_properties if name == EFFECT_PROPERTY]
        if effects:  # cumulative over the phases, as the records
            case.effects = [entry for entry in effects if isinstance(entry, dict)]
        carried = _property(report.user_properties, FOOTPRINT_PROPERTY)
        if carried is not None:
            case.footprint = Footprint.from_property(carried)
        is_subtest = getattr(report, "context", None) is not None
        if not is_subtest:
            case.duration_s += float(report.duration or 0.0)
        self._fold_outcome(case, report, is_subtest)

    @staticmethod
    def _fold_outcome(case: CaseResult, report: pytest.TestReport, is_subtest: bool) -> None:
        """Fail wins over everything; a skip decides the outcome unless a failure already did."""
        if case.outcome == FAIL:
            return
        if report.failed or (report.skipped and hasattr(report, "wasxfail")):
            case.outcome, case.phase = FAIL, report.when
            prefix = "" if report.when == "call" else f"error in {report.when}: "
            case.message = prefix + _message_of(report)
        elif report.skipped and not is_subtest:
            case.message = _message_of(report)
            case.outcome = outcome_of_skip(_skip_reason(report) or case.message)
            case.phase = report.when

    def footprint(self) -> Footprint:
        """What the cases seen so far cost the target."""
        return total_footprint(case.footprint for case in self.cases.values())

    def results(self) -> list[CaseResult]:
        """The cases seen so far, in the order they reported."""
        return list(self.cases.values())
