"""Fixtures for the arranging and preflight tests: a reference server and the suite's Graph on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.reference.serve import ReferenceServer
from conformance.target.client import Graph
from conformance.target.config import load_target_file
from conformance.target.redact import Redactor
from conformance.target.transcript import Transcript


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
