"""Schemathesis-generated cases from openapi/event-cancel.yaml: a test function per family of checks, an item
per operation (route) of the description.

Each route's cases are generated and sent once, and every family that applies judges each answer (see
`_family.FAMILIES`); each family's item reports only its own findings, so a verdict lands on
the requirements that family maps to. Path parameters are real: attendee-less provisioned events and the
target's user, group, calendar and calendar-group ids. `--st-seed N` (printed at the end) reproduces a run.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.cases.generated import _schema
from conformance.cases.generated._calls import CaseRunner
from conformance.cases.generated._family import (
    AUTH_FAMILY,
    ENVELOPE_FAMILY,
    METHODS_FAMILY,
    NO_SERVER_ERROR_FAMILY,
    STATUS_FAMILY,
    UNKNOWN_PARAMETER_FAMILY,
    VALID_FAMILY,
    WRONG_TYPE_FAMILY,
    Family,
)
from conformance.cases.generated._ids import EventSupply
from conformance.cases.generated._routes import RouteRuns, conclude
from conformance.cases.generated.plugin import (
    CASES_PROPERTY,
    EXAMPLES_PROPERTY,
    LEFT_OUT_PROPERTY,
    OPERATION_ARGUMENT,
    REQUESTS_PROPERTY,
    effort_for,
    remote_like,
    run_of,
    worker_count,
)
from conformance.cases.toolkit.spending import ledger_of
from conformance.target.client import Graph
from conformance.target.provision import Provisioner

# Read at import through the module, which the mutant matrix's `_matrix_select` plugin narrows to a few
# route families; one pytest item per operation and family (xdist spreads them).
DESCRIPTION = _schema.read_description()
OPERATIONS = [f"POST {path}" for path, item in DESCRIPTION["paths"].items() if "post" in item]
per_operation = pytest.mark.parametrize(OPERATION_ARGUMENT, OPERATIONS)


@pytest.fixture(scope="session")
def st_supply(graph: Graph, run_id: str) -> Iterator[EventSupply]:
    """Events and calendars for the generated cases, shared by all of them; everything is deleted at the end.

    Shared so that an event no case has touched serves the next case too, and the secondary calendar and
    calendar group are made once per run (per xdist worker), not once per route.
    """
    provisioner = Provisioner(graph, run_id, label="schemathesis")
    try:
        yield EventSupply(graph, provisioner)
    finally:
        provisioner.cleanup()


@pytest.fixture(scope="session")
def st_routes(pytestconfig: pytest.Config, graph: Graph, st_supply: EventSupply) -> Iterator[RouteRuns]:
    """Each route's generated cases, run once (in this process) for every family."""
    run = run_of(pytestconfig)
    runner = CaseRunner(graph, st_supply, run.seed)
    target = graph.target
    effort = effort_for(
        pytestconfig, remote=remote_like(pytestconfig, file_says=target.remote, loopback=target.is_loopback)
    )
    try:
        yield RouteRuns(
            runner,
            DESCRIPTION,
            tuple(OPERATIONS),
            effort,
            graph.target.budget,
            ledger_of(pytestconfig),
            workers=worker_count(pytestconfig),
        )
    finally:
        runner.close()


def judge(request: pytest.FixtureRequest, routes: RouteRuns, operation: str, family: Family) -> None:
    """Run the route (if no family did yet in this process), record its numbers, end the item by `family`."""
    result, ran_it = routes.result(operation)
    request.node.user_properties += [
        (CASES_PROPERTY, result.cases if ran_it else 0),
        (REQUESTS_PROPERTY, result.requests if ran_it else 0),
        (LEFT_OUT_PROPERTY, result.left_out if ran_it else 0),
        (EXAMPLES_PROPERTY, routes.effort.fuzzed_examples),
    ]
    conclude(result, family, request.node)


@pytest.mark.requirement("GRAPH-NO-SERVER-ERROR")
@per_operation
def test_no_server_error(request: pytest.FixtureRequest, st_routes: RouteRuns, operation: str) -> None:
    """No request, valid or not, is answered 5xx."""
    judge(request, st_routes, operation, NO_SERVER_ERROR_FAMILY)


@pytest.mark.requirement("CANCEL-202-EMPTY")
@per_operation
def test_status_and_body_conform(
    request: pytest.FixtureRequest, st_routes: RouteRuns, operation: str
) -> None:
    """A valid cancel answers a documented status; a success has nothing in its body."""
    judge(request, st_routes, operation, STATUS_FAMILY)


@pytest.mark.requirement("GRAPH-ERROR-ENVELOPE")
@per_operation
def test_errors_use_graph_envelope(
    request: pytest.FixtureRequest, st_routes: RouteRuns, operation: str
) -> None:
    """Error answers are JSON with Graph's `error` envelope."""
    judge(request, st_routes, operation, ENVELOPE_FAMILY)


@pytest.mark.requirement("GRAPH-400-COMMENT-TYPE")
@per_operation
def test_wrong_comment_types_rejected(
    request: pytest.FixtureRequest, st_routes: RouteRuns, operation: str
) -> None:
    """A comment that is a number, object, list or Boolean is rejected (4xx), the event left alone."""
    judge(request, st_routes, operation, WRONG_TYPE_FAMILY)


@pytest.mark.requirement("GRAPH-400-UNKNOWN-PARAMETER")
@per_operation
def test_unknown_parameters_rejected(
    request: pytest.FixtureRequest, st_routes: RouteRuns, operation: str
) -> None:
    """A body parameter the action does not have is rejected (4xx), the event left alone."""
    judge(request, st_routes, operation, UNKNOWN_PARAMETER_FAMILY)


@pytest.mark.requirement("CANCEL-COMMENT-STRING")
@per_operation
def test_valid_bodies_accepted(request: pytest.FixtureRequest, st_routes: RouteRuns, operation: str) -> None:
    """Any valid comment string (one spelling of the key) cancels a real event: 2xx."""
    judge(request, st_routes, operation, VALID_FAMILY)


@pytest.mark.requirement("CANCEL-AUTH-REQUIRED")
@per_operation
def test_auth_is_enforced(request: pytest.FixtureRequest, st_routes: RouteRuns, operation: str) -> None:
    """A request without a token, or with an invalid one, is refused."""
    judge(request, st_routes, operation, AUTH_FAMILY)


@pytest.mark.requirement("GRAPH-405-OTHER-METHODS")
@per_operation
def test_other_methods_rejected(request: pytest.FixtureRequest, st_routes: RouteRuns, operation: str) -> None:
    """GET, PUT, PATCH and DELETE on a cancel path of a real event answer 405."""
    judge(request, st_routes, operation, METHODS_FAMILY)
