"""Bounded polling for asynchronous effects: one bound per kind of effect, declared, default or learned.

A 202 means "later": each kind of effect (the cancel applied to the organizer's calendar, a notice reaching a
mailbox, ...) is awaited for its own bound, counted from its cause (the answer that caused it): the target
file's `effects.<kind>_s`, else `polling.timeout_s` when the file sets it, else a default no correct server
can miss (conformance.target.config.default_effect_bound: 30 s on loopback, minutes for mail on a remote
target). What the run sees may lengthen a bound (`polling.effect_factor` x the slowest effect of the same
kind), never shorten it; one kind never decides another. A wait ends the moment the effect shows. A check that
something does not happen watches for its quiet period: `polling.quiet_factor` x the slowest of the same kind
measured in this run, at most that kind's bound (the full bound while none was measured).

A kind the run has proven never comes (a wait ran out its full bound and nothing of that kind has shown in
the whole run) is looked for once by later waits, which say so: a server whose effects never come costs
about one bound, not one per case.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from conformance.target.config import TargetConfig

T = TypeVar("T")
EFFECT_PROPERTY = "graph_conformance_effect"  # per item (user property): a bound used, a latency, a run-out
Record = Callable[[dict[str, Any]], None]  # where a wait reports what it used and saw (the case's item)
QUIET_FACTOR = 2.0  # polling.quiet_factor: a quiet period, this many times the slowest of the kind measured


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
    """The kinds of asynchronous effects; each has its own bound (`effects.<value>_s` in a target file)."""

    READ_BACK = "read_back"  # arranging: a created event reads back
    INSTANCES = "instances"  # arranging: a new series lists its occurrences
    COPY = "copy"  # arranging: an attendee's copy of a new meeting appears
    INVITATION = "invitation"  # arranging: the invitation reaches an attendee's mailbox
    APPLIED = "applied"  # the cancel shows on the organizer's event (gone, or isCancelled)
    OCCURRENCE = "occurrence"  # a cancelled occurrence (or a cancelled series' occurrences) leaves /instances
    SERIES_LISTS = "series_lists"  # the series master lists its cancelled occurrence (cancelledOccurrences)
    COPY_CANCELLED = "copy_cancelled"  # an attendee's copy shows isCancelled
    NOTICE = "notice"  # a cancellation notice reaches an attendee's mailbox
    DELETED_ITEMS = "deleted_items"  # the cancelled event is listed in Deleted Items
    ANSWER = "answer"  # an attendee's answer shows on the attendee's copy
    ORGANIZER_SEES = "organizer_sees"  # the organizer's event lists the attendee's answer (status.response)
    RESPONSE = "response"  # an answer's response message reaches the organizer's mailbox
    PROPOSAL = "proposal"  # a proposed new time reaches the organizer (its response message)
    FORWARD_REQUEST = "forward_request"  # a forwarded meeting request reaches a recipient's mailbox
    FORWARD_NOTICE = "forward_notice"  # the organizer is told an attendee forwarded the meeting
    ORGANIZER_COPY = "organizer_copy"  # the forward's recipient is added to the organizer's attendees
    REMINDER_MOVED = "reminder_moved"  # a snoozed reminder fires at its new time (reminderView)
    REMINDER_GONE = "reminder_gone"  # a dismissed reminder leaves reminderView

    @property
    def key(self) -> str:
        """The target-file key that declares this kind's bound: `effects.notice_s`."""
        return f"effects.{self.value}_s"


MAIL_EFFECTS = frozenset({  # meeting messages: minutes on a remote target
    Effect.INVITATION, Effect.NOTICE, Effect.RESPONSE, Effect.PROPOSAL, Effect.FORWARD_REQUEST,
    Effect.FORWARD_NOTICE,
})


def seconds(value: float) -> str:
    """`2.0 s`, `0.21 s`, `0.003 s`: a duration with the digits that matter."""
    return f"{value:.1f} s" if value >= 1 else f"{value:.2g} s"


@dataclass(frozen=True)
class Base:
    """A kind's bound before learning: seconds, its origin (declared/default) and the key raising it."""

    seconds: float
    origin: str  # "declared" or "default"
    key: str  # the target-file key that sets it: effects.notice_s (or polling.timeout_s)


