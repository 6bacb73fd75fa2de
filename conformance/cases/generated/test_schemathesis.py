"""Schemathesis-generated cases from the selected actions' descriptions (openapi/event-<action>.yaml): a test
function per family of checks, an item per operation (route) it judges.

Each route's cases are generated and sent once, and every family that applies judges each answer (see
`_family.FAMILIES`); each family's item reports only its own findings, so a verdict lands on
the requirements that family maps to for the route's action. Path parameters are real: provisioned events (an
attendee's copy for an answer) and the target's user, group, calendar and calendar-group ids. Cancel's routes
all run; another action's run on its representative routes (REPRESENTATIVE_ROUTES), all with
`--st-full-routes`. `--st-seed N` (printed at the end) reproduces a run.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

import pytest

from conformance.cases.generated import _schema
from conformance.cases.generated._actions import CANCEL, action_info, action_of_path
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
from conformance.spec.catalog import load_catalog
from conformance.target.client import Graph
from conformance.target.provision import Provisioner

# Read at import through the module, which the project tests' `_matrix_select` plugin narrows to a few
# route families and `_schema.select_actions` to the selected actions; one pytest item per operation and
# family (xdist spreads them).
DESCRIPTION = _schema.read_description()
OPERATIONS = [f"POST {path}" for path, item in DESCRIPTION["paths"].items() if "post" in item]
CATALOG = frozenset(load_catalog())
# Another action's behaviour-free checks see on one route what they would on its others (a server answers
# every route of an action alike; each route's own <PREFIX>-ROUTE-* case is hand-written): by default
# they run on these route families only (the /me form, the deepest /users form, a group's), which keeps a run
# of all seven actions within its footprint.
REPRESENTATIVE_ROUTES = frozenset({"me-events", "users-calendargroups-calendars-events", "groups-events"})


def route_family(path_template: str) -> str:
    """`/users/{user-id}/calendar/events/{event-id}/<action>` -> `users-calendar-events`."""
    literal = [segment for segment in path_template.strip("/").split("/")[:-1]
               if segment and not segment.startswith("{")]
    return "-".join(literal).lower()


def operations(actions: Collection[str] | None = None, *, full_routes: bool = False) -> list[str]:
    """The routes the generated cases drive for `actions` (None or empty: every action of the descriptions):
    all of cancel's, another action's representative ones (all of them with `full_routes`)."""
    return [label for label in OPERATIONS
            if (not actions or action_of_path(label) in actions)
            and (full_routes or action_of_path(label) == CANCEL
                 or route_family(label.split(" ", 1)[1]) in REPRESENTATIVE_ROUTES)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """An item per route whose action has the family's requirement, marked with that action's ids and name
    (a route of an action the run does not check is then not-applicable, see the `actions` marker)."""
    family: Family | None = getattr(metafunc.function, "family", None)
    if family is None:
        return
    params = []
    for label in operations(full_routes=bool(metafunc.config.getoption("st_full_routes", False))):
        action = action_info(DESCRIPTION, label.split(" ", 1)[1])
        if family.applies_to(action, CATALOG):
            marks = [pytest.mark.requirement(*family.ids_for(action)), pytest.mark.actions(action.name)]
            params.append(pytest.param(label, marks=marks))
    metafunc.parametrize(OPERATION_ARGUMENT, params)


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
            # the routes that run: the first is generated in full, the budget plans over the rest
            tuple(operations(target.actions, full_routes=effort.full_routes)),
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


# One test function per family of checks: its name (the family's), one item per route, each marked with the
# ids a finding of the family fails on that route's action; each item reports only its family's findings.
FAMILY_TESTS: tuple[tuple[Family, str], ...] = (
    (NO_SERVER_ERROR_FAMILY, "No request, valid or not, is answered 5xx."),
    (STATUS_FAMILY, "A valid request answers a documented status; a success has nothing in its body."),
    (ENVELOPE_FAMILY, "Error answers are JSON with Graph's `error` envelope."),
    (WRONG_TYPE_FAMILY,
     "A body member of a wrong JSON type (a comment that is a number, ...) is rejected (4xx)."),
    (UNKNOWN_PARAMETER_FAMILY,
     "A body parameter the action does not have is rejected (4xx), the event left alone."),
    (VALID_FAMILY, "Any valid comment string (one spelling of the key) is accepted on a real event: 2xx."),
    (AUTH_FAMILY, "A request without a token, or with an invalid one, is refused."),
    (METHODS_FAMILY, "GET, PUT, PATCH and DELETE on an action path of a real event answer 405."),
)


def family_test(family: Family, purpose: str) -> Callable[[pytest.FixtureRequest, RouteRuns, str], None]:
    """The test function of `family`: named after it, an item per route (see pytest_generate_tests)."""

    def test(request: pytest.FixtureRequest, st_routes: RouteRuns, operation: str) -> None:
        judge(request, st_routes, operation, family)

    test.__name__ = test.__qualname__ = family.name
    test.__doc__ = purpose
    test.family = family  # type: ignore[attr-defined]  # read by pytest_generate_tests
    return test


for _family, _purpose in FAMILY_TESTS:
    globals()[_family.name] = family_test(_family, _purpose)
