"""The record of every HTTP exchange with the target (already redacted), per test and per run."""

from __future__ import annotations

import shlex
import threading
from typing import Any

import requests

from conformance.target.redact import Redactor

MAX_BODY_CHARS = 65_536


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_BODY_CHARS:
        return text
    return text[:MAX_BODY_CHARS] + f"... [{len(text) - MAX_BODY_CHARS} more characters]"


class Transcript:
    """Collects redacted exchanges; the plugin points `sink` at the current test's list."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self.request_count = 0
        self._sink: list[dict[str, Any]] | None = None
        self._lock = threading.Lock()

    def start_test(self, sink: list[dict[str, Any]]) -> None:
        """Send the following exchanges to `sink` (a test's list)."""
        self._sink = sink

    def stop_test(self) -> None:
        """Stop sending exchanges to the test's list."""
        self._sink = None

    def record(self, response: requests.Response, identity: str) -> dict[str, Any]:
        """Redact and keep one exchange; return it (also attached to the response as `graph_exchange`)."""
        request = response.request
        exchange = {
            "method": request.method,
            "url": self.redactor.text(str(request.url)),
            "request_headers": self.redactor.headers(dict(request.headers)),
            "request_body": _clip(self.redactor.body(request.body)),
            "status": response.status_code,
            "response_headers": self.redactor.headers(dict(response.headers)),
            "response_body": _clip(self.redactor.body(response.content)),
            "request_id": response.headers.get("request-id") or response.headers.get("client-request-id"),
            "elapsed_ms": round(response.elapsed.total_seconds() * 1000, 1),
            "identity": identity,
        }
        with self._lock:
            self.request_count += 1
            if self._sink is not None:
                self._sink.append(exchange)
        response.graph_exchange = exchange  # type: ignore[attr-defined]
        return exchange


def curl_line(exchange: dict[str, Any]) -> str:
    """A shell command reproducing a recorded exchange, the token left as `$TOKEN`."""
    parts = ["curl", "-i", "-X", exchange["method"], shlex.quote(exchange["url"])]
    for name, value in exchange["request_headers"].items():
        if name.lower() in {"user-agent", "accept-encoding", "connection", "content-length"}:
            continue
        if name.lower() == "authorization":
            parts += ["-H", '"Authorization: Bearer $TOKEN"']
        else:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if exchange.get("request_body"):
        parts += ["--data-raw", shlex.quote(exchange["request_body"])]
    return " ".join(parts)


def format_exchange(exchange: dict[str, Any]) -> str:
    """A readable, redacted request/response pair."""
    request_headers = "\n".join(f"{name}: {value}" for name, value in exchange["request_headers"].items())
    response_headers = "\n".join(f"{name}: {value}" for name, value in exchange["response_headers"].items())
    return (
        f"--- request (as {exchange['identity']}) ---\n"
        f"{exchange['method']} {exchange['url']}\n{request_headers}\n\n"
        f"{exchange.get('request_body') or ''}\n"
        f"--- response ---\n{exchange['status']}\n{response_headers}\n\n{exchange.get('response_body') or ''}"
    )
