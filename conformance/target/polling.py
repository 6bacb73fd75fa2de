"""Bounded polling for asynchronous effects, with bounds learned from the effects the run has already seen.

Waiting costs time, not correctness: an effect that never comes (a cancel accepted but never applied) is
awaited for `factor` x the slowest effect of the same kind this run has seen on this target (the created event
reading back, the invitation reaching a mailbox, an attendee's copy appearing, the cancels already observed),
never less than the floor and never more than the configured `polling.timeout_s`, which also stays the bound
of a kind nothing has been seen of yet.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from conformance.target.config import TargetConfig

T = TypeVar("T")


def eventually(fn: Callable[[], T], *, timeout_s: float, interval_s: float = 0.25) -> T | None:
    """Call `fn` until it returns a truthy value (returned) or `timeout_s` passes (None); at least once."""
    deadline = time.monotonic() + max(timeout_s, 0.0)
    while True:
        value = fn()
        if value:
            return value
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        time.sleep(min(interval_s, remaining))


class Effect(StrEnum):
    """The kinds of asynchronous effects; one kind's latency says how long to wait for another of it."""

    CALENDAR = "calendar"  # the organizer's calendar shows a change (an event created, removed, filed)
    MAILBOX = "mailbox"  # a meeting message reaches an attendee's mailbox
    COPY = "copy"  # an attendee's copy of a meeting shows a change (it appears, it shows the cancel)


def seconds(value: float) -> str:
    """`2.0 s`, `0.21 s`, `0.003 s`: a duration with the digits that matter."""
    return f"{value:.1f} s" if value >= 1 else f"{value:.2g} s"


@dataclass(frozen=True)
class Bound:
    """How long to wait for one effect and why; `found()` teaches the run the latency it took."""

    effect: Effect
    poll_timeout_s: float
    poll_interval_s: float
    reason: str  # "10x the 0.2 s this target took to deliver the invitation"
    what: str = ""  # the effect awaited, as "to remove the cancelled event"
    since: float = field(default_factory=time.monotonic)  # when its cause was answered (monotonic)
    latencies: EffectLatencies | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        """`waited 2.0 s: 10x the 0.2 s this target took to deliver the invitation`."""
        return f"waited {seconds(self.poll_timeout_s)}: {self.reason}"

    def found(self) -> None:
        """The effect showed just now: learn how long it took since its cause."""
        if self.latencies is not None and self.what:
            self.latencies.observe(self.effect, time.monotonic() - self.since, self.what)


class EffectLatencies:
    """The slowest effect of each kind this run has seen on its target, and the polling bounds it gives.

    bound = min(timeout, max(floor, factor x slowest seen)); `timeout` while nothing of the kind was seen.
    Thread-safe: polls of several mailboxes may report at once.
    """

    def __init__(self, *, timeout_s: float, interval_s: float, floor_s: float, factor: float) -> None:
        self.timeout_s, self.interval_s, self.floor_s, self.factor = timeout_s, interval_s, floor_s, factor
        self._lock = threading.Lock()
        self._slowest: dict[Effect, tuple[float, str]] = {}

    def observe(self, effect: Effect, latency_s: float, what: str) -> None:
        """Effect `effect` took `latency_s` (`what`: "to deliver the invitation"); the slowest is kept."""
        with self._lock:
            slowest = self._slowest.get(effect)
            if slowest is None or latency_s > slowest[0]:
                self._slowest[effect] = (max(latency_s, 0.0), what)

    def slowest(self, effect: Effect) -> tuple[float, str] | None:
        """(the slowest latency seen of `effect`, what it was), or None while none was seen."""
        with self._lock:
            return self._slowest.get(effect)

    def full(self, effect: Effect, what: str = "", reason: str = "", since: float | None = None) -> Bound:
        """The configured bound, unshortened (for arranging, where the run learns what effects take)."""
        why = reason or "the configured polling bound (polling.timeout_s)"
        when = time.monotonic() if since is None else since
        return Bound(effect, self.timeout_s, self.interval_s, why, what, when, latencies=self)

    def bound(self, effect: Effect, what: str = "") -> Bound:
        """How long to wait for an effect of `effect` (`what`), learned from the slowest one seen."""
        slowest = self.slowest(effect)
        if slowest is None:
            return self.full(effect, what, f"the configured polling bound (polling.timeout_s): no effect of "
                             f"kind {effect.value!r} seen on this target yet")
        latency_s, seen = slowest
        scaled = self.factor * latency_s
        took = f"{self.factor:g}x the {seconds(latency_s)} this target took {seen}"
        if max(scaled, self.floor_s) >= self.timeout_s:
            floor = "so is the floor (polling.effect_floor_s)"
            beyond = f"{took} is more" if scaled >= self.timeout_s else floor
            return self.full(effect, what, f"the configured polling bound (polling.timeout_s): {beyond}")
        if scaled < self.floor_s:
            reason = f"the floor (polling.effect_floor_s); {took} is less"
            return Bound(effect, self.floor_s, self.interval_s, reason, what, latencies=self)
        return Bound(effect, scaled, self.interval_s, took, what, latencies=self)


def latencies_for(target: TargetConfig) -> EffectLatencies:
    """A run's EffectLatencies for `target`: its polling timeout, interval, effect floor and factor."""
    return EffectLatencies(
        timeout_s=target.poll_timeout_s,
        interval_s=target.poll_interval_s,
        floor_s=target.effect_floor,
        factor=target.effect_factor,
    )
