"""Schemathesis-generated cases from openapi/event-cancel.yaml: a test function per family of checks, an item
per operation (route) of the description.

Each function runs only its own checks, so a verdict lands on the requirements that family maps to
(see `_schemathesis_checks.CHECK_REQUIREMENTS`). Path parameters are real: provisioned events and the
target's user, group, calendar and calendar-group ids. `--st-seed N` (printed at the end) reproduces a run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from schemathesis import Case

from conformance.cases import _schemathesis_schema
from conformance.cases._schemathesis_calls import CaseRunner, application_refused
from conformance.cases._schemathesis_checks import (
    AUTH_ENFORCED,
    ERROR_ENVELOPE,
    MALFORMED_REJECTED,
    NO_SERVER_ERROR,
    OTHER_METHODS_REJECTED,
    STATUS_AND_BODY,
    VALID_ACCEPTED,
    CheckFunction,
)
from conformance.cases._schemathesis_family import check_family
from conformance.cases._schemathesis_ids import EventSupply
from conformance.cases._schemathesis_options import (
    CASES_PROPERTY,
    EXAMPLES_PROPERTY,
    REQUESTS_PROPERTY,
    run_of,
)
from conformance.cases._schemathesis_select import (
    UNKNOWN_PARAMETER,
    WRONG_COMMENT_TYPE,
    body_flaws,
    carries_one_comment,
    is_body_mutation,
    is_other_method_probe,
)
from conformance.target.client import Graph
from conformance.target.provision import Provisioner

RunnerFor = Callable[..., CaseRunner]  # (checks, requirement ids=those the checks map to) -> CaseRunner

# Loaded at import, so that every family gets one pytest item per operation (xdist spreads them); read through
# the module, which the mutant matrix's `_matrix_select` plugin narrows to a few route families.
DESCRIPTION = _schemathesis_schema.read_description()

# The coverage phase already sends the description's named examples (as `example_value` cases), so the
# examples phase runs only where fuzzing alone would not reach them.
all_cases = check_family(DESCRIPTION, "all", ("coverage", "fuzzing"), 1.0)
status_cases = check_family(DESCRIPTION, "positive", ("fuzzing",), 0)
valid_cases = check_family(DESCRIPTION, "positive", ("examples", "fuzzing"), 1.0)
error_cases = check_family(DESCRIPTION, "negative", ("coverage",), 1.0)
malformed_cases = check_family(DESCRIPTION, "negative", ("coverage", "fuzzing"), 0.5)
auth_cases = check_family(DESCRIPTION, "positive", ("fuzzing",), 0)
method_cases = check_family(DESCRIPTION, "negative", ("coverage",), 1.0)


@pytest.fixture(scope="session")
def st_supply(graph: Graph, run_id: str) -> Iterator[EventSupply]:
    """Events and calendars for the generated cases, shared by all of them; everything is deleted at the end.

    Shared so that an event no case has touched serves the next test too, and the secondary calendar and
    calendar group are made once per run (per xdist worker), not once per test.
    """
    provisioner = Provisioner(graph, run_id, label="schemathesis")
    try:
        yield EventSupply(graph, provisioner)
    finally:
        provisioner.cleanup()


@pytest.fixture
def st_runner(request: pytest.FixtureRequest, graph: Graph, st_supply: EventSupply) -> Iterator[RunnerFor]:
    """A CaseRunner for the test's checks; records cases and requests on the item for the run summary."""
    runners: dict[tuple[CheckFunction, ...], CaseRunner] = {}
    requests_before = graph.transcript.request_count
    seed = run_of(request.config).seed

    def runner_for(checks: tuple[CheckFunction, ...], requirement_ids: tuple[str, ...] = ()) -> CaseRunner:
        if checks not in runners:
            runners[checks] = CaseRunner(graph, st_supply, seed, checks, requirement_ids)
        return runners[checks]

    yield runner_for
    for runner in runners.values():
        runner.close()
    request.node.user_properties += [
        (CASES_PROPERTY, sum(runner.cases for runner in runners.values())),
        (REQUESTS_PROPERTY, graph.transcript.request_count - requests_before),
        (EXAMPLES_PROPERTY, run_of(request.config).examples_per_operation),
    ]


@pytest.mark.requirement("GRAPH-NO-SERVER-ERROR")
@all_cases.cases()
def test_no_server_error(case: Case, st_runner: RunnerFor) -> None:
    """No request, valid or not, is answered 5xx."""
    st_runner(NO_SERVER_ERROR).run(case)


@pytest.mark.requirement("CANCEL-202-EMPTY")
@status_cases.cases()
def test_status_and_body_conform(case: Case, st_runner: RunnerFor) -> None:
    """A valid cancel answers a documented status; a success has nothing in its body."""
    st_runner(STATUS_AND_BODY).run(case)


@pytest.mark.requirement("GRAPH-ERROR-ENVELOPE")
@error_cases.cases()
def test_errors_use_graph_envelope(case: Case, st_runner: RunnerFor) -> None:
    """Error answers are JSON with Graph's `error` envelope."""
    st_runner(ERROR_ENVELOPE).run(case)


@pytest.mark.requirement("GRAPH-400-COMMENT-TYPE")
@malformed_cases.cases()
def test_wrong_comment_types_rejected(case: Case, st_runner: RunnerFor) -> None:
    """A comment that is a number, object, list or Boolean is rejected (4xx), the event left alone."""
    if body_flaws(case) != {WRONG_COMMENT_TYPE} or not is_body_mutation(case):
        return  # other invalid requests are judged by the other tests
    st_runner(MALFORMED_REJECTED, ("GRAPH-400-COMMENT-TYPE",)).run(case)


@pytest.mark.requirement("GRAPH-400-UNKNOWN-PARAMETER")
@malformed_cases.cases()
def test_unknown_parameters_rejected(case: Case, st_runner: RunnerFor) -> None:
    """A body parameter the action does not have is rejected (4xx), the event left alone."""
    if body_flaws(case) != {UNKNOWN_PARAMETER} or not is_body_mutation(case):
        return  # other invalid requests are judged by the other tests
    st_runner(MALFORMED_REJECTED, ("GRAPH-400-UNKNOWN-PARAMETER",)).run(case)


@pytest.mark.requirement("CANCEL-COMMENT-STRING")
@valid_cases.cases()
def test_valid_bodies_accepted(case: Case, st_runner: RunnerFor) -> None:
    """Any valid comment string cancels a real event: 2xx."""
    if not carries_one_comment(case):
        return  # no comment: CANCEL-COMMENT-OPTIONAL (test_comment.py); both spellings at once: undocumented
    st_runner(VALID_ACCEPTED).run(case, excused=application_refused)


@pytest.mark.requirement("CANCEL-AUTH-REQUIRED")
@auth_cases.cases()
def test_auth_is_enforced(case: Case, st_runner: RunnerFor) -> None:
    """A request without a token, or with an invalid one, is refused."""
    st_runner(AUTH_ENFORCED).run(case)


@pytest.mark.requirement("GRAPH-405-OTHER-METHODS")
@method_cases.cases()
def test_other_methods_rejected(case: Case, st_runner: RunnerFor) -> None:
    """GET, PUT, PATCH and DELETE on a cancel path of a real event answer 405."""
    if not is_other_method_probe(case):
        return  # the other coverage cases are exercised by the tests above
    st_runner(OTHER_METHODS_REJECTED).run(case)
