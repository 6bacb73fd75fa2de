"""Schemathesis-generated cases from openapi/event-cancel.yaml: a test function per family of checks, an item
per operation (route) of the description.

Each route's cases are generated and sent once, and every family that applies judges each answer (see
`_family.FAMILIES`); each family's item reports only its own findings, so a verdict lands on
the requirements that family maps to. Path parameters are real: attendee-less provisioned events and the
target's user, group, calendar and calendar-group ids. `--st-seed N` (printed at the end) reproduces a run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

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
)
from conformance.cases.toolkit import CaseSession
from conformance.target.client import Graph
from conformance.target.provision import Provisioner

# Read at import through the module, which the project tests' `_matrix_select` plugin narrows to a few
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
def st_routes(
    pytestconfig: pytest.Config, graph: Graph, st_supply: EventSupply, case_session: CaseSession
) -> Iterator[RouteRuns]:
    """Each route's generated cases, run once (in this process) for every family."""
    run = run_of(pytestconfig)
    runner = CaseRunner(graph, st_supply, run.seed, without_attendees=case_session.cancel_without_attendees)
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
            graph.target.run_budget,
            graph.allowance,
            width=graph.mailbox_cap,  # the cap this process may use per mailbox (1 each under -n 4)
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


# One test function per family of checks: its name (the family's), its requirement mark (the ids a finding of
# the family fails) and one item per route; each item reports only its family's findings.
FAMILY_TESTS: tuple[tuple[Family, str], ...] = (
    (NO_SERVER_ERROR_FAMILY, "No request, valid or not, is answered 5xx."),
    (STATUS_FAMILY, "A valid cancel answers a documented status; a success has nothing in its body."),
    (ENVELOPE_FAMILY, "Error answers are JSON with Graph's `error` envelope."),
    (WRONG_TYPE_FAMILY,
     "A comment that is a number, object, list or Boolean is rejected (4xx), the event left alone."),
    (UNKNOWN_PARAMETER_FAMILY,
     "A body parameter the action does not have is rejected (4xx), the event left alone."),
    (VALID_FAMILY, "Any valid comment string (one spelling of the key) cancels a real event: 2xx."),
    (AUTH_FAMILY, "A request without a token, or with an invalid one, is refused."),
    (METHODS_FAMILY, "GET, PUT, PATCH and DELETE on a cancel path of a real event answer 405."),
)


def family_test(family: Family, purpose: str) -> Callable[[pytest.FixtureRequest, RouteRuns, str], None]:
    """The test function of `family`: named after it, marked with its requirement ids, an item per route."""

    def test(request: pytest.FixtureRequest, st_routes: RouteRuns, operation: str) -> None:
        judge(request, st_routes, operation, family)

    test.__name__ = test.__qualname__ = family.name
    test.__doc__ = purpose
    return pytest.mark.requirement(*family.ids)(per_operation(test))


for _family, _purpose in FAMILY_TESTS:
    globals()[_family.name] = family_test(_family, _purpose)
