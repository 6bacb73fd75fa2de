"""What the run has caused on the target so far (the ledger), and how long a meeting message may take to come.

The ledger is fed by the HTTP layer: the transcript hands it every exchange as it is recorded, hand-written
and generated cases alike, and it counts them as the reports do (`conformance.target.footprint`). Every case
that waits for a meeting message allows for the queue the target's sending limit builds from it
(`message_wait`). What the run may still spend is the Allowance's (`conformance.target.allowance`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import pytest

from conformance._stash import TRANSCRIPT_KEY
from conformance.target.allowance import Cost
from conformance.target.config import TargetConfig
from conformance.target.exchange import Exchange, ExchangeLike, as_exchange
from conformance.target.footprint import FootprintCounter


@dataclass
class Ledger:
    """Adds up the footprint of exchanges as they are recorded (per process; each xdist worker its own)."""

    spent: Cost = Cost()
    first_message_at: float | None = None  # when the first exchange that caused a meeting message was sent
    _counter: FootprintCounter = field(default_factory=FootprintCounter)
    _elapsed_ms: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _fed_by: object = None  # the transcript it listens to

    def add(self, exchanges: Iterable[ExchangeLike]) -> None:
        """Count exchanges in the order they were sent (the counter remembers each event's attendees)."""
        for item in exchanges:
            self.record(as_exchange(item))

    def record(self, exchange: Exchange) -> None:
        """Count one exchange (thread-safe: the transcript calls it from any thread)."""
        with self._lock:
            counted = self._counter.count([exchange])
            self.spent = self.spent + Cost(counted.requests, counted.events_created, counted.messages)
            if counted.messages and exchange.sent_at > 0:
                self.first_message_at = min(self.first_message_at or exchange.sent_at, exchange.sent_at)
            if exchange.elapsed_ms is not None:
                self._elapsed_ms.append(exchange.elapsed_ms)

    @property
    def median_latency_ms(self) -> float | None:
        """The median time the target took to answer so far (None before any answer)."""
        if not self._elapsed_ms:
            return None
        ordered = sorted(self._elapsed_ms)
        return ordered[len(ordered) // 2]


LEDGER_KEY = pytest.StashKey[Ledger]()


def ledger_of(config: pytest.Config) -> Ledger:
    """What this process has caused on the target so far (fed by its transcript, once there is one)."""
    if LEDGER_KEY not in config.stash:
        config.stash[LEDGER_KEY] = Ledger()
    ledger = config.stash[LEDGER_KEY]
    transcript = config.stash.get(TRANSCRIPT_KEY, None)
    if transcript is not None and ledger._fed_by is not transcript:
        transcript.listeners.append(ledger.record)
        ledger._fed_by = transcript
    return ledger


def message_wait(item: pytest.Item, target: TargetConfig) -> tuple[float, str | None]:
    """(how long a meeting-message check in `item` must wait, why it cannot: None if it can).

    Under the target's sending limit the organizer's messages queue up: the bound grows with the messages
    the run has caused so far in this process and shrinks with the time since the first
    (TargetConfig.mail_wait_s). Beyond `mail_wait_max_s` the check should end not-verified with the reason
    rather than wait or fail.
    """
    ledger = ledger_of(item.config)
    messages, first_at = ledger.spent.messages, ledger.first_message_at
    elapsed_s = time.time() - first_at if first_at is not None else 0.0
    wait_s = target.mail_wait_s(messages, elapsed_s)
    if wait_s <= target.mail_wait_max_s:
        return wait_s, None
    return wait_s, (
        f"sending limit: the run has caused {messages} meeting messages in {elapsed_s:.0f} s; at "
        f"{target.send_limit} a minute this one may arrive only after {wait_s:.0f} s, beyond the "
        f"{target.mail_wait_max_s:.0f} s the suite waits (polling.mail_wait_max_s)"
    )
