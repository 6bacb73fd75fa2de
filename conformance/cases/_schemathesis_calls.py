"""Sending one generated case: applicability, real ids, the caller's token, transcript, readable failures."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from schemathesis import Case
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import ComponentInfo, CoverageScenario, coverage_scenario

from conformance.cases._expect import ConformanceFailure, is_unknown_route, profile_of
from conformance.cases._schemathesis_checks import ROUTE_INDEPENDENT_CHECKS, CheckFunction, requirements_of
from conformance.cases._schemathesis_ids import EventSupply, RouteShape, caller_role
from conformance.cases._schemathesis_schema import has_pinned_path
from conformance.outcomes import not_applicable, not_verified
from conformance.target.client import Graph, build_retry
from conformance.target.provision import ProvisionedEvent
from conformance.target.urls import quote_id

ROUTE_PREFIX = "CANCEL-ROUTE-"
_FILTERED_AUTH = re.compile(r"-H '(?i:authorization): [^']*'")
TOKEN_PLACEHOLDER = '-H "Authorization: Bearer $TOKEN"'
Excuse = Callable[[str, int], bool]  # (caller role, status) -> the answer says nothing about this check


def application_refused(role: str, status: int) -> bool:
    """The application's token was refused: a permissions matter (CANCEL-PERM-APPLICATION), not a body one."""
    return role == "application" and status in (401, 403)


def route_requirement(case: Case) -> str | None:
    """The CANCEL-ROUTE-* id the operation's `x-requirements` names."""
    listed = case.operation.definition.raw.get("x-requirements") or []
    return next((str(item) for item in listed if str(item).startswith(ROUTE_PREFIX)), None)


def reproduction_line(case: Case, redact: Callable[[str], str]) -> str:
    """`curl` for the case as sent, the token left to the shell as `$TOKEN` (none if the case sent none)."""
    curl = redact(case.as_curl_command(headers={"Authorization": "Bearer [filtered]"}).split("\n\n", 1)[0])
    return _FILTERED_AUTH.sub(lambda _match: TOKEN_PLACEHOLDER, curl)


def set_real_path_parameters(case: Case, ids: dict[str, str]) -> None:
    """Put provisioned ids in the path, percent-encoded like generated ones, and keep the path valid.

    Schemathesis quotes the path values it generates but not the ones a test sets, and revalidating the
    quoted text (`%2B`) against the id pattern would wrongly turn the case negative: the ids are the
    target's own, so the path component is valid by construction.
    """
    case.path_parameters = {name: quote_id(value) for name, value in ids.items()}
    meta = case.meta  # revalidates the edit now
    if meta is None or ParameterLocation.PATH not in meta.components:
        return
    meta.components[ParameterLocation.PATH] = ComponentInfo(mode=GenerationMode.POSITIVE)
    if coverage_scenario(case) != CoverageScenario.UNSPECIFIED_HTTP_METHOD:
        all_valid = all(info.mode.is_positive for info in meta.components.values())
        meta.generation.mode = GenerationMode.POSITIVE if all_valid else GenerationMode.NEGATIVE


def session_for(base_url: str) -> requests.Session:
    """A session that reads the proxy and CA-bundle environment once, not on every request.

    requests re-reads the environment (`trust_env`) for each request, which cost more than the redaction of
    the transcript; the settings it would find are the same for the whole run, so they are resolved here.
    """
    session = requests.Session()
    settings = session.merge_environment_settings(base_url, {}, None, None, None)  # requests reads the env
    session.proxies.update(settings["proxies"])
    session.verify = settings["verify"]
    session.trust_env = False
    return session


