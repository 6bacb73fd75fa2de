"""Scripted prerequisite gaps: a server's answers replaced before the suite's client records them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import requests

from conformance.target.prerequisites import Record


@dataclass(frozen=True)
class Gap:
    """Answers to `method` requests whose path matches `path` are replaced (status and JSON body)."""

    method: str
    path: str  # a regular expression searched in the decoded URL path
    status: int
    body: Any = None  # JSON-able; None keeps the server's body
    query: str = ""  # only when the decoded query string contains this (e.g. "$filter")

    def applies(self, method: str, url: str) -> bool:
        """Whether this gap replaces the answer to `method url`."""
        parts = urlsplit(url)
        return (
            method.upper() == self.method
            and re.search(self.path, unquote(parts.path)) is not None
            and self.query in unquote(parts.query)
        )


ERROR_BODY = {"error": {"code": "NotSupported", "message": "not supported by this server"}}


class Gaps:
    """Scripted prerequisite gaps, applied to the answers before the suite's client records them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.active: list[Gap] = []
        original = requests.Session.request

        def request(session: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
            response = original(session, method, url, **kwargs)
            for gap in self.active:
                if gap.applies(method, str(response.request.url)):  # the URL with its query
                    response.status_code = gap.status
                    if gap.body is not None:
                        response._content = json.dumps(gap.body).encode()
                        response.headers["Content-Type"] = "application/json"
            return response

        monkeypatch.setattr(requests.Session, "request", request)

    def add(self, method: str, path: str, status: int, body: Any = None, query: str = "") -> None:
        """Replace the answers to `method` requests on paths matching `path` (and asking for `query`)."""
        self.active.append(Gap(method, path, status, body, query))


def statuses(records: list[Record]) -> list[tuple[str, str]]:
    """(prerequisite id, status) of each record, in order."""
    return [(str(record["id"]), str(record["status"])) for record in records]
