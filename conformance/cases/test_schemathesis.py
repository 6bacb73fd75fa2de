"""Schemathesis-generated cases from openapi/event-cancel.yaml, one test function per family of checks.

Each function runs only its own checks, so a verdict lands on the requirements that family maps to
(see `_schemathesis_checks.CHECK_REQUIREMENTS`). Path parameters are real: provisioned events and the
target's user, group, calendar and calendar-group ids. `--st-seed N` (printed at the end) reproduces a run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis import Case
from schemathesis.specs.openapi.schemas import OpenApiSchema

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
from conformance.cases._schemathesis_ids import EventSupply
from conformance.cases._schemathesis_options import (
    CASES_PROPERTY,
    EXAMPLES_PROPERTY,
    REQUESTS_PROPERTY,
    ensure_summary,
    examples_for,
    run_of,
)
from conformance.cases._schemathesis_schema import (
    GenerationPlan,
    load_cancel_schema,
    read_description,
)
from conformance.cases._schemathesis_select import (
    UNKNOWN_PARAMETER,
    WRONG_COMMENT_TYPE,
    body_flaws,
    is_body_mutation,
    is_other_method_probe,
    is_unambiguous_valid_body,
)
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.provision import Provisioner

FEW_EXAMPLES = 2  # families that need a couple of successes per route (ignored_auth also re-sends each twice)

RunnerFor = Callable[..., CaseRunner]  # (checks, requirement ids=those the checks map to) -> CaseRunner


@pytest.fixture(scope="session")
def st_description() -> dict[str, Any]:
    """The generated OpenAPI description, read once."""
    return read_description()


def _schema_fixture(mode: str, phases: tuple[str, ...], examples_share: float, doc: str) -> Any:
    """A session fixture loading the description for one family: its modes, phases and share of examples."""

    @pytest.fixture(scope="session")
    def schema_fixture(
        pytestconfig: pytest.Config, target: TargetConfig, st_description: dict[str, Any]
    ) -> OpenApiSchema:
        ensure_summary(pytestconfig)
        examples = examples_for(pytestconfig, target.is_loopback)
        fuzzed = FEW_EXAMPLES if examples_share == 0 else max(1, round(examples * examples_share))
        plan = GenerationPlan(mode=mode, phases=phases, max_examples=fuzzed, seed=run_of(pytestconfig).seed)
        return load_cancel_schema(target.base_url, plan, st_description)

    schema_fixture.__doc__ = doc
    return schema_fixture


# The coverage phase already sends the description's named examples (as `example_value` cases), so the
# examples phase runs only where fuzzing alone would not reach them.
st_schema_all = _schema_fixture("all", ("coverage", "fuzzing"), 1.0, "Valid and invalid requests.")
st_schema_status = _schema_fixture("positive", ("fuzzing",), 0, "A few valid requests per route.")
st_schema_valid = _schema_fixture("positive", ("examples", "fuzzing"), 1.0, "Fuzzed valid bodies.")
st_schema_errors = _schema_fixture("negative", ("coverage",), 1.0, "The coverage phase's invalid requests.")
st_schema_malformed = _schema_fixture(
    "negative", ("coverage", "fuzzing"), 0.5, "Invalid bodies: coverage mutations plus fuzzed ones."
)
st_schema_auth = _schema_fixture("positive", ("fuzzing",), 0, "A few valid requests per route.")
st_schema_methods = _schema_fixture(
    "negative", ("coverage",), 1.0, "The coverage phase, whose probes send the other methods."
)


@pytest.fixture
def st_runner(request: pytest.FixtureRequest, graph: Graph, provision: Provisioner) -> Iterator[RunnerFor]:
    """A CaseRunner for the test's checks; records cases and requests on the item for the run summary."""
    supply = EventSupply(graph, provision)
    runners: dict[tuple[CheckFunction, ...], CaseRunner] = {}
    requests_before = graph.transcript.request_count

    def runner_for(checks: tuple[CheckFunction, ...], requirement_ids: tuple[str, ...] = ()) -> CaseRunner:
        if checks not in runners:
            runners[checks] = CaseRunner(graph, supply, run_of(request.config).seed, checks, requirement_ids)
        return runners[checks]

    yield runner_for
    for runner in runners.values():
        runner.close()
    request.node.user_properties += [
        (CASES_PROPERTY, sum(runner.cases for runner in runners.values())),
        (REQUESTS_PROPERTY, graph.transcript.request_count - requests_before),
        (EXAMPLES_PROPERTY, run_of(request.config).examples_per_operation),
    ]


