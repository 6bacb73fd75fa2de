"""The footprint of a run: what it cost the tenant (requests, events, cancels, meeting messages, rate)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from conformance.target.exchange import Exchange, ExchangeLike, as_exchange

_COUNTS = ("requests", "events_created", "cancels_sent", "cancels_2xx", "invitations", "notices", "forwarded",
           "responses")
ANSWERS = frozenset({"accept", "tentativelyaccept", "decline"})  # an attendee's answer (lower-cased)


@dataclass
class Footprint:
    """Counts over a run's exchanges; `per_second`: requests per mailbox per whole second since the epoch."""

    requests: int = 0  # requests actually sent, retries included
    events_created: int = 0  # 2xx answers to POST .../events
    cancels_sent: int = 0  # POST .../cancel
    cancels_2xx: int = 0
    invitations: int = 0  # attendees of each created event
    notices: int = 0  # attendees of events cancelled (2xx, not `"comment": ""`) or deleted by the organizer
    forwarded: int = 0  # forward (2xx): a request per recipient, the organizer's notice (from an attendee)
    responses: int = 0  # answers (2xx) with sendResponse true or absent: a response to the organizer
    per_second: dict[str, Counter[int]] = field(default_factory=dict)

    @property
    def messages(self) -> int:
        """Meeting messages the run caused: invitations, cancellation notices, forwards and responses."""
        return self.invitations + self.notices + self.forwarded + self.responses

    @property
    def peak_per_mailbox(self) -> dict[str, int]:
        """The most requests one mailbox received in one second, per mailbox (busiest first)."""
        peaks = {mailbox: max(seconds.values()) for mailbox, seconds in self.per_second.items() if seconds}
        return dict(sorted(peaks.items(), key=lambda item: (-item[1], item[0])))

    @property
    def peak(self) -> tuple[str, int]:
        """The busiest mailbox and its peak requests per second (("", 0) when no request named a mailbox)."""
        return next(iter(self.peak_per_mailbox.items()), ("", 0))

    def add(self, other: Footprint) -> None:
        """Fold another footprint (another item's, another worker's) into this one."""
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mailbox, seconds in other.per_second.items():
            self.per_second.setdefault(mailbox, Counter()).update(seconds)

    def counts(self) -> dict[str, int]:
        """The counts without the per-second detail (what one case's entry in a report shows)."""
        return {name: getattr(self, name) for name in _COUNTS}

    def as_property(self) -> dict[str, Any]:
        """Small JSON-able numbers to carry in an item's user properties (across xdist workers)."""
        values: dict[str, Any] = dict(self.counts())
        values["per_second"] = {
            mailbox: {str(second): count for second, count in seconds.items()}
            for mailbox, seconds in self.per_second.items()
        }
        return values

    @classmethod
    def from_property(cls, values: Any) -> Footprint:
        """The footprint carried by `as_property` (anything malformed counts as nothing)."""
        footprint = cls()
        if not isinstance(values, Mapping):
            return footprint
        for name in _COUNTS:
            value = values.get(name)
            setattr(footprint, name, value if isinstance(value, int) and value >= 0 else 0)
        per_second = values.get("per_second")
        if isinstance(per_second, Mapping):
            for mailbox, seconds in per_second.items():
                if isinstance(seconds, Mapping):
                    footprint.per_second[str(mailbox)] = Counter(
                        {
                            int(second): int(count)
                            for second, count in seconds.items()
                            if str(second).isdigit()
                        }
                    )
        return footprint

    def as_dict(self) -> dict[str, Any]:
        """The footprint as the reports publish it."""
        mailbox, peak = self.peak
        return {
            "requests": self.requests,
            "events_created": self.events_created,
            "cancels_sent": self.cancels_sent,
            "cancels_2xx": self.cancels_2xx,
            "meeting_messages": {
                "total": self.messages,
                "invitations": self.invitations,
                "notices": self.notices,
                "forwarded": self.forwarded,
                "responses": self.responses,
            },
            "peak_requests_per_second": {"mailbox": mailbox, "requests": peak},
            "peak_requests_per_second_by_mailbox": self.peak_per_mailbox,
        }

    def summary(self) -> str:
        """One line: `1,204 requests, 150 events created, ...`."""
        mailbox, peak = self.peak
        busiest = f" ({mailbox})" if mailbox else ""
        caused = [(self.forwarded, "forwarded"), (self.responses, "responses")]  # named when any
        more = "".join(f" + {count:,} {name}" for count, name in caused if count)
        return (
            f"{self.requests:,} requests, {self.events_created:,} events created, "
            f"{self.cancels_sent:,} cancels sent ({self.cancels_2xx:,} 2xx), "
            f"{self.messages:,} meeting messages ({self.invitations:,} invitations + "
            f"{self.notices:,} notices{more}), "
            f"peak {peak} requests/s per mailbox{busiest}"
        )


