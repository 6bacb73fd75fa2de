"""One HTTP exchange with the target as the client recorded it (redacted), its curl line and its text."""

from __future__ import annotations

import json
import shlex
import weakref
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import requests

_RECORDED: weakref.WeakKeyDictionary[requests.Response, Exchange] = weakref.WeakKeyDictionary()
_CURL_SKIPPED_HEADERS = frozenset({"content-length", "host", "connection", "accept-encoding", "user-agent"})


@dataclass(frozen=True)
class Exchange:
    """A request and its final response, secrets already redacted; `sent_at` is in seconds since the epoch."""

    method: str
    url: str
    identity: str = ""
    status: int | None = None
    request_headers: Mapping[str, str] = field(default_factory=dict)
    request_body: str | None = None
    response_headers: Mapping[str, str] = field(default_factory=dict)
    response_body: str | None = None
    request_id: str = ""
    elapsed_ms: float | None = None
    sent_at: float = 0.0
    mailbox: str = ""  # the mailbox the request addressed (a role name when known), "" when none
    attempts: int = 1  # requests actually sent: 1 + the retries (429/503, broken connections)

    def as_dict(self) -> dict[str, Any]:
        """The exchange as a plain JSON-able mapping."""
        values = asdict(self)
        values["request_headers"] = dict(self.request_headers)
        values["response_headers"] = dict(self.response_headers)
        return values

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Exchange:
        """An Exchange from a mapping with the same keys (unknown keys ignored, missing ones defaulted)."""
        known = {item.name for item in fields(cls)}
        kept = {key: value for key, value in values.items() if key in known and value is not None}
        status = kept.get("status")
        kept["status"] = int(str(status)) if str(status).isdigit() else None
        for key in ("method", "url", "identity", "request_id", "mailbox"):
            kept[key] = str(kept.get(key) or "")
        for key in ("request_headers", "response_headers"):
            headers = kept.get(key)
            kept[key] = {str(k): str(v) for k, v in headers.items()} if isinstance(headers, Mapping) else {}
        for key, default in (("elapsed_ms", None), ("sent_at", 0.0), ("attempts", 1)):
            value = kept.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float):
                kept[key] = default
            else:
                kept[key] = int(value) if key == "attempts" else float(value)
        for key in ("request_body", "response_body"):
            if key in kept and not isinstance(kept[key], str):
                body = kept[key]
                kept[key] = json.dumps(body) if isinstance(body, dict | list) else str(body)
        return cls(**kept)


ExchangeLike = Exchange | Mapping[str, Any]


def as_exchange(exchange: ExchangeLike) -> Exchange:
    """`exchange` as an Exchange (mappings, e.g. synthetic or deserialised ones, are converted)."""
    return exchange if isinstance(exchange, Exchange) else Exchange.from_mapping(exchange)


def remember(response: requests.Response, exchange: Exchange) -> None:
    """Note that `exchange` is the record of `response` (read back with exchange_of)."""
    _RECORDED[response] = exchange


def exchange_of(response: requests.Response | None) -> Exchange | None:
    """The recorded exchange of a response the client sent, or None (no response, or not recorded)."""
    if response is None:
        return None
    return _RECORDED.get(response)


def curl_line(exchange: ExchangeLike) -> str:
    """A shell command reproducing the exchange; the token is left as `$TOKEN`."""
    record = as_exchange(exchange)
    parts = ["curl", "-i", "-X", record.method or "GET", shlex.quote(record.url)]
    for name, value in record.request_headers.items():
        lowered = name.lower()
        if lowered in _CURL_SKIPPED_HEADERS or (lowered == "accept" and value == "*/*"):
            continue
        if lowered == "authorization":  # never the value itself, even when it was not a token
            scheme = value.split(" ", 1)[0] if value.split(" ", 1)[0].isalpha() else "Bearer"
            parts += ["-H", f'"{name}: {scheme} $TOKEN"']
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if record.request_body:
        parts += ["--data-raw", shlex.quote(record.request_body)]
    return " ".join(parts)


def format_exchange(exchange: ExchangeLike) -> str:
    """A readable request/response pair (already redacted)."""
    record = as_exchange(exchange)
    request_headers = "\n".join(f"{name}: {value}" for name, value in record.request_headers.items())
    response_headers = "\n".join(f"{name}: {value}" for name, value in record.response_headers.items())
    return (
        f"--- request (as {record.identity or 'unknown'}) ---\n"
        f"{record.method} {record.url}\n{request_headers}\n\n"
        f"{record.request_body or ''}\n"
        f"--- response ---\n{record.status}\n{response_headers}\n\n{record.response_body or ''}"
    )
