"""One bad answer is one bad answer in the Schemathesis cases: no answer, a throttled one, a lost target."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter, HTTPAdapter

from conformance.cases.generated import _calls
from conformance.cases.generated._calls import CaseRunner
from conformance.cases.generated._family import (
    AUTH_FAMILY,
    NO_SERVER_ERROR_FAMILY,
    VALID_FAMILY,
    WRONG_TYPE_FAMILY,
)
from conformance.cases.generated._ids import EventSupply
from conformance.cases.generated._plan import PlannedCase, plan
from conformance.errors import TargetUnreachable
from conformance.target.client import Graph
from conformance.target.provision import Provisioner
from tests.cases.generated._generation import FIRST_ROUTE, route_cases

SEED = 20261201
Answer = Callable[[requests.PreparedRequest], requests.Response]


class ScriptedAdapter(BaseAdapter):
    """Answers every request of the runner's session by `answer` (raise for no answer)."""

    def __init__(self, answer: Answer) -> None:
        super().__init__()
        self.answer = answer

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        """The scripted answer to `request`."""
        return self.answer(request)

    def close(self) -> None:
        """Nothing to release."""


def stalled(request: requests.PreparedRequest) -> requests.Response:
    """No answer within the read timeout."""
    raise requests.ReadTimeout(f"read timed out on {request.url}", request=request)


def throttled(request: requests.PreparedRequest) -> requests.Response:
    """A 429 that survived the client's retries."""
    response = requests.Response()
    response.status_code, response.url, response.request = 429, str(request.url), request
    response.headers["Retry-After"] = "1"
    response._content = b'{"error":{"code":"TooManyRequests","message":"retry later"}}'
    return response


@pytest.fixture
def runner(graph: Graph) -> Iterator[CaseRunner]:
    """A CaseRunner on the reference server, its events deleted after the test."""
    provisioner = Provisioner(graph, "gc-st-answers", "schemathesis")
    case_runner = CaseRunner(graph, EventSupply(graph, provisioner), SEED)
    try:
        yield case_runner
    finally:
        case_runner.close()
        provisioner.cleanup()


def planned_for(*needed: Any) -> PlannedCase:
    """The first planned case of the first route judged by every family in `needed`."""
    planned = plan(route_cases(FIRST_ROUTE, fuzzing=False), full=False)
    return next(item for item in planned if all(family in item.families for family in needed))


def script(runner: CaseRunner, answer: Answer) -> None:
    """Answer the runner's requests by `answer` (provisioning, through the suite's client, is untouched)."""
    runner.session.mount("http://", ScriptedAdapter(answer))


def test_an_unanswered_request_fails_only_the_families_about_that_answer(runner: CaseRunner) -> None:
    item = planned_for(WRONG_TYPE_FAMILY)
    script(runner, stalled)
    outcome = runner.run(item)
    assert outcome.unanswered
    failure = outcome.verdicts[WRONG_TYPE_FAMILY.name]
    assert failure is not None and "no answer" in failure and "ReadTimeout" in failure
    assert NO_SERVER_ERROR_FAMILY.name not in outcome.verdicts, "no answer is not a server error"
    assert "no answer" in outcome.unjudged[NO_SERVER_ERROR_FAMILY.name]


def test_a_valid_request_left_unanswered_fails_nothing(runner: CaseRunner) -> None:
    item = planned_for(VALID_FAMILY, AUTH_FAMILY)
    script(runner, stalled)
    outcome = runner.run(item)
    assert not outcome.verdicts, outcome.verdicts
    assert {family.name for family in item.families} == set(outcome.unjudged)


def test_a_throttled_answer_is_no_finding(runner: CaseRunner) -> None:
    item = planned_for(WRONG_TYPE_FAMILY, NO_SERVER_ERROR_FAMILY)
    script(runner, throttled)
    outcome = runner.run(item)
    assert not outcome.verdicts, outcome.verdicts
    assert all(reason.startswith("throttled: ") and "429" in reason for reason in outcome.unjudged.values())
    assert {family.name for family in item.families} == set(outcome.unjudged)


def test_a_throttled_auth_probe_leaves_auth_unjudged(
    runner: CaseRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ignored_auth's probes (no token, a bad one) go without the client's retries: their 429 says nothing."""
    original = HTTPAdapter.send
    token = runner.graph.token_for("organizer")

    def probes_throttled(adapter: HTTPAdapter, request: requests.PreparedRequest, *args: Any,
                         **kwargs: Any) -> requests.Response:
        response = original(adapter, request, *args, **kwargs)
        sent = request.headers.get("Authorization", "")
        if str(request.url).endswith("/cancel") and sent != f"Bearer {token}":
            response.status_code = 429
        return response

    monkeypatch.setattr(HTTPAdapter, "send", probes_throttled)
    outcome = runner.run(planned_for(AUTH_FAMILY))
    assert AUTH_FAMILY.name not in outcome.verdicts, outcome.verdicts.get(AUTH_FAMILY.name)
    assert outcome.unjudged[AUTH_FAMILY.name].startswith("throttled: a probe")


def test_an_unanswered_request_on_a_lost_target_stops_the_run(
    runner: CaseRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def target_gone(target: Any, allowance: Any = None) -> None:
        raise TargetUnreachable("target 'reference' does not answer (ConnectTimeout)")

    monkeypatch.setattr(_calls, "probe_reachable", target_gone)
    item = planned_for(WRONG_TYPE_FAMILY)
    script(runner, stalled)
    with pytest.raises(TargetUnreachable, match="does not answer"):
        runner.run(item)