def json_body(text: str | bytes | None) -> Any:
    """A body parsed as JSON, or None."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _comment_of(request_body: str | None) -> Any:
    """The `comment` (or `Comment`) a cancel sent, None when it sent none."""
    sent = json_body(request_body)
    if not isinstance(sent, Mapping):
        return None
    return next((sent[key] for key in ("comment", "Comment") if key in sent), None)


def member(body: Any, name: str) -> Any:
    """`body`'s member `name`, its case ignored (Graph's examples spell `Comment`, `ToRecipients`); None."""
    if not isinstance(body, Mapping):
        return None
    return next((value for key, value in body.items() if str(key).lower() == name.lower()), None)


def recipient_count(request_body: str | bytes | None) -> int:
    """How many recipients a forward's `ToRecipients` names (0 when it names none)."""
    recipients = member(json_body(request_body), "ToRecipients")
    return len(recipients) if isinstance(recipients, list) else 0


def sends_response(request_body: str | bytes | None) -> bool:
    """Whether an answer sends the organizer a response: `sendResponse` true or absent (its default)."""
    return member(json_body(request_body), "sendResponse") is not False


def attendee_count(event: Any) -> int | None:
    """How many attendees an event object lists, or None when it lists none (not a list)."""
    attendees = event.get("attendees") if isinstance(event, Mapping) else None
    return len(attendees) if isinstance(attendees, list) else None


def _segments(url: str) -> list[str]:
    """The decoded path segments of a URL, lower-cased names kept as sent."""
    return [unquote(segment) for segment in urlsplit(url).path.split("/") if segment]


