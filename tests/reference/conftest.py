"""Fixtures for the reference server's tests: a running server and a small Graph client per identity."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.reference.serve import ReferenceServer
from tests.reference._graph_client import GraphClient


@pytest.fixture(scope="session")
def server() -> Iterator[ReferenceServer]:
    """One reference server for the whole session."""
    with ReferenceServer() as running:
        yield running


@pytest.fixture(scope="session")
def graph(server: ReferenceServer) -> GraphClient:
    """A Graph client on the session's reference server."""
    return GraphClient(server)


@pytest.fixture()
def unique_subject(request: pytest.FixtureRequest) -> str:
    """A subject unique to the test, so message lookups never see another test's mail."""
    return f"gc-test {request.node.name}"