all_cases = schemathesis.pytest.from_fixture("st_schema_all")
status_cases = schemathesis.pytest.from_fixture("st_schema_status")
valid_cases = schemathesis.pytest.from_fixture("st_schema_valid")
error_cases = schemathesis.pytest.from_fixture("st_schema_errors")
malformed_cases = schemathesis.pytest.from_fixture("st_schema_malformed")
auth_cases = schemathesis.pytest.from_fixture("st_schema_auth")
method_cases = schemathesis.pytest.from_fixture("st_schema_methods")


@pytest.mark.requirement("GRAPH-NO-SERVER-ERROR")
@all_cases.parametrize()
def test_no_server_error(case: Case, st_runner: RunnerFor) -> None:
    """No request, valid or not, is answered 5xx."""
    st_runner(NO_SERVER_ERROR).run(case)


@pytest.mark.requirement("CANCEL-202-EMPTY")
@status_cases.parametrize()
def test_status_and_body_conform(case: Case, st_runner: RunnerFor) -> None:
    """A valid cancel answers a documented status; a success has nothing in its body."""
    st_runner(STATUS_AND_BODY).run(case)


@pytest.mark.requirement("GRAPH-ERROR-ENVELOPE")
@error_cases.parametrize()
def test_errors_use_graph_envelope(case: Case, st_runner: RunnerFor) -> None:
    """Error answers are JSON with Graph's `error` envelope."""
    st_runner(ERROR_ENVELOPE).run(case)


@pytest.mark.requirement("GRAPH-400-COMMENT-TYPE")
@malformed_cases.parametrize()
def test_wrong_comment_types_rejected(case: Case, st_runner: RunnerFor) -> None:
    """A comment that is a number, object, list or Boolean is rejected (4xx), the event left alone."""
    if body_flaws(case) != {WRONG_COMMENT_TYPE} or not is_body_mutation(case):
        return  # other invalid requests are judged by the other tests
    st_runner(MALFORMED_REJECTED, ("GRAPH-400-COMMENT-TYPE",)).run(case)


@pytest.mark.requirement("GRAPH-400-UNKNOWN-PARAMETER")
@malformed_cases.parametrize()
def test_unknown_parameters_rejected(case: Case, st_runner: RunnerFor) -> None:
    """A body parameter the action does not have is rejected (4xx), the event left alone."""
    if body_flaws(case) != {UNKNOWN_PARAMETER} or not is_body_mutation(case):
        return  # other invalid requests are judged by the other tests
    st_runner(MALFORMED_REJECTED, ("GRAPH-400-UNKNOWN-PARAMETER",)).run(case)


@pytest.mark.requirement("CANCEL-COMMENT-STRING")
@valid_cases.parametrize()
def test_valid_bodies_accepted(case: Case, st_runner: RunnerFor) -> None:
    """Any valid body (any comment string, or none) cancels a real event: 2xx."""
    if not is_unambiguous_valid_body(case):
        return  # `comment` and `Comment` together: the page does not say what that means
    st_runner(VALID_ACCEPTED).run(case, excused=application_refused)


@pytest.mark.requirement("CANCEL-AUTH-REQUIRED")
@auth_cases.parametrize()
def test_auth_is_enforced(case: Case, st_runner: RunnerFor) -> None:
    """A request without a token, or with an invalid one, is refused."""
    st_runner(AUTH_ENFORCED).run(case)


@pytest.mark.requirement("GRAPH-405-OTHER-METHODS")
@method_cases.parametrize()
def test_other_methods_rejected(case: Case, st_runner: RunnerFor) -> None:
    """GET, PUT, PATCH and DELETE on a cancel path of a real event answer 405."""
    if not is_other_method_probe(case):
        return  # the other coverage cases are exercised by the tests above
    st_runner(OTHER_METHODS_REJECTED).run(case)
