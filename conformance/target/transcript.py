"""The record of every HTTP exchange with the target (already redacted), per test and per run."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any

import requests

from conformance.target.exchange import Exchange, remember
from conformance.target.exchange import curl_line as curl_line  # re-exported: one curl builder
from conformance.target.exchange import format_exchange as format_exchange
from conformance.target.redact import Redactor

MAX_BODY_CHARS = 65_536
MailboxNamer = Callable[[str, str], str]  # (url, identity) -> the mailbox it addresses, "" for none
# a thread's own sink (a case acted ahead of its test keeps its exchanges apart), over the running test's
_REDIRECTED: ContextVar[list[Any] | None] = ContextVar("graph_conformance_exchange_sink", default=None)


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_BODY_CHARS:
        return text
    return text[:MAX_BODY_CHARS] + f"... [{len(text) - MAX_BODY_CHARS} more characters]"


def attempts_of(response: requests.Response) -> int:
    """How many times the request was actually sent (urllib3's retry history + 1)."""
    retries = getattr(response.raw, "retries", None)
    history = getattr(retries, "history", ()) or ()
    return 1 + len(history)


class Transcript:
    """Collects redacted Exchanges; the plugin points `sink` at the current test's list."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self.request_count = 0
        self.mailbox_namer: MailboxNamer | None = None  # set by the Graph that sends through this transcript
        self.listeners: list[Callable[[Exchange], None]] = []  # told of every exchange, in the order recorded
        self._sink: list[Exchange] | None = None
        self._lock = threading.Lock()

    def start_test(self, sink: list[Exchange]) -> None:
        """Send the following Exchanges to `sink` (a test's list)."""
        self._sink = sink

    def stop_test(self) -> None:
        """Stop sending exchanges to the test's list."""
        self._sink = None

    def redirect(self, sink: list[Any]) -> Token[list[Any] | None]:
        """In this thread (context), send exchanges to `sink` instead, until `restore(token)`."""
        return _REDIRECTED.set(sink)

    def restore(self, token: Token[list[Any] | None]) -> None:
        """End a `redirect`."""
        _REDIRECTED.reset(token)

    def record(
        self, response: requests.Response, identity: str, *, sent_at: float | None = None, resent: int = 0
    ) -> Exchange:
        """Redact and keep one exchange; return it (exchange_of(response) gives it back later).

        `resent`: how many times the sender itself re-sent the request (429/503) besides urllib3's retries.
        """
        request = response.request
        url = str(request.url)
        elapsed_s = response.elapsed.total_seconds()
        request_id = response.headers.get("request-id") or response.headers.get("client-request-id") or ""
        exchange = Exchange(
            method=str(request.method or ""),
            url=self.redactor.text(url),
            identity=identity,
            status=response.status_code,
            request_headers=self.redactor.headers(dict(request.headers)),
            request_body=_clip(self.redactor.body(request.body)),
            response_headers=self.redactor.headers(dict(response.headers)),
            response_body=_clip(self.redactor.body(response.content)),
            request_id=self.redactor.text(request_id),
            elapsed_ms=round(elapsed_s * 1000, 1),
            sent_at=sent_at if sent_at is not None else time.time() - elapsed_s,
            mailbox=self.mailbox_namer(url, identity) if self.mailbox_namer else "",
            attempts=attempts_of(response) + resent,
        )
        with self._lock:
            self.request_count += 1
            sink = _REDIRECTED.get()
            sink = self._sink if sink is None else sink
            if sink is not None:
                sink.append(exchange)
            for listener in self.listeners:
                listener(exchange)
        remember(response, exchange)
        return exchange
