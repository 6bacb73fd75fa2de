"""A check that something does not happen: watched until quiet_factor x the same kind's latency."""

from __future__ import annotations

import time

import pytest

from conformance.cases.toolkit import Effect, Seen, stays_absent
from conformance.target.polling import Base, Bound, EffectLatencies


def latencies(bound_s: float = 30.0) -> EffectLatencies:
    return EffectLatencies(lambda effect: Base(bound_s, "default", effect.key), interval_s=0.02, factor=10.0)


def test_with_nothing_of_the_kind_measured_the_quiet_period_is_the_full_bound() -> None:
    run = latencies()
    run.observe(Effect.APPLIED, None, "to show a cancel")  # seen, not measured (a case acted ahead)
    run.observe(Effect.NOTICE, 0.01, "to deliver a cancellation notice")  # another kind never decides it
    period_s, reason = run.quiet_period(Effect.APPLIED)
    assert period_s == 30.0
    assert "no effect of kind 'applied' measured yet" in reason and "effects.applied_s" in reason


def test_the_quiet_period_is_the_quiet_factor_times_the_slowest_measured_of_the_same_kind_at_most_the_bound(
) -> None:
    run = latencies()  # factor 10 (positive waits), quiet_factor the default 2
    run.observe(Effect.APPLIED, 0.05, "to show a cancel")
    run.observe(Effect.APPLIED, 0.2, "to show a cancel")
    run.observe(Effect.NOTICE, 9.0, "to deliver a cancellation notice")
    period_s, reason = run.quiet_period(Effect.APPLIED)
    assert period_s == pytest.approx(0.4)
    assert "2x the 0.2 s this target took to show a cancel" in reason and "polling.quiet_factor" in reason
    run.observe(Effect.APPLIED, 5.0, "to show a cancel")  # 5 s late: 10 s, not the 30 s bound
    assert run.quiet_period(Effect.APPLIED)[0] == pytest.approx(10.0)
    run.observe(Effect.APPLIED, 20.0, "to show a cancel")  # 40 s: capped at the bound
    assert run.quiet_period(Effect.APPLIED)[0] == 30.0
    assert run.quiet_period(Effect.NOTICE)[0] == pytest.approx(18.0)
    assert run.bound(Effect.APPLIED).poll_timeout_s == pytest.approx(200.0)  # positive waits: factor 10


def test_the_quiet_factor_comes_from_the_target_file() -> None:
    run = EffectLatencies(lambda effect: Base(30.0, "default", effect.key), interval_s=0.02, factor=10.0,
                          quiet_factor=5.0)
    run.observe(Effect.NOTICE, 1.0, "to deliver a cancellation notice")
    assert run.quiet_period(Effect.NOTICE)[0] == pytest.approx(5.0)


def _quiet(period_s: float) -> Bound:
    return Bound(Effect.APPLIED, period_s, 0.02, "test", "to change the event", time.monotonic())


def test_a_check_that_nothing_happens_looks_until_the_quiet_period_is_over() -> None:
    looks: list[float] = []

    def fetch() -> Seen[None]:
        looks.append(time.monotonic())
        return Seen(False, None)

    quiet = _quiet(0.3)
    seen = stays_absent(fetch, quiet)
    assert not seen.found and len(looks) > 2
    assert looks[-1] >= quiet.deadline  # its final look after the quiet period


def test_an_effect_that_comes_late_within_the_quiet_period_is_caught_at_once() -> None:
    quiet = _quiet(5.0)
    shows_at = time.monotonic() + 0.2

    def fetch() -> Seen[None]:
        return Seen(time.monotonic() >= shows_at, None)

    seen = stays_absent(fetch, quiet)
    assert seen.found and time.monotonic() < quiet.deadline - 4.0


def test_a_cause_long_past_is_looked_at_once() -> None:
    looks: list[int] = []
    quiet = Bound(Effect.APPLIED, 0.5, 0.02, "test", "to change", time.monotonic() - 10.0)

    def fetch() -> Seen[None]:
        looks.append(1)
        return Seen(False, None)

    stays_absent(fetch, quiet)
    assert looks == [1]


def test_a_first_look_begun_at_once_measures_even_when_the_target_made_it_wait() -> None:
    run = latencies()
    cause = time.monotonic() - 1.2  # the look began at once, then waited out a 429's Retry-After
    bound = run.bound(Effect.APPLIED, "to show a cancel", since=cause)
    bound.found(None, began=cause + 0.01)
    slowest = run.slowest(Effect.APPLIED)
    assert slowest is not None and slowest[0] >= 1.2  # an upper bound: the look's end
    late = run.bound(Effect.NOTICE, "to deliver a notice", since=time.monotonic() - 5.0)
    late.found(None, began=late.since + 5.0)  # a first look long after the cause (acted ahead): unmeasured
    assert run.slowest(Effect.NOTICE) is None