@dataclass(frozen=True)
class Bound:
    """How long to wait for one effect, from its cause, and why; `found()` teaches the run its latency."""

    effect: Effect
    poll_timeout_s: float
    poll_interval_s: float
    reason: str  # "the default bound of effect 'notice' (30 s; effects.notice_s raises it)"
    what: str = ""  # the effect awaited, as "to remove the cancelled event"
    since: float = field(default_factory=time.monotonic)  # when its cause was answered (monotonic)
    latencies: EffectLatencies | None = field(default=None, repr=False, compare=False)
    origin: str = "default"  # declared | default | learned
    key: str = ""  # the target-file key that raises it
    notes: list[str] = field(default_factory=list, repr=False, compare=False)  # what the wait learned
    record: Record | None = field(default=None, repr=False, compare=False)
    prompt: bool = False  # its looks begin as soon as the client can after the cause (a calibration)

    def __post_init__(self) -> None:
        if self.record is not None:
            self.record({"kind": self.effect.value, "bound_s": round(self.poll_timeout_s, 3),
                         "origin": self.origin, "key": self.key or self.effect.key})

    @property
    def deadline(self) -> float:
        """When the bound runs out (monotonic): its cause plus the bound."""
        return self.since + self.poll_timeout_s

    @property
    def text(self) -> str:
        """`waited 30 s since its cause: the default bound of effect 'notice' (...)`, plus what it learned."""
        elapsed = max(time.monotonic() - self.since, 0.0)
        text = f"waited {seconds(elapsed)} since its cause: {self.reason}"
        return "; ".join([text, *self.notes])

    def found(self, missed_at: float | None = None, began: float | None = None) -> None:
        """The effect showed just now: learn how long it took since its cause.

        `missed_at`: when the last look that did not find it was (None: the first look found it); `began`:
        when the look that found it began. A first look begun long after the cause (a case acted ahead)
        measures nothing: the effect is counted as seen, its latency unknown (at most the time since the
        cause), and no bound is learned from it. A first look begun at once measures up to its own end
        (a look the target throttled counts its wait: an upper bound), as does any look of a `prompt` bound
        (a calibration, looking from its cause on: a busy client may begin it late, which only lengthens
        what it measures).
        """
        now = time.monotonic()
        latency_s = max(now - self.since, 0.0)
        prompt = self.prompt or (began is not None and began - self.since <= self.poll_interval_s)
        measured = missed_at is not None or prompt or latency_s <= self.poll_interval_s
        if self.latencies is not None and self.what:
            self.latencies.observe(self.effect, latency_s if measured else None, self.what)
        if self.record is not None:
            entry: dict[str, Any] = {"kind": self.effect.value, "seen": 1}
            if measured:
                entry["latency_s"] = round(latency_s, 4)
            self.record(entry)

    def ran_out(self) -> None:
        """The bound ran out with nothing seen: remember it (the kind may be proven never to come)."""
        if self.latencies is not None:
            self.latencies.ran_out(self)
        if self.record is not None:
            self.record({"kind": self.effect.value, "ran_out": True})

    def shortcut(self) -> str | None:
        """Why this wait may end after one look: the run has proven its kind never comes (else None)."""
        if self.latencies is None:
            return None
        proof = self.latencies.never(self.effect)
        if proof is None or proof.bound is self:
            return None
        return (
            f"looked {seconds(max(time.monotonic() - self.since, 0.0))} since its cause, then stopped: no "
            f"effect of kind {self.effect.value!r} has shown in this run, and the wait "
            f"{proof.what or 'for one'} ran out its full bound of {seconds(proof.bound_s)} "
            f"({proof.origin}; {proof.key} raises it)"
        )


Bases = Callable[[Effect], Base]


@dataclass(frozen=True)
class Proof:
    """A wait that ran out its full bound: with none of its kind ever seen, the kind is proven not to come."""

    what: str
    bound_s: float
    origin: str
    key: str
    bound: Bound | None = None  # the wait itself, in this process

    def text(self) -> str:
        """The proof as a shared file holds it (one line of JSON)."""
        fields = {"what": self.what, "bound_s": self.bound_s, "origin": self.origin, "key": self.key}
        return json.dumps(fields)

    @staticmethod
    def parse(text: str) -> Proof | None:
        """A proof from a shared file (None when it cannot be read)."""
        try:
            data = json.loads(text)
            return Proof(str(data["what"]), float(data["bound_s"]), str(data["origin"]), str(data["key"]))
        except (ValueError, KeyError, TypeError):
            return None


