"""Fixtures for the case toolkit's tests: a reference server, a Graph on it polling briefly, a Provisioner."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import closing

import pytest

from conformance.reference.serve import ReferenceServer
from conformance.target.client import Graph
from conformance.target.config import TargetConfig, load_target_file
from conformance.target.prerequisites import Record
from conformance.target.provision import Provisioner
from conformance.target.redact import Redactor
from conformance.target.transcript import Transcript


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetConfig]:
    """A running reference server's target, polling for at most 0.6 s."""
    with ReferenceServer() as server:
        written = server.write_target(tmp_path_factory.mktemp("target") / "target.yaml")
        loaded = load_target_file(written, environ={})
        yield dataclasses.replace(loaded, poll_timeout_s=0.6, poll_timeout_declared=True, poll_interval_s=0.1)


@pytest.fixture
def graph(target: TargetConfig) -> Iterator[Graph]:
    """The suite's Graph client for the reference server, closed after the test."""
    with closing(Graph(target, Transcript(Redactor(target.secrets())))) as client:
        yield client


@pytest.fixture
def provision(graph: Graph, records: list[Record]) -> Iterator[Provisioner]:
    """A Provisioner recording into `records`, cleaned up after the test."""
    provisioner = Provisioner(graph, "gc-toolkit-test", "toolkit", record=records.append)
    yield provisioner
    provisioner.cleanup()
