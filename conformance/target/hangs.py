"""Requests that hang: one kind of request the target never answers is paid for once, then remembered.

A kind is the method, the route family (the path with its ids abstracted), the class of body (none, not JSON,
JSON beyond I-JSON, JSON) and the class of Authorization header. After a read timeout on a kind, one health
probe of the base URL decides: no answer, the target is lost (TargetUnreachable, the run stops); an answer,
the kind is remembered (unless the target has answered that kind before: then the timeout was a one-off) and
later requests of the same kind are not sent at all (RememberedHang, with the first one's evidence). The
memory is per process: under pytest-xdist each worker may pay one timeout per kind.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from conformance.errors import TargetUnreachable

# a path segment after one of these names an item (an id, or a well-known name such as `inbox`)
_ITEM_COLLECTIONS = frozenset({
    "events", "calendars", "calendargroups", "users", "groups", "messages", "mailfolders", "instances",
    "childfolders", "attachments",
})


NO_BODY, JSON_BODY = "no body", "a JSON body"
NOT_JSON = "a body that is not JSON"  # a syntax error, NaN, bad UTF-8
BEYOND_I_JSON = "a JSON body beyond I-JSON"  # duplicate names, numbers a double cannot hold, too deep
MAX_EXACT_INT = 2**53 - 1


@dataclass(frozen=True)
class RequestKind:
    """The class of a request: what a target that hangs on one request is assumed to hang on again."""

    method: str
    route: str  # e.g. /me/events/{id}/cancel (relative to the base URL, lower-cased)
    body: str  # NO_BODY, JSON_BODY, NOT_JSON or BEYOND_I_JSON
    auth: str  # "a token", "no token", "another Authorization scheme"

    def __str__(self) -> str:
        return f"{self.method} {self.route} with {self.body} and {self.auth}"


class Unanswered(requests.ReadTimeout):
    """A request got no answer within the read timeout while the target answered a health probe."""

    def __init__(self, kind: RequestKind, evidence: str, *, remembered: bool) -> None:
        super().__init__(evidence)
        self.kind, self.evidence, self.remembered = kind, evidence, remembered


class RememberedHang(Unanswered):
    """Not sent: an earlier request of the same kind got no answer (its evidence is kept)."""


def route_of(path: str, base_path: str) -> str:
    """`path` relative to the base URL's path, lower-cased, each item segment replaced by `{id}`."""
    path = path.split("?", 1)[0]
    if base_path and path.lower().startswith(base_path.lower()):
        path = path[len(base_path):]
    segments = [segment for segment in path.split("/") if segment]
    shaped: list[str] = []
    for index, segment in enumerate(segments):
        after_collection = index > 0 and segments[index - 1].lower() in _ITEM_COLLECTIONS
        shaped.append("{id}" if after_collection else segment.lower())
    return "/" + "/".join(shaped)


def body_class(body: Any) -> str:
    """The class of a request body: none, not JSON at all, JSON beyond I-JSON (RFC 7493), or a JSON body.

    A stream counts as not JSON. The classes are narrow on purpose: a remembered hang stands for every later
    request of its class, so only bodies that fail in the same way share one.
    """
    if body is None:
        return NO_BODY
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    if not isinstance(body, bytes):
        return NOT_JSON
    if not body.strip():
        return NO_BODY
    try:
        text = body.decode("utf-8")
        json.loads(text, parse_constant=_no_constant)  # the grammar: NaN and Infinity are not JSON
    except RecursionError:
        return BEYOND_I_JSON  # valid as far as it goes, nested too deep to read here
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return NOT_JSON
    try:
        json.loads(text, object_pairs_hook=_unique_names, parse_float=_finite, parse_int=_exact_in_double)
    except ValueError:
        return BEYOND_I_JSON
    return JSON_BODY


def _unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _value in pairs]
    if len(set(names)) != len(names):
        raise ValueError("duplicate names")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text} is out of a double's range")
    return value