class EffectLatencies:
    """What each kind of effect took on this target in this run, and the polling bounds it gives.

    bound = max(base, factor x slowest seen of the same kind), base being declared or default;
    quiet period = min(base, quiet_factor x slowest measured of the same kind), the base while none was.
    Thread-safe: polls of several mailboxes (and cases acted ahead) may report at once.
    """

    def __init__(
        self, bases: Bases, *, interval_s: float, factor: float, quiet_factor: float = QUIET_FACTOR,
        shared: Path | None = None,
    ) -> None:
        """`shared`: a directory where the run's processes (xdist workers) share what was seen or ran out."""
        self.bases, self.interval_s, self.factor = bases, interval_s, factor
        self.quiet_factor = quiet_factor
        self.shared = shared
        self._lock = threading.Lock()
        self._seen: dict[Effect, list[float]] = {}  # measured latencies
        self._count: dict[Effect, int] = {}  # effects seen, measured or not
        self._slowest: dict[Effect, tuple[float, str]] = {}
        self._ran_out: dict[Effect, Proof] = {}
        self._used: dict[Effect, Bound] = {}

    def observe(self, effect: Effect, latency_s: float | None, what: str) -> None:
        """Effect `effect` took `latency_s` (`what`: "to deliver the invitation"; None: not measured)."""
        with self._lock:
            first = not self._count.get(effect)
            self._count[effect] = self._count.get(effect, 0) + 1
            if first:
                self._share(f"seen-{effect.value}", "")
            if latency_s is None:
                return
            latency_s = max(latency_s, 0.0)
            self._seen.setdefault(effect, []).append(latency_s)
            slowest = self._slowest.get(effect)
            if slowest is None or latency_s > slowest[0]:
                self._slowest[effect] = (latency_s, what)

    def slowest(self, effect: Effect) -> tuple[float, str] | None:
        """(the slowest latency seen of `effect`, what it was), or None while none was seen."""
        with self._lock:
            return self._slowest.get(effect)

    def quiet_period(self, effect: Effect) -> tuple[float, str]:
        """How long after its cause an effect of `effect` that must not happen is watched for, and why.

        min(the kind's bound, quiet_factor x the slowest latency of the same kind measured in this run); with
        none of that kind measured yet, the full bound. Another kind's latency never decides it.

        Why a small multiple (QUIET_FACTOR, 2): a refused request's wrongly applied effect would travel the
        same path (the same queue, the same mailbox delivery) as the applied effects of its kind measured
        here, so it would show within about the slowest of them; twice that covers the jitter of that path.
        `factor` (10) is for positive waits, which only ever lengthen a bound; a quiet period is no bound a
        correct server can miss, so a larger multiple would only make every late server slower to judge.
        """
        base = self.bases(effect)
        with self._lock:
            slowest = self._slowest.get(effect)
        if slowest is None:
            return base.seconds, (
                f"no effect of kind {effect.value!r} measured yet in this run: the {base.origin} bound "
                f"({seconds(base.seconds)}; {base.key} raises it)"
            )
        learned_s = self.quiet_factor * slowest[0]
        if learned_s >= base.seconds:
            return base.seconds, (
                f"the {base.origin} bound of effect {effect.value!r} ({seconds(base.seconds)}), below "
                f"{self.quiet_factor:g}x the {seconds(slowest[0])} this target took {slowest[1]} "
                "(polling.quiet_factor)"
            )
        return learned_s, (
            f"{self.quiet_factor:g}x the {seconds(slowest[0])} this target took {slowest[1]} (the slowest of "
            f"kind {effect.value!r} measured in this run; polling.quiet_factor; the {base.origin} bound is "
            f"{seconds(base.seconds)})"
        )

    def ran_out(self, bound: Bound) -> None:
        """A wait of `bound` ran out with nothing seen (the first one of its kind is kept as the proof)."""
        proof = Proof(bound.what, bound.poll_timeout_s, bound.origin, bound.key or bound.effect.key, bound)
        with self._lock:
            first = bound.effect not in self._ran_out
            self._ran_out.setdefault(bound.effect, proof)
        if first:
            self._share(f"ran-out-{bound.effect.value}", proof.text())

    def never(self, effect: Effect) -> Proof | None:
        """The wait proving `effect` never comes in this run (any process): it ran out, none was ever seen."""
        with self._lock:
            if self._count.get(effect):
                return None
            proof = self._ran_out.get(effect)
        if self.shared is None:
            return proof
        if (self.shared / f"seen-{effect.value}").exists():
            return None
        if proof is not None:
            return proof
        try:
            return Proof.parse((self.shared / f"ran-out-{effect.value}").read_text(encoding="utf-8"))
        except OSError:
            return None

    def _share(self, name: str, text: str) -> None:
        """Tell the run's other processes (a file in the shared directory; best effort)."""
        if self.shared is None:
            return
        try:
            self.shared.mkdir(parents=True, exist_ok=True)
            (self.shared / name).write_text(text, encoding="utf-8")
        except OSError:
            return

    def bound(
        self, effect: Effect, what: str = "", since: float | None = None, record: Record | None = None,
        *, prompt: bool = False,
    ) -> Bound:
        """How long to wait for an effect of `effect` (`what`) caused at `since` (monotonic; default now);
        `prompt`: its looks begin from the cause on (a calibration: what it finds is measured)."""
        base = self.bases(effect)
        when = time.monotonic() if since is None else since
        slowest = self.slowest(effect)
        learned_s = self.factor * slowest[0] if slowest else 0.0
        if slowest is not None and learned_s > base.seconds:
            reason = (
                f"learned: {self.factor:g}x the {seconds(slowest[0])} this target took {slowest[1]} "
                f"(above the {base.origin} {seconds(base.seconds)}; {base.key} raises the base)"
            )
            bound = Bound(
                effect, learned_s, self.interval_s, reason, what, when, self, "learned", base.key,
                record=record, prompt=prompt,
            )
        else:
            reason = (
                f"the {base.origin} bound of effect {effect.value!r} ({seconds(base.seconds)}; "
                f"{base.key} raises it)"
            )
            bound = Bound(
                effect, base.seconds, self.interval_s, reason, what, when, self, base.origin, base.key,
                record=record, prompt=prompt,
            )
        with self._lock:
            self._used[effect] = bound
        return bound

    def full(
        self, effect: Effect, what: str = "", since: float | None = None, record: Record | None = None
    ) -> Bound:
        """The bound for an arranging wait (the same as `bound`: no wait is ever shorter than its base)."""
        return self.bound(effect, what, since, record)

    def report(self) -> list[dict[str, Any]]:
        """Per kind awaited or seen: count, latency min/median/max (s), the bound used, its origin and key."""
        rows: list[dict[str, Any]] = []
        with self._lock:
            seen = {effect: list(values) for effect, values in self._seen.items()}
            count = dict(self._count)
            used = dict(self._used)
            ran_out = dict(self._ran_out)
        for effect in Effect:
            if effect not in count and effect not in used:
                continue
            values = sorted(seen.get(effect, []))
            bound = used.get(effect) or self.bound(effect)
            rows.append({
                "kind": effect.value,
                "seen": count.get(effect, 0),
                "measured": len(values),
                "min_s": round(values[0], 3) if values else None,
                "median_s": round(statistics.median(values), 3) if values else None,
                "max_s": round(values[-1], 3) if values else None,
                "bound_s": round(bound.poll_timeout_s, 3),
                "origin": bound.origin,
                "key": bound.key or effect.key,
                "ran_out": effect in ran_out,
            })
        return rows


def shared_directory(run_id: str) -> Path:
    """Where a run's processes share which kinds of effect were seen and which ran out (a temp directory)."""
    return Path(tempfile.gettempdir()) / f"graph-conformance-{run_id}-effects"


def latencies_for(target: TargetConfig, run_id: str | None = None) -> EffectLatencies:
    """A run's EffectLatencies for `target`: its effect bounds, polling interval and factors; with
    `run_id`, shared with the run's other processes."""
    return EffectLatencies(
        target.effect_base,
        interval_s=target.poll_interval_s,
        factor=target.effect_factor,
        quiet_factor=target.quiet_factor,
        shared=shared_directory(run_id) if run_id else None,
    )