class FootprintCounter:
    """Counts exchanges in the order they were sent, remembering each organizer event's attendees."""

    def __init__(self) -> None:
        self._attendees: dict[str, int] = {}  # event id -> attendees, from creations and organizer reads
        self._gone: set[str] = set()  # events whose attendees were already sent a notice
        self._copies: set[str] = set()  # attendees' copies (shown with isOrganizer false)

    def count(self, exchanges: Iterable[ExchangeLike]) -> Footprint:
        """The footprint of these exchanges (the counter keeps what it learnt for the next ones)."""
        footprint = Footprint()
        for item in exchanges:
            self._count_one(as_exchange(item), footprint)
        return footprint

    def _count_one(self, exchange: Exchange, footprint: Footprint) -> None:
        """Add one exchange to `footprint`."""
        footprint.requests += max(exchange.attempts, 1)
        if exchange.mailbox:
            footprint.per_second.setdefault(exchange.mailbox, Counter())[int(exchange.sent_at)] += max(
                exchange.attempts, 1
            )
        segments = _segments(exchange.url)
        method, last = exchange.method.upper(), (segments[-1].lower() if segments else "")
        succeeded = exchange.status is not None and 200 <= exchange.status < 300
        body = json_body(exchange.response_body) if succeeded else None
        if method == "POST" and last == "events":
            self._created(exchange, body, footprint, succeeded)
        elif method == "POST" and last == "cancel":
            footprint.cancels_sent += 1
            if succeeded:
                footprint.cancels_2xx += 1
                event_id = segments[-2] if len(segments) > 1 else ""
                self._notify(event_id, footprint, silent=_comment_of(exchange.request_body) == "")
        elif method == "DELETE" and len(segments) > 1 and segments[-2].lower() in ("events", "instances"):
            if succeeded:
                self._notify(segments[-1], footprint, silent=False)
        elif method == "POST" and last == "forward":
            if succeeded:
                self._forwarded(segments[-2] if len(segments) > 1 else "", exchange.request_body, footprint)
        elif method == "POST" and last in ANSWERS:
            if succeeded and sends_response(exchange.request_body):
                footprint.responses += 1
        elif body is not None:
            self._learn(body)

    def _created(self, exchange: Exchange, body: Any, footprint: Footprint, succeeded: bool) -> None:
        """A POST to an events collection: an event created, inviting its attendees."""
        if not succeeded:
            return
        footprint.events_created += 1
        attendees = attendee_count(json_body(exchange.request_body))
        if attendees is None:
            attendees = attendee_count(body) or 0
        footprint.invitations += attendees
        if isinstance(body, Mapping) and isinstance(body.get("id"), str):
            self._attendees[body["id"]] = attendees

    def _notify(self, event_id: str, footprint: Footprint, *, silent: bool) -> None:
        """An event cancelled or deleted: its attendees get a notice, once (none when `silent`)."""
        if event_id in self._gone:
            return
        self._gone.add(event_id)
        if not silent:
            footprint.notices += self._attendees.get(event_id, 0)

    def _forwarded(self, event_id: str, request_body: str | None, footprint: Footprint) -> None:
        """A forward: a request per recipient; forwarded by an attendee (an event an answer showed with
        `isOrganizer` false: the suite reads a copy before acting on it), the organizer's notice; the
        recipients may join the organizer's attendees (a notice each when it is removed: counted here for
        the organizer's event, else from the organizer's next read)."""
        recipients = recipient_count(request_body)
        footprint.forwarded += recipients + (1 if event_id in self._copies else 0)
        if event_id in self._attendees and event_id not in self._gone:
            self._attendees[event_id] += recipients

    def _learn(self, body: Any) -> None:
        """Remember the attendees of the organizer's events an answer shows (a read, a listing, instances):
        the most shown (a forward adds some)."""
        self._copies.update(copies_shown(body))
        for event_id, attendees, organizer in events_shown(body):
            if organizer and event_id not in self._gone:
                self._attendees[event_id] = max(attendees, self._attendees.get(event_id, 0))


def events_shown(body: Any) -> Iterator[tuple[str, int, bool]]:
    """(id, attendees, whether the caller organizes it) of each event an answer shows with its attendees."""
    listing = body.get("value") if isinstance(body, Mapping) else None
    for event in listing if isinstance(listing, list) else [body]:
        if not isinstance(event, Mapping) or not isinstance(event.get("id"), str):
            continue
        attendees = attendee_count(event)
        if attendees is not None:
            yield event["id"], attendees, event.get("isOrganizer", True) is not False


def copies_shown(body: Any) -> Iterator[str]:
    """The ids of the attendees' copies an answer shows (events with `isOrganizer` false)."""
    listing = body.get("value") if isinstance(body, Mapping) else None
    for event in listing if isinstance(listing, list) else [body]:
        copy = isinstance(event, Mapping) and event.get("isOrganizer") is False
        if copy and isinstance(event.get("id"), str):
            yield event["id"]


def count_footprint(exchanges: Iterable[ExchangeLike]) -> Footprint:
    """The footprint of a whole run's exchanges, in the order they were sent (a pure function)."""
    return FootprintCounter().count(exchanges)


def total_footprint(footprints: Iterable[Footprint]) -> Footprint:
    """The sum of several footprints (items, workers)."""
    total = Footprint()
    for footprint in footprints:
        total.add(footprint)
    return total
