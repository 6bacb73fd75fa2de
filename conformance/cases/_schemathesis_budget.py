"""What the run has spent on the target so far, and what the Schemathesis cases may still spend.

The counting follows the footprint the reports show (requests; events created: a 2xx POST to an events
collection; meeting messages: the attendees invited by each created event, and those of each event
cancelled with a 2xx, none for `"comment": ""`). It reads the redacted exchanges every test records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from conformance.target.config import Budget

_CANCEL_PATH = re.compile(r"/events/([^/]+)/cancel$")


@dataclass(frozen=True)
class Footprint:
    """Requests sent, events created and meeting messages caused."""

    requests: int = 0
    events: int = 0
    messages: int = 0

    def __add__(self, other: Footprint) -> Footprint:
        return Footprint(self.requests + other.requests, self.events + other.events,
                         self.messages + other.messages)

    def fits(self, room: Footprint) -> bool:
        """Whether this spending stays within `room` on every count."""
        return (self.requests <= room.requests and self.events <= room.events
                and self.messages <= room.messages)


UNLIMITED = 10**9


def _field(exchange: Any, name: str) -> Any:
    """A field of a recorded exchange (a typed Exchange, or the older dict)."""
    return exchange.get(name) if isinstance(exchange, Mapping) else getattr(exchange, name, None)


def _json(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str | bytes) and text else None
    except ValueError:
        return None


@dataclass
class Ledger:
    """Adds up the footprint of exchanges as tests finish (per process; under xdist each worker its own)."""

    spent: Footprint = Footprint()
    _attendees: dict[str, int] = field(default_factory=dict)  # event id -> attendees invited

    def add(self, exchanges: Iterable[Any]) -> None:
        """Count one test's exchanges."""
        requests = events = messages = 0
        for exchange in exchanges:
            requests += 1
            status = int(_field(exchange, "status") or 0)
            if _field(exchange, "method") != "POST" or not 200 <= status < 300:
                continue
            path = urlsplit(str(_field(exchange, "url") or "")).path
            body = _json(_field(exchange, "request_body"))
            if path.endswith("/events"):
                invited = len(body.get("attendees") or []) if isinstance(body, dict) else 0
                events += 1
                messages += invited
                created = _json(_field(exchange, "response_body"))
                if isinstance(created, dict) and created.get("id"):
                    self._attendees[str(created["id"])] = invited
            elif (match := _CANCEL_PATH.search(path)) is not None:
                silent = isinstance(body, dict) and body.get("comment") == ""
                messages += 0 if silent else self._attendees.get(unquote(match.group(1)), 0)
        self.spent = self.spent + Footprint(requests, events, messages)

    def room(self, budget: Budget, workers: int = 1) -> Footprint:
        """What is left of `budget` for this process (a worker gets its share of the run's budget)."""
        def left(limit: int | None, used: int) -> int:
            return UNLIMITED if limit is None else max(0, limit // max(workers, 1) - used)

        return Footprint(left(budget.requests, self.spent.requests), left(budget.events, self.spent.events),
                         left(budget.messages, self.spent.messages))


def describe(budget: Budget) -> str:
    """`events 150, messages 100`: the limits a target file set."""
    limits = {"events": budget.events, "messages": budget.messages, "requests": budget.requests}
    return ", ".join(f"{name} {limit}" for name, limit in limits.items() if limit is not None)
