"""A fake Arranger for the toolkit's unit tests: fake clients per role, a recording prerequisite log, and the
bounds it hands out on a fake clock (no real wait)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.cases.toolkit import checks
from conformance.target import polling
from conformance.target.polling import Bound, Effect
from conformance.target.prerequisites import PrerequisiteLog
from tests.cases.toolkit._answers import Clock, FakeClient, FakeGraph

BOUND_S, LOOK_S = 1.0, 0.25  # every bound: 1 s, looked at every 0.25 s (5 looks from its cause)


class Latencies:
    """The bounds a calibration asks for (each BOUND_S from its cause), recorded."""

    def __init__(self) -> None:
        self.asked: list[tuple[Effect, str]] = []

    def bound(self, effect: Effect, what: str = "", since: float | None = None, **options: Any) -> Bound:
        """A bound of BOUND_S for `effect` from `since` (else 0)."""
        self.asked.append((effect, what))
        return Bound(effect, BOUND_S, LOOK_S / 25, "the test bound", what, since or 0.0)


class FakeArranger:
    """What the toolkit reads of an Arranger: its graph, target, log, effect bounds and `once` (made once)."""

    def __init__(self, target: Any = None, **clients: FakeClient) -> None:
        self.graph = FakeGraph(clients)
        self.target = target
        self.records: list[dict[str, Any]] = []
        self.log = PrerequisiteLog(sink=self.records.append)
        self.bounds: list[Bound] = []
        self.asked: list[tuple[Effect, str, float | None]] = []
        self.latencies = Latencies()
        self.made: dict[str, Any] = {}

    def once(self, key: str, make: Any) -> Any:
        """`make()` the first time `key` is asked for; its result every time."""
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]

    def calibration(self, key: str, make: Any) -> None:
        """A calibration made now, once per key (as a case's, not acted ahead)."""
        self.once(key, make)

    def effect(self, effect: Effect, what: str, since: float | None = None) -> Bound:
        """A bound of BOUND_S from `since` (else now), recorded with what it was asked for."""
        self.asked.append((effect, what, since))
        bound = Bound(effect, BOUND_S, LOOK_S, "the test bound", what, polling.time.monotonic()
                      if since is None else since)
        self.bounds.append(bound)
        return bound

    def details(self, status: str) -> list[str]:
        """The details of the prerequisite records of `status` (ok, failed)."""
        return [str(record["detail"]) for record in self.records if record["status"] == status]


def quiet(since: float = 0.0) -> Bound:
    """A quiet period of BOUND_S from `since`, looked at every LOOK_S."""
    return Bound(Effect.REMINDER_MOVED, BOUND_S, LOOK_S, "the quiet bound", "to change it", since)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """One fake clock for the polls and the bounds' texts."""
    fake = Clock()
    monkeypatch.setattr(checks, "time", fake)
    monkeypatch.setattr(polling, "time", fake)
    return fake
