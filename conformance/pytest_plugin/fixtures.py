"""The suite's fixtures: the target, the run id, the Graph client, provisioning, the embedded server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from conformance._stash import record_prerequisite
from conformance.pytest_plugin._keys import (
    ACTIONS_KEY,
    ACTIVE_TARGET_KEY,
    EXPLICIT_TARGET_KEY,
    TRANSCRIPT_KEY,
)
from conformance.pytest_plugin.budget import allowance_for
from conformance.pytest_plugin.context import run_context
from conformance.target.client import Graph
from conformance.target.config import TargetConfig, target_from_document
from conformance.target.provision import Provisioner


@pytest.fixture(scope="session")
def _graph_conformance_embedded_server() -> Iterator[Any]:
    """The embedded reference server on a free loopback port, for the session (one per xdist worker)."""
    from conformance.reference.serve import ReferenceServer

    with ReferenceServer(host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> TargetConfig:
    """The TargetConfig of this run: the explicit one, or the embedded server's target document."""
    config = request.config
    explicit = config.stash[EXPLICIT_TARGET_KEY]
    if explicit is not None:
        config.stash[ACTIVE_TARGET_KEY] = explicit
        return explicit
    server = request.getfixturevalue("_graph_conformance_embedded_server")
    embedded = target_from_document(server.target_document(), source="embedded reference server", environ={})
    embedded = replace(embedded, actions=config.stash.get(ACTIONS_KEY, embedded.actions))  # --actions
    for secret in embedded.secrets():
        config.stash[TRANSCRIPT_KEY].redactor.add(secret)
    context = run_context(config)
    context.base_url = embedded.base_url
    context.unsupported_profiles = tuple(sorted(embedded.unsupported_profiles))
    config.stash[ACTIVE_TARGET_KEY] = embedded
    return embedded


@pytest.fixture(scope="session")
def run_id(request: pytest.FixtureRequest) -> str:
    """This run's id, in every subject the suite creates."""
    return run_context(request.config).run_id


@pytest.fixture(scope="session")
def graph(request: pytest.FixtureRequest, target: TargetConfig) -> Iterator[Graph]:
    """The target's API as each identity, sharing one connection pool and the per-mailbox caps."""
    workers = int(getattr(request.config, "workerinput", {}).get("workercount", 1))
    cap = max(1, target.max_concurrency_per_mailbox // max(1, workers))
    client = Graph(target, request.config.stash[TRANSCRIPT_KEY], mailbox_cap=cap,
                   allowance=allowance_for(request.config, target))
    yield client
    client.close()


@pytest.fixture
def provision(request: pytest.FixtureRequest, graph: Graph, run_id: str) -> Iterator[Provisioner]:
    """Creates what a case needs (each prerequisite it tried recorded on the item); removes it all after."""
    item = request.node
    provisioner = Provisioner(
        graph, run_id, label=item.name[:60], record=lambda record: record_prerequisite(item, record)
    )
    yield provisioner
    provisioner.cleanup()


@pytest.fixture(autouse=True)
def _graph_conformance_profiles(request: pytest.FixtureRequest) -> None:
    """A case whose requirements need a profile the target does not support is not-applicable."""
    marker = request.node.get_closest_marker("requirement")
    if marker is None:
        return
    target_config: TargetConfig = request.getfixturevalue("target")
    if not target_config.unsupported_profiles:
        return
    from conformance.cases.toolkit import require_profile  # the case toolkit's one profile check

    for requirement_id in marker.args:
        require_profile(target_config, str(requirement_id))
