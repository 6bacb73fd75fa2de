"""Evidence from transcript exchanges: redacted excerpts, curl lines and cancel-route templates."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from conformance.report._redact import REDACTED, redact_headers, redact_text

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


def excerpt_exchange(exchange: dict[str, Any]) -> dict[str, Any]:
    """A JSON-safe, redacted, size-bounded copy of one transcript exchange (INTERFACES §5 keys)."""
    elapsed = exchange.get("elapsed_ms")
    status = exchange.get("status")
    return {
        "method": str(exchange.get("method") or ""),
        "url": redact_text(str(exchange.get("url") or "")),
        "identity": str(exchange.get("identity") or ""),
        "request_headers": _headers(exchange.get("request_headers")),
        "request_body": redact_text(_excerpt(_body_text(exchange.get("request_body")))),
        "status": int(str(status)) if str(status).isdigit() else None,
        "response_headers": _headers(exchange.get("response_headers")),
        "response_body": redact_text(_excerpt(_body_text(exchange.get("response_body")))),
        "request_id": str(exchange.get("request_id") or ""),
        "elapsed_ms": round(float(elapsed), 1) if isinstance(elapsed, int | float) else None,
    }


def excerpt_exchanges(exchanges: Any) -> list[dict[str, Any]]:
    """Excerpts of at most MAX_EXCHANGES_PER_CASE exchanges (the last ones, where failures show)."""
    if not isinstance(exchanges, list):
        return []
    kept = [exchange for exchange in exchanges if isinstance(exchange, dict)][-MAX_EXCHANGES_PER_CASE:]
    return [excerpt_exchange(exchange) for exchange in kept]


def curl_line(exchange: dict[str, Any]) -> str:
    """A curl command reproducing an exchange; the token is left as a $TOKEN placeholder."""
    parts = ["curl", "-i", "-X", exchange.get("method") or "GET"]
    for name, value in (exchange.get("request_headers") or {}).items():
        if name.lower() in {"content-length", "host", "connection", "accept-encoding", "user-agent"}:
            continue
        if name.lower() == "authorization":
            value = str(value).replace(REDACTED, "$TOKEN")
            parts += ["-H", f'"{name}: {value}"']
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if exchange.get("request_body"):
        parts += ["--data-raw", shlex.quote(str(exchange["request_body"]))]
    parts.append(shlex.quote(str(exchange.get("url") or "")))
    return " ".join(parts)


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