def _exact_in_double(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_EXACT_INT:
        raise ValueError(f"{text[:40]} is beyond a double's exact integers")
    return value


def auth_class(value: str | None) -> str:
    """The class of an Authorization header value."""
    if not value:
        return "no token"
    if value.lower().startswith("bearer "):
        return "a token"
    return "another Authorization scheme"


class HangMemory:
    """The kinds of request this process saw go unanswered while the target answered a health probe."""

    def __init__(self, base_url: str, probe: Callable[[], None], redact: Callable[[str], str]) -> None:
        """`probe` raises TargetUnreachable when nothing answers at the base URL."""
        self.base_path = urlsplit(base_url).path.rstrip("/")
        self.probe, self.redact = probe, redact
        self._known: dict[RequestKind, str] = {}
        self._answered: set[RequestKind] = set()  # kinds the target has answered: a timeout is a one-off
        self._lock = threading.Lock()
        self.timeouts = 0  # read timeouts paid (each followed by one health probe)
        self.spared = 0  # requests not sent because their kind was known to hang
        self.lost: TargetUnreachable | None = None  # a health probe found nothing: send nothing more

    def kind_of(self, request: requests.PreparedRequest) -> RequestKind:
        """The kind of a prepared request."""
        return RequestKind(
            method=(request.method or "GET").upper(),
            route=route_of(urlsplit(request.url or "").path, self.base_path),
            body=body_class(request.body),
            auth=auth_class(request.headers.get("Authorization")),
        )

    def known(self) -> dict[RequestKind, str]:
        """Every kind remembered so far, with the evidence of its first timeout."""
        with self._lock:
            return dict(self._known)

    def check(self, kind: RequestKind) -> None:
        """Raise RememberedHang when `kind` already went unanswered; once the target is lost, its error."""
        if self.lost is not None:  # each request would pay its own timeout (stages send dozens at once)
            raise TargetUnreachable(str(self.lost))
        with self._lock:
            evidence = self._known.get(kind)
            if evidence is not None:
                self.spared += 1
        if evidence is not None:
            raise RememberedHang(
                kind, f"not sent: a request of the same kind ({kind}) got no answer earlier in this run: "
                f"{evidence}", remembered=True,
            )

    def answered(self, kind: RequestKind) -> None:
        """The target answered a request of `kind`: a later timeout of that kind is never generalised."""
        with self._lock:
            self._answered.add(kind)

    def timed_out(
        self, kind: RequestKind, request: requests.PreparedRequest, read_s: float | None
    ) -> Unanswered:
        """After a read timeout: one health probe (TargetUnreachable goes on), then remember the kind.

        A kind the target has answered before is not remembered: that one request is all the timeout says
        about (a kind never answered is what the target hangs on, e.g. every body that is not JSON).
        """
        with self._lock:
            self.timeouts += 1
        try:
            self.probe()
        except TargetUnreachable as lost:
            self.lost = lost
            raise
        url = self.redact(urlsplit(request.url or "").path)
        waited = f"{read_s:g} s" if read_s is not None else "the read timeout"
        at = time.strftime("%H:%M:%S", time.gmtime())
        evidence = (f"{kind.method} {url} ({kind.body}) got no answer within {waited} (at {at} UTC) "
                    "while the target answered a health probe")
        with self._lock:
            if kind not in self._answered:
                self._known.setdefault(kind, evidence)
        return Unanswered(kind, evidence, remembered=False)


class HangAwareAdapter(HTTPAdapter):
    """An HTTPAdapter that sends no request of a kind known to hang, and learns kinds from read timeouts."""

    def __init__(self, memory: HangMemory, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.memory = memory

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        """Send `request` unless its kind is known to hang; a read timeout is probed and remembered."""
        kind = self.memory.kind_of(request)
        self.memory.check(kind)
        try:
            response = super().send(request, *args, **kwargs)
        except requests.ReadTimeout:
            raise self.memory.timed_out(kind, request, _read_timeout(kwargs.get("timeout"))) from None
        self.memory.answered(kind)
        return response


def _read_timeout(timeout: Any) -> float | None:
    """The read part of a requests timeout argument (a number or a (connect, read) pair)."""
    if isinstance(timeout, tuple) and len(timeout) == 2:
        return None if timeout[1] is None else float(timeout[1])
    return None if timeout is None else float(timeout)
