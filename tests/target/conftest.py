"""Fixtures for the arranging and preflight tests: a reference server, its Graph, and scripted gaps."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import requests

from conformance.reference.serve import ReferenceServer
from conformance.target.client import Graph
from conformance.target.config import load_target_file
from conformance.target.prerequisites import Record
from conformance.target.redact import Redactor
from conformance.target.transcript import Transcript


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


@pytest.fixture
def gaps(monkeypatch: pytest.MonkeyPatch) -> Gaps:
    """Scripted gaps (none until a test adds some)."""
    return Gaps(monkeypatch)


@pytest.fixture
def reference_target(tmp_path: Path) -> Iterator[Path]:
    """A running reference server's target file."""
    with ReferenceServer() as server:
        yield server.write_target(tmp_path / "target.yaml")


@pytest.fixture
def graph(reference_target: Path) -> Iterator[Graph]:
    """The suite's Graph client for the reference server."""
    target = load_target_file(reference_target, environ={})
    client = Graph(target, Transcript(Redactor(target.secrets())))
    yield client
    client.close()


@pytest.fixture
def records() -> list[Record]:
    """Where a Provisioner's prerequisite records land."""
    return []
