"""A route's generated cases go out up to `width` at once, back in plan order; stop() drains."""

from __future__ import annotations

import contextvars
import threading
import time
from typing import Any

from conformance.cases.generated._calls import CaseOutcome
from conformance.cases.generated._routes import CaseWindow

MARK = contextvars.ContextVar("MARK", default="unset")


class SlowRuns:
    """A stand-in for CaseRunner.run: the first case waits longest (a Retry-After), the others do not."""

    def __init__(self) -> None:
        self.in_flight = self.most_in_flight = 0
        self.started: list[int] = []
        self.marks: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, item: Any) -> CaseOutcome:
        with self.lock:
            self.started.append(item)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.marks.append(MARK.get())
        time.sleep(0.3 if item == 0 else 0.02)
        with self.lock:
            self.in_flight -= 1
        return CaseOutcome(route_missing=f"case {item}")


def test_cases_overlap_up_to_the_width_and_come_back_in_plan_order() -> None:
    runs, token = SlowRuns(), MARK.set("the item's context")
    try:
        outcomes = [outcome.route_missing for outcome in CaseWindow(runs, list(range(10)), 4)]  # type: ignore[arg-type]
    finally:
        MARK.reset(token)
    assert outcomes == [f"case {number}" for number in range(10)]
    assert runs.most_in_flight == 4
    assert set(runs.marks) == {"the item's context"}  # prerequisite records land where the item's would
    assert runs.started.index(4) < 5, "the others waited for the slow first case"


def test_width_one_sends_one_case_at_a_time() -> None:
    runs = SlowRuns()
    assert len(list(CaseWindow(runs, list(range(5)), 1))) == 5  # type: ignore[arg-type]
    assert runs.most_in_flight == 1


def test_stop_sends_no_more_but_gives_back_the_cases_in_flight() -> None:
    runs = SlowRuns()
    window = CaseWindow(runs, list(range(10)), 3)  # type: ignore[arg-type]
    received = []
    for outcome in window:
        received.append(outcome.route_missing)
        window.stop()
    assert received == ["case 0", "case 1", "case 2"]  # the three in flight when it stopped
    assert window.unsent == 7 and sorted(runs.started) == [0, 1, 2]
