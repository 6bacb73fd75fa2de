"""Sending one generated case once and judging its answer by every family of checks that applies to it."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from schemathesis import Case
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import ComponentInfo, CoverageScenario, coverage_scenario

from conformance.cases.generated._actions import CANCEL, route_id_of
from conformance.cases.generated._family import Family
from conformance.cases.generated._ids import EventSupply, RouteShape, caller_role
from conformance.cases.generated._plan import PlannedCase
from conformance.cases.generated._schema import has_pinned_path
from conformance.cases.generated._select import action_of
from conformance.cases.toolkit import is_unknown_route, profile_of
from conformance.errors import ConformanceError, TargetUnreachable
from conformance.outcomes import NOT_APPLICABLE, NOT_VERIFIED
from conformance.target.client import RETRY_STATUSES, Graph, build_retry, graph_session
from conformance.target.hangs import RememberedHang, Unanswered
from conformance.target.prerequisites import PrerequisiteFailed
from conformance.target.provision import ProvisionedEvent
from conformance.target.resolve import probe_reachable
from conformance.target.urls import quote_id

_FILTERED_AUTH = re.compile(r"-H '(?i:authorization): [^']*'")
TOKEN_PLACEHOLDER = '-H "Authorization: Bearer $TOKEN"'
VALID_FAMILY_NAME = "test_valid_bodies_accepted"  # judged by 2xx alone; the application's refusal excuses
NO_ATTENDEES_NOTE = (
    "the event had no attendees: the suite cancels attendee-less events here to send no meeting mail; "
    "if the target refuses to cancel an event without attendees, that refusal is the finding"
)


class Unjudged(Exception):
    """An answer these checks cannot judge (throttled, or a probe got none): not-verified for them."""


def application_refused(role: str, status: int) -> bool:
    """The application's token was refused: a permissions matter (CANCEL-PERM-APPLICATION), not a body one."""
    return role == "application" and status in (401, 403)


def route_requirement(case: Case) -> str | None:
    """The *-ROUTE-* id (CANCEL-ROUTE-ME-EVENTS, ...) the operation's `x-requirements` names."""
    return route_id_of(case.operation.definition.raw)


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


def session_for(graph: Graph) -> requests.Session:
    """A session that reads the proxy and CA-bundle environment once, not on every request.

    requests re-reads the environment (`trust_env`) for each request, which cost more than the redaction of
    the transcript; the settings it would find are the same for the whole run, so they are resolved here.
    """
    target = graph.target
    retry = build_retry(target.retry_total, target.backoff_max, target.retry_after_max, graph.allowance)
    session = graph_session(graph.hangs, graph.allowance, retry)
    settings = session.merge_environment_settings(target.base_url, {}, None, None, None)  # reads the env
    session.proxies.update(settings["proxies"])
    session.verify = settings["verify"]
    session.trust_env = False
    return session


@dataclass
class _Sent:
    """What one case's requests got: their statuses and exchanges (whichever thread sends the case)."""

    statuses: list[int] = field(default_factory=list)
    exchanges: list[Any] = field(default_factory=list)


@dataclass
class FamilyResult:
    """What one family of checks saw on one route."""

    judged: int = 0
    excused: int = 0
    unjudged: list[str] = field(default_factory=list)  # why cases it would have judged could not be
    blocked: dict[str, Any] | None = None  # the failed prerequisite's record behind an unjudged case
    left_out: int = 0
    failures: list[str] = field(default_factory=list)
    exchanges: list[Any] = field(default_factory=list)  # those of the first failing case


@dataclass
class CaseOutcome:
    """What sending one case found: per family a failure message or None (judged), absent if not judged."""

    verdicts: dict[str, str | None] = field(default_factory=dict)
    excused: set[str] = field(default_factory=set)
    unjudged: dict[str, str] = field(default_factory=dict)  # family -> why its checks could not judge it
    blocked: dict[str, dict[str, Any]] = field(default_factory=dict)  # family -> failed prerequisite's record
    exchanges: list[Any] = field(default_factory=list)
    route_missing: str | None = None
    arrange_error: str | None = None
    arrange_record: dict[str, Any] | None = None  # the failed prerequisite's record, for the reports
    unanswered: bool = False  # the request itself got no answer (the target still answers others)


def applicability(route_id: str | None, shape: RouteShape, graph: Graph) -> tuple[str, str] | None:
    """(outcome, reason) when a route's cases cannot run: an unsupported profile, a missing group identity."""
    if route_id is not None:
        profile = profile_of(route_id)
        if profile in graph.target.unsupported_profiles:
            return NOT_APPLICABLE, f"{route_id} belongs to profile {profile!r}, which the target leaves out"
    if shape.principal == "groups" and not graph.has("group"):
        return NOT_VERIFIED, "the target has no 'group' identity; add identities.group to test /groups routes"
    if shape.answers and not graph.has("attendee"):
        return NOT_VERIFIED, ("the target has no 'attendee' identity, whose copy of a meeting an answer "
                              "needs; add identities.attendee")
    return None


