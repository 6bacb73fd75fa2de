"""Fixtures of the hand-written cases: the Arranger, and the run-wide CaseSession it shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.cases.toolkit import Arranger, CaseSession
from conformance.cases.toolkit.ahead import MARK, stage_of, watches_quiet_period
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.provision import Provisioner


@pytest.fixture(scope="session")
def case_session(graph: Graph, target: TargetConfig, run_id: str) -> Iterator[CaseSession]:
    """What the hand-written cases share in this run (this xdist worker); its events removed at the end."""
    session = CaseSession(graph, target, run_id)
    yield session
    session.close()


def pytest_configure(config: pytest.Config) -> None:
    """Register the hand-written cases' marker for acting ahead."""
    config.addinivalue_line(
        "markers", f"{MARK}(stage, once=None): the case's arranging and act may run ahead of its test"
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The cases acted ahead first (otherwise in order): under xdist they fall in one worker's first share,
    which acts them all at once, so their waits overlap there as in a serial run. Those watching a quiet
    period last: acted ahead with the others, their quiet periods pass while the rest of the run goes on."""

    def rank(item: pytest.Item) -> int:
        return 2 if watches_quiet_period(item) else int(stage_of(item) is None)

    items[:] = sorted(items, key=rank)


@pytest.fixture
def arrange(
    request: pytest.FixtureRequest,
    graph: Graph,
    target: TargetConfig,
    provision: Provisioner,
    case_session: CaseSession,
) -> Iterator[Arranger]:
    """The arranging step of a case (events, series, copies, mailboxes), each need a recorded prerequisite.

    First the stages of the cases acted ahead that this process is about to run, not yet run, are run.
    """
    case_session.stager.ahead(request.node)
    yield Arranger(graph, target, provision, case_session, request.node)
    case_session.stager.release(request.node)
