"""Fake answers and clients for the toolkit's unit tests: requests Responses built in memory, no server."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import requests

ABSENT = object()  # no Content-Type header at all


def answer(
    status: int = 200,
    body: Any = None,
    *,
    raw: bytes | None = None,
    content_type: object = "application/json",
    headers: dict[str, str] | None = None,
    url: str = "http://127.0.0.1:1/v1.0/me/events/AAA/cancel",
) -> requests.Response:
    """A Response with `status`, `body` as JSON (or `raw` bytes) and the given Content-Type."""
    response = requests.Response()
    response.status_code = status
    response._content = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    if content_type is not ABSENT:
        response.headers["Content-Type"] = str(content_type)
    response.headers.update(headers or {})
    request = requests.Request("POST", url, headers={"Authorization": "Bearer secret-token"}).prepare()
    response.request, response.url = request, url
    return response


def envelope(**inner: Any) -> dict[str, Any]:
    """Graph's error envelope; `inner` replaces innerError's fields (None drops one)."""
    inner_error = {"date": "2026-12-06T10:00:00", "request-id": "r-1", "client-request-id": "c-1", **inner}
    return {
        "error": {
            "code": "ErrorInvalidRequest",
            "message": "Your request is invalid.",
            "innerError": {key: value for key, value in inner_error.items() if value is not None},
        }
    }


Script = Callable[[str, dict[str, str] | None], requests.Response]


class FakeClient:
    """A GraphClient stand-in: `get` answers from a script and records what was asked."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.calls: list[tuple[str, dict[str, str] | None]] = []

    def get(self, path: str, params: dict[str, str] | None = None) -> requests.Response:
        """Record the GET and answer it from the script."""
        self.calls.append((path, params))
        return self.script(path, params)


class FakeGraph:
    """A Graph stand-in: one FakeClient per role."""

    def __init__(self, clients: dict[str, FakeClient]) -> None:
        self.clients = clients

    def as_(self, role: str) -> FakeClient:
        """The client acting as `role`."""
        return self.clients[role]


class Clock:
    """A stand-in for the `time` module: `sleep` moves its `monotonic` on at once (a negative sleep fails)."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        """The fake time now, in seconds."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Move the fake time on by `seconds`."""
        assert seconds >= 0
        self.now += seconds