class CaseRunner:
    """Sends generated cases with real ids and the caller's token; judges each answer per family."""

    def __init__(self, graph: Graph, supply: EventSupply, seed: int,
                 without_attendees: Callable[[], None] | None = None) -> None:
        """`without_attendees` raises PrerequisiteFailed when the target refuses attendee-less cancels."""
        self.graph, self.supply, self.seed = graph, supply, seed
        self.without_attendees = without_attendees  # CANCEL-WITHOUT-ATTENDEES, asked once per run
        self.base_url = graph.target.base_url  # the schema was loaded before the target was known
        self.cases = 0
        self.requests = 0
        self._count_lock = threading.Lock()  # cases of one route may be sent from several threads
        self.session = session_for(graph)  # shares what the run learned of hangs, and its allowance
        target = graph.target
        self.timeout = (target.connect_timeout, target.read_timeout)

    def close(self) -> None:
        """Release the connection pool."""
        self.session.close()

    def _recorder(self, role: str, sent: _Sent) -> Callable[..., requests.Response]:
        def record(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
            with self._count_lock:
                self.requests += 1
            sent.statuses.append(response.status_code)
            sent.exchanges.append(self.graph.transcript.record(response, role))
            return response

        return record

    def run(self, planned: PlannedCase) -> CaseOutcome:
        """Send the case once (on a fresh or reused event) and judge the answer by each of its families.

        A transport error judges nothing when a health probe fails too: TargetUnreachable goes on (the plugin
        stops the run). While the target answers others, one unanswered request is one bad answer: while
        arranging, the case is not sent; on the request itself, it fails the families about that answer
        (`Family.about_answer`) and leaves the others unjudged, as does a throttled answer (429/503).
        """
        case, families, outcome = planned.case, list(planned.families), CaseOutcome()
        shape = RouteShape.of(case.operation.path)
        role = caller_role(shape, self.graph)
        headers = {"Authorization": f"Bearer {self.graph.token_for(role)}"}
        event = None
        if has_pinned_path(case.path_parameters):  # else the path is the invalid part: send it as generated
            try:
                event = self.supply.take(shape)
            except PrerequisiteFailed as failed:
                outcome.arrange_error, outcome.arrange_record = str(failed), failed.record
                return outcome
            except (TargetUnreachable, requests.RequestException) as error:
                detail = self._no_answer(error)
                outcome.arrange_error = f"could not create an event for the case (no answer): {detail}"
                return outcome
            except ConformanceError as error:
                outcome.arrange_error = f"could not create an event for the case: {_one_line(error)}"
                return outcome
            set_real_path_parameters(case, self.supply.path_parameters(shape, event))
        with self._count_lock:
            self.cases += 1
        sent = _Sent()
        hooks = {"response": [self._recorder(role, sent)]}
        transport: dict[str, Any] = {"session": self.session, "hooks": hooks, "timeout": self.timeout,
                                     "base_url": self.base_url}
        try:
            self._judge(case, families, role, headers, transport, outcome, event is not None, sent)
        finally:
            outcome.exchanges = list(sent.exchanges)
            if event is not None:
                self._return_or_spend(shape, event, sent)
        return outcome

    def _judge(self, case: Case, families: list[Family], role: str, headers: dict[str, str],
               transport: dict[str, Any], outcome: CaseOutcome, real_event: bool, sent: _Sent) -> None:
        try:
            response = case.call(headers=headers, **transport)
        except requests.RequestException as error:
            detail = self._no_answer(error)
            unanswered = f"the request got no answer (the target answers others): {detail}"
            outcome.unanswered = not isinstance(error, RememberedHang)  # one not sent cost no wait
            for family in families:
                if family.about_answer:
                    outcome.verdicts[family.name] = self._message(
                        case, family, f"no answer: {detail}", "the request got no answer while the target "
                        "answers others")
                else:
                    outcome.unjudged[family.name] = unanswered
            return
        if response.status_code in RETRY_STATUSES:
            for family in families:
                outcome.unjudged[family.name] = _throttled(response.status_code, "the request")
            return
        # is_unknown_route reads only .status_code and .json(), which Schemathesis's Response has too
        unknown = is_unknown_route(response)  # type: ignore[arg-type]  # reads .status_code and .json() only
        if real_event and unknown and self._route_missing(case, headers, transport):
            route_id = route_requirement(case) or "the CANCEL-ROUTE-* requirement of this path"
            outcome.route_missing = (
                f"the server does not serve {case.operation.path} (404 ResourceNotFound), so these checks "
                f"could not run there; {route_id} reports the missing route"
            )
            families = [family for family in families if family.route_independent]
        status = response.status_code
        # a refusal of a cancel on a real (attendee-less) event: CANCEL-WITHOUT-ATTENDEES may be why
        refused = (real_event and not unknown and 400 <= status < 500
                   and not application_refused(role, status)
                   and RouteShape.of(case.operation.path).action == CANCEL)
        for family in families:
            if family.skips_server_errors and status >= 500:
                continue
            if family.needs_success and not 200 <= status < 300:
                if refused:  # ignored_auth probes follow only an accepted cancel
                    self._refuses_without_attendees(family, outcome)
                continue
            if family.name == VALID_FAMILY_NAME and application_refused(role, status):
                outcome.excused.add(family.name)
                continue
            valid = family.name == VALID_FAMILY_NAME
            if valid and refused and self._refuses_without_attendees(family, outcome):
                continue
            try:
                verdict = self._validate(case, family, response, headers, transport, sent)
                outcome.verdicts[family.name] = verdict
            except Unjudged as unjudged:
                outcome.unjudged[family.name] = str(unjudged)

    def _refuses_without_attendees(self, family: Family, outcome: CaseOutcome) -> bool:
        """A cancel of an attendee-less event refused: unjudged if the target refuses every such cancel.

        The events here invite nobody; where the target refuses all such cancels (CANCEL-WITHOUT-ATTENDEES)
        the refusal says nothing about the body (or leaves nothing for ignored_auth to probe), so the family
        is not-verified naming the prerequisite.
        """
        if self.without_attendees is None:
            return False
        try:
            self.without_attendees()
        except PrerequisiteFailed as failed:
            outcome.unjudged[family.name] = str(failed)
            outcome.blocked[family.name] = failed.record
            return True
        return False

    def _validate(self, case: Case, family: Family, response: Any, headers: dict[str, str],
                  transport: dict[str, Any], sent: _Sent) -> str | None:
        """None when the family's checks hold for the answer, else the failure message.

        Raises Unjudged when a probe the checks sent (ignored_auth's, without the client's retries) was
        throttled or got no answer: that says nothing about the checks' requirement.
        """
        sent_before = len(sent.statuses)
        try:
            # the same transport for the probes some checks send (ignored_auth); they drop the session
            case.validate_response(response, checks=list(family.checks), headers=headers,
                                   transport_kwargs={**transport, "headers": dict(headers)})
        except FailureGroup as group:  # a BaseExceptionGroup: `except Exception` would not catch it
            throttled = [status for status in sent.statuses[sent_before:] if status in RETRY_STATUSES]
            if throttled:
                raise Unjudged(_throttled(throttled[0], "a probe these checks sent")) from None
            titles = "; ".join(sorted({f"{failure.code} {failure.title}" for failure in group.exceptions}))
            detail = self.graph.transcript.redactor.text(group.message).strip()
            cancels = action_of(case).cancels
            note = NO_ATTENDEES_NOTE if family.name == VALID_FAMILY_NAME and cancels else ""
            return self._message(case, family, titles, detail, note)
        except requests.RequestException as error:
            raise Unjudged(f"a probe these checks sent got no answer: {self._no_answer(error)}") from None
        return None

    def _no_answer(self, error: BaseException) -> str:
        """One line for a request that got no answer, once a health probe shows the target still answers.

        Raises TargetUnreachable when the probe gets no answer either: the plugin then stops the run (exit 3).
        A kind of request known to hang was not sent (its first one's evidence is the detail).
        """
        if isinstance(error, Unanswered):
            return error.evidence
        probe_reachable(self.graph.target, self.graph.allowance)
        return _one_line(error)

    def _message(self, case: Case, family: Family, titles: str, detail: str, note: str = "") -> str:
        redact = self.graph.transcript.redactor.text
        lines = [f"Schemathesis: {titles} on {case.operation.label} (requirements "
                 f"{', '.join(family.ids_for(action_of(case)))})",
                 detail, *([f"note: {note}"] if note else []),
                 f"reproduce: {reproduction_line(case, redact)}",
                 f"seed: {self.seed} (rerun with --st-seed {self.seed})"]
        return "\n".join(line for line in lines if line)

    def _return_or_spend(self, shape: RouteShape, event: ProvisionedEvent, sent: _Sent) -> None:
        """An event no answer touched serves the next case; one answered 2xx (cancelled) is spent."""
        server_error = any(status >= 500 for status in sent.statuses)
        accepted = any(200 <= status < 300 for status in sent.statuses)
        if not (accepted or server_error):
            self.supply.give_back(shape, event)
        elif not server_error:
            self.supply.spent(shape, event)  # after a 5xx it may be in any state: cleanup deletes it outright

    def _route_missing(self, case: Case, headers: dict[str, str], transport: dict[str, Any]) -> bool:
        """Whether a real event's path answering 404 ResourceNotFound means the route is not served.

        A POST confirms it when the case used another method (a served route may answer GET that way too);
        its body is invalid (`comment` a number), so a served route does not cancel the event.
        """
        if case.method.upper() == "POST":
            return True
        confirmation = case.operation.Case(
            method="POST", path_parameters=case.path_parameters, body={"comment": 0},
            media_type="application/json",
        )
        try:
            return is_unknown_route(confirmation.call(headers=headers, **transport))  # type: ignore[arg-type]
        except requests.RequestException:
            return False


def _throttled(status: int, what: str) -> str:
    """Why a throttled answer is no finding: it survived the client's bounded retries."""
    return (f"throttled: {what} was answered {status} after the client's retries (honouring Retry-After), "
            "which says nothing about these checks")


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:300]}"
