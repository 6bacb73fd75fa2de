"""Evidence from recorded exchanges: redacted, bounded excerpts and cancel-route templates."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from conformance.target.exchange import Exchange, ExchangeLike, as_exchange
from conformance.target.exchange import curl_line as curl_line  # the one curl builder, for the writers
from conformance.target.redact import redact_headers, redact_text

BODY_EXCERPT_CHARS = 1500
MAX_EXCHANGES_PER_CASE = 25
_ID_AFTER = {
    "users",
    "groups",
    "calendars",
    "calendargroups",
    "events",
    "instances",
    "messages",
    "mailfolders",
}
_NOISE_HEADERS = {"user-agent", "accept-encoding", "accept", "connection", "content-length", "date", "server"}
_VERSION = re.compile(r"^(v1\.0|beta)$", re.IGNORECASE)


def _body_text(body: Any) -> str:
    """A body as text: JSON values dumped, bytes decoded, None empty."""
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8", errors="replace")
    if isinstance(body, str):
        return body
    return json.dumps(body, ensure_ascii=False)


def _excerpt(text: str) -> str:
    """The first BODY_EXCERPT_CHARS characters of a text, saying how much was cut."""
    if len(text) <= BODY_EXCERPT_CHARS:
        return text
    return f"{text[:BODY_EXCERPT_CHARS]}... [{len(text) - BODY_EXCERPT_CHARS} more characters]"


def _headers(headers: Any) -> dict[str, str]:
    """Redacted headers without the transport noise (user-agent, date, server, ...)."""
    return {
        name: value for name, value in redact_headers(headers).items() if name.lower() not in _NOISE_HEADERS
    }


def excerpt_exchange(exchange: ExchangeLike) -> dict[str, Any]:
    """A JSON-safe, redacted, size-bounded copy of one recorded exchange (the report's exchange keys)."""
    record = as_exchange(exchange)
    return {
        "method": record.method,
        "url": redact_text(record.url),
        "identity": record.identity,
        "request_headers": _headers(record.request_headers),
        "request_body": redact_text(_excerpt(_body_text(record.request_body))),
        "status": record.status,
        "response_headers": _headers(record.response_headers),
        "response_body": redact_text(_excerpt(_body_text(record.response_body))),
        "request_id": record.request_id,
        "elapsed_ms": round(float(record.elapsed_ms), 1) if record.elapsed_ms is not None else None,
    }


def excerpt_exchanges(exchanges: Any) -> list[dict[str, Any]]:
    """Excerpts of at most MAX_EXCHANGES_PER_CASE exchanges (the last ones, where failures show)."""
    if not isinstance(exchanges, list):
        return []
    kept = [exchange for exchange in exchanges if isinstance(exchange, Exchange | Mapping)]
    return [excerpt_exchange(exchange) for exchange in kept[-MAX_EXCHANGES_PER_CASE:]]


def route_template(url: str) -> str | None:
    """The cancel route template of a URL (`/me/events/{id}/cancel`), or None when it is no cancel call."""
    path = urlsplit(url).path.rstrip("/")
    segments = [segment for segment in path.split("/") if segment]
    if not segments or segments[-1].lower() != "cancel":
        return None
    if segments and _VERSION.match(segments[0]):
        segments = segments[1:]
    template: list[str] = []
    previous = ""
    for segment in segments:
        template.append("{id}" if previous in _ID_AFTER else segment.lower())
        previous = segment.lower()
    return "/" + "/".join(template)


OTHER_ROUTE = "other cancel paths (malformed ids, unknown segments)"
_PLACEHOLDER = re.compile(r"(\{[^}]*\})")


def documented_routes(sentences: Iterable[str]) -> list[tuple[str, re.Pattern[str]]]:
    """(template, pattern) per catalog sentence that is a cancel route (`POST /me/events/{id}/cancel`)."""
    routes: list[tuple[str, re.Pattern[str]]] = []
    for sentence in sentences:
        text = sentence.strip()
        if not (text.startswith("POST /") and text.endswith("/cancel")):
            continue
        template = text.removeprefix("POST ").strip()
        parts = _PLACEHOLDER.split(template)
        regex = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
        display = _PLACEHOLDER.sub("{id}", template)
        if display not in (known for known, _ in routes):
            routes.append((display, re.compile(f"^{regex}$", re.IGNORECASE)))
    return routes


def classify_route(url: str, routes: list[tuple[str, re.Pattern[str]]]) -> str | None:
    """The documented route a cancel URL belongs to, OTHER_ROUTE, or None when it is no cancel call."""
    naive = route_template(url)
    if naive is None or not routes:
        return naive
    segments = [segment for segment in urlsplit(url).path.split("/") if segment]
    if segments and _VERSION.match(segments[0]):
        segments = segments[1:]
    path = "/" + "/".join(segments)
    return next((display for display, pattern in routes if pattern.match(path)), OTHER_ROUTE)