class CaseRunner:
    """Runs a test function's generated cases against the target and counts what they cost."""

    def __init__(
        self, graph: Graph, supply: EventSupply, seed: int, checks: tuple[CheckFunction, ...],
        requirement_ids: tuple[str, ...] = (),
    ) -> None:
        self.graph, self.supply, self.seed, self.checks = graph, supply, seed, checks
        self.requirement_ids = requirement_ids or requirements_of(checks)
        self.base_url = graph.target.base_url  # the schema was loaded before the target was known
        self.cases = 0
        self.requests = 0
        self._statuses: list[int] = []
        self.session = session_for(graph.target.base_url)
        target = graph.target
        retry = build_retry(target.retry_total, target.backoff_max, target.retry_after_max)
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.timeout = (target.connect_timeout, target.read_timeout)

    def close(self) -> None:
        """Release the connection pool."""
        self.session.close()

    def _recorder(self, role: str) -> Callable[..., requests.Response]:
        def record(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
            self.requests += 1
            self._statuses.append(response.status_code)
            self.graph.transcript.record(response, role)
            return response

        return record

    def check_applicable(self, case: Case, shape: RouteShape) -> None:
        """End the case as not-applicable (unsupported profile) or not-verified (missing identity)."""
        route_id = route_requirement(case)
        if route_id is not None:
            profile = profile_of(route_id)
            if profile in self.graph.target.unsupported_profiles:
                not_applicable(f"{route_id} belongs to profile {profile!r}, which the target leaves out")
        if shape.principal == "groups" and not self.graph.has("group"):
            not_verified("the target has no 'group' identity; add identities.group to test /groups routes")

    def run(self, case: Case, *, excused: Excuse | None = None) -> None:
        """Send `case` with real ids and the caller's token; validate the answer unless `excused` it."""
        shape = RouteShape.of(case.operation.path)
        self.check_applicable(case, shape)
        role = caller_role(shape, self.graph)
        headers = {"Authorization": f"Bearer {self.graph.token_for(role)}"}
        self.cases += 1
        event = None
        if has_pinned_path(case.path_parameters):  # else the path is the invalid part: send it as generated
            event = self.supply.take(shape)
            set_real_path_parameters(case, self.supply.path_parameters(shape, event))
        self._statuses = []
        hooks = {"response": [self._recorder(role)]}
        transport: dict[str, Any] = {"session": self.session, "hooks": hooks, "timeout": self.timeout,
                                     "base_url": self.base_url}
        try:
            response = case.call(headers=headers, **transport)
            # is_unknown_route reads only .status_code and .json(), which Schemathesis's Response has too
            unknown_route = is_unknown_route(response)  # type: ignore[arg-type]
            if event is not None and unknown_route and not self._judges_any_answer():
                self._end_if_route_missing(case, headers, transport)
            if excused is None or not excused(role, response.status_code):
                # the same transport for the probes some checks send (ignored_auth); they drop the session
                case.validate_response(response, checks=list(self.checks), headers=headers,
                                       transport_kwargs={**transport, "headers": dict(headers)})
        except FailureGroup as group:  # a BaseExceptionGroup: `except Exception` would not catch it
            raise self._failure(case, group) from None
        finally:
            if event is not None:
                self._return_or_spend(shape, event)

    def _return_or_spend(self, shape: RouteShape, event: ProvisionedEvent) -> None:
        """An event no answer touched serves the next case; one answered 2xx (cancelled) is spent."""
        server_error = any(status >= 500 for status in self._statuses)
        accepted = any(200 <= status < 300 for status in self._statuses)
        if not (accepted or server_error):
            self.supply.give_back(shape, event)
        elif not server_error:
            self.supply.spent(event)  # a 5xx may have left it in any state: cleanup deletes it outright

    def _judges_any_answer(self) -> bool:
        """Whether the checks hold for any answer, even one from a route the server does not serve."""
        return all(check.__name__ in ROUTE_INDEPENDENT_CHECKS for check in self.checks)

    def _end_if_route_missing(self, case: Case, headers: dict[str, str], transport: dict[str, Any]) -> None:
        """A real event's path answered 404 ResourceNotFound: not-verified here, the route's own case fails.

        A POST confirms it when the case used another method (a served route may answer GET that way too);
        its body is invalid (`comment` a number), so a served route does not cancel the event.
        """
        if case.method.upper() != "POST":
            confirmation = case.operation.Case(
                method="POST", path_parameters=case.path_parameters, body={"comment": 0},
                media_type="application/json",
            )
            if not is_unknown_route(confirmation.call(headers=headers, **transport)):  # type: ignore[arg-type]
                return
        route_id = route_requirement(case) or "the CANCEL-ROUTE-* requirement of this path"
        not_verified(
            f"the server does not serve {case.operation.path} (404 ResourceNotFound), so these checks "
            f"could not run there; {route_id} reports the missing route"
        )

    def _failure(self, case: Case, group: FailureGroup) -> ConformanceFailure:
        redact = self.graph.transcript.redactor.text
        titles = "; ".join(sorted({f"{failure.code} {failure.title}" for failure in group.exceptions}))
        message = (
            f"Schemathesis: {titles} on {case.operation.label} "
            f"(requirements {', '.join(self.requirement_ids)})\n"
            f"{redact(group.message).strip()}\n"
            f"reproduce: {reproduction_line(case, redact)}\n"
            f"seed: {self.seed} (rerun with --st-seed {self.seed})"
        )
        return ConformanceFailure(self.requirement_ids[0], message)
