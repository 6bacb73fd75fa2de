"""Fixtures of the hand-written cases: a Provisioner that records prerequisites, and the Arranger."""

from __future__ import annotations

from collections.abc import Generator, Iterator

import pytest

from conformance.cases.toolkit import Arranger
from conformance.errors import PrerequisiteFailed
from conformance.outcomes import not_verified
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.prerequisites import USER_PROPERTY, Record
from conformance.target.provision import Provisioner


@pytest.fixture
def provision(request: pytest.FixtureRequest, graph: Graph, run_id: str) -> Iterator[Provisioner]:
    """Creates what a case needs, recording each prerequisite on the item; removes it all after the case."""

    def record(entry: Record) -> None:
        request.node.user_properties.append((USER_PROPERTY, entry))

    provisioner = Provisioner(graph, run_id, label=request.node.name[:60], record=record)
    yield provisioner
    provisioner.cleanup()


@pytest.fixture
def arrange(graph: Graph, target: TargetConfig, provision: Provisioner) -> Arranger:
    """The arranging step of a case (events, series, copies, mailboxes), each need a recorded prerequisite."""
    return Arranger(graph, target, provision)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """A prerequisite the target lacks ends the case as not-verified, its record on the item."""
    try:
        return (yield)
    except PrerequisiteFailed as error:
        if not error.recorded:
            item.user_properties.append((USER_PROPERTY, error.record))
        not_verified(str(error))
