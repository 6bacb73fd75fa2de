"""Each route's generated cases, run once per process and judged by every family; each family's verdict.

The first family item of a route that runs (in this process) sends the route's cases; the others read the
result. A family's item then fails with its own findings, ends not-verified when it had nothing to judge
(a budget cut, a route the server does not serve, an arranging failure), or passes.
"""

from __future__ import annotations

import contextvars
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance._stash import record_prerequisite
from conformance.cases.generated._actions import ActionInfo, action_info, action_of_path, route_id_of
from conformance.cases.generated._calls import CaseOutcome, CaseRunner, FamilyResult, applicability
from conformance.cases.generated._family import CANCEL_ACTION, FAMILIES, Family
from conformance.cases.generated._ids import RouteShape
from conformance.cases.generated._plan import (
    COPY_COST,
    EVENT_COST,
    Effort,
    PlannedCase,
    fit,
    generate,
    load_schema,
    plan,
    total_cost,
)
from conformance.cases.toolkit.checks import failure as requirement_failure
from conformance.errors import BudgetExhausted, TargetUnreachable
from conformance.outcomes import NOT_APPLICABLE, not_applicable, not_verified
from conformance.target.allowance import Allowance, Cost, describe
from conformance.target.config import Budget

MAX_FAILURES_SHOWN = 3
MAX_UNANSWERED_PER_ROUTE = 3  # unanswered requests (the target answering others) before a route stops sending
NAMED_EXAMPLES = 1  # the description's named examples (non-ASCII, long first) an action's first route adds


@dataclass
class RouteResult:
    """What the generated cases found on one route, per family."""

    label: str
    action: ActionInfo = CANCEL_ACTION  # the route's action: whose requirement ids its families land on
    skip: tuple[str, str] | None = None  # (outcome, reason) for every family
    route_missing: str | None = None
    arrange_error: str | None = None
    arrange_record: dict[str, Any] | None = None
    budget_note: str | None = None
    unanswered_note: str | None = None  # why the route stopped sending: too many requests got no answer
    families: dict[str, FamilyResult] = field(default_factory=dict)
    cases: int = 0
    requests: int = 0
    left_out: int = 0


@dataclass
class RouteRuns:
    """The routes run so far in this process, and what they may still spend."""

    runner: CaseRunner
    description: dict[str, Any]
    labels: tuple[str, ...]  # every route of the description, the first one fuzzed in full
    effort: Effort
    budget: Budget
    allowance: Allowance
    results: dict[str, RouteResult] = field(default_factory=dict)
    generated: int = 0
    width: int = 1  # cases of a route in flight at once (within the per-mailbox cap): CaseWindow
    lost: str | None = None  # the target stopped answering (a health probe failed too): nothing more is sent
    _schemas: dict[bool, Any] = field(default_factory=dict)

    def result(self, label: str) -> tuple[RouteResult, bool]:
        """The route's result, and whether this call ran it; TargetUnreachable once the target is lost."""
        if label in self.results:
            return self.results[label], False
        if self.lost is not None:
            raise TargetUnreachable(self.lost)
        try:
            self.results[label] = self._run(label)
        except TargetUnreachable as error:
            self.lost = str(error)
            raise
        return self.results[label], True

    def _schema(self, full: bool) -> Any:
        if full not in self._schemas:
            self._schemas[full] = load_schema(self.description, self.runner.seed, fuzzing=full,
                                              examples=self.effort.fuzzed_examples)
        return self._schemas[full]

    def _room(self, label: str) -> tuple[Cost, int]:
        """(what the run has left, every process counted; how many routes come after this one)."""
        routes_after = len([other for other in self.labels if other not in self.results and other != label])
        return self.allowance.room(), routes_after

    def _run(self, label: str) -> RouteResult:
        path = label.split(" ", 1)[1]
        result = RouteResult(label, action_info(self.description, path),
                             families={family.name: FamilyResult() for family in FAMILIES})
        result.skip = applicability(route_requirement_of(self.description, path), RouteShape.of(path),
                                    self.runner.graph)
        if result.skip is not None:
            return result
        full = self.effort.full_routes or label == self.labels[0]
        cases = generate(self._schema(full), label)
        self.generated += len(cases)
        first_of_action = next((other for other in self.labels
                                if action_of_path(other) == action_of_path(label)), label) == label
        planned = plan(cases, full=full, events=self.effort.events_per_route,
                       examples=NAMED_EXAMPLES if first_of_action else 0)
        if self.budget.limited:
            room, routes_after = self._room(label)
            if not self.runner.supply.has_spare(RouteShape.of(path)):  # the first rejected case needs one
                room = room - (COPY_COST if RouteShape.of(path).answers else EVENT_COST)
            essential_cost = total_cost([item for item in planned if item.essential])
            share = Cost(room.requests - essential_cost.requests * routes_after,
                              room.events - essential_cost.events * routes_after, room.messages)
            sent, left_out = fit(planned, share if share.requests > 0 and share.events > 0 else room)
            if left_out:
                why = (f"budget: the target file's budget ({describe(self.budget)}) left room for "
                       f"{len(sent)} of this route's {len(planned)} generated cases")
                _leave_out_note(result, left_out, why)
            planned = sent
        transcript = self.runner.graph.transcript
        requests_before = transcript.request_count
        unanswered = 0
        # a budget plans on each untouched event serving the next case, in order: then one at a time
        window = CaseWindow(self.runner.run, planned, 1 if self.budget.limited else self.width)
        outcomes = iter(window)
        while True:
            try:
                outcome = next(outcomes)
            except StopIteration:
                break
            except BudgetExhausted as cut:  # other processes spent what this plan counted on
                _leave_out_note(result, planned[max(window.submitted - 1, 0):], str(cut))
                break
            result.cases += 1
            result.route_missing = result.route_missing or outcome.route_missing
            if outcome.arrange_error:
                result.arrange_error, result.arrange_record = outcome.arrange_error, outcome.arrange_record
                window.stop()  # the target cannot give an event here: stop rather than hammer it
                continue
            for name in outcome.excused:
                result.families[name].excused += 1
            for name, reason in outcome.unjudged.items():
                result.families[name].unjudged.append(reason)
            for name, record in outcome.blocked.items():
                result.families[name].blocked = record
            for name, failure in outcome.verdicts.items():
                family_result = result.families[name]
                family_result.judged += 1
                if failure is not None:
                    family_result.failures.append(failure)
                    family_result.exchanges = family_result.exchanges or list(outcome.exchanges)
            unanswered += outcome.unanswered
            if unanswered >= MAX_UNANSWERED_PER_ROUTE and window.unsent and not result.unanswered_note:
                window.stop()
                result.unanswered_note = (
                    f"{unanswered} requests on {label} got no answer while the target answered others; its "
                    f"other {window.unsent} cases were not sent (every wait stays bounded)"
                )
        result.requests = transcript.request_count - requests_before  # provisioning included
        return result


class CaseWindow:
    """A route's planned cases sent `width` at a time, their outcomes given back in plan order.

    The cases of a route are independent (each on its own event), so while one waits out a Retry-After the
    others go on; a route of N cases throttled at every few requests costs about N / width waits, not N.
    Each case runs in a copy of the caller's context (its prerequisite records land where they would).
    stop() sends no more; the cases already in flight finish and are given back (their verdicts count).
    """

    def __init__(self, run: Callable[[PlannedCase], CaseOutcome], planned: list[PlannedCase],
                 width: int) -> None:
        self.run, self.planned, self.width = run, planned, max(1, width)
        self.submitted = 0
        self._stopped = False

    @property
    def unsent(self) -> int:
        """How many planned cases were not sent (after stop())."""
        return len(self.planned) - self.submitted

    def stop(self) -> None:
        """Send no further case."""
        self._stopped = True

    def __iter__(self) -> Iterator[CaseOutcome]:
        if self.width == 1:
            for item in self.planned:
                if self._stopped:
                    return
                self.submitted += 1
                yield self.run(item)
            return
        with ThreadPoolExecutor(max_workers=self.width, thread_name_prefix="generated-case") as pool:
            in_flight: deque[Future[CaseOutcome]] = deque()
            while True:
                while not self._stopped and len(in_flight) < self.width and self.unsent:
                    item = self.planned[self.submitted]
                    in_flight.append(pool.submit(contextvars.copy_context().run, self.run, item))
                    self.submitted += 1
                if not in_flight:
                    return
                yield in_flight.popleft().result()


def _leave_out_note(result: RouteResult, left_out: list[PlannedCase], why: str) -> None:
    """Count the cases not sent against their families, with why (the budget)."""
    result.left_out += len(left_out)
    result.budget_note = result.budget_note or why
    for item in left_out:
        for family in item.families:
            result.families[family.name].left_out += 1


def route_requirement_of(description: dict[str, Any], path: str) -> str | None:
    """The *-ROUTE-* id (CANCEL-ROUTE-ME-EVENTS, ...) the description's operation on `path` names."""
    return route_id_of(description.get("paths", {}).get(path, {}).get("post") or {})


def conclude(result: RouteResult, family: Family, item: pytest.Item) -> None:
    """End a family's item on a route: fail with its findings, not-verified/applicable with why, or pass."""
    if result.skip is not None:
        outcome, reason = result.skip
        (not_applicable if outcome == NOT_APPLICABLE else not_verified)(reason)
    found = result.families[family.name]
    if found.failures:
        shown = found.failures[:MAX_FAILURES_SHOWN]
        more = len(found.failures) - len(shown)
        message = "\n\n".join(shown) + (f"\n\n(+{more} more failing cases on this route)" if more else "")
        # with the requirement's sentence
        raise requirement_failure(family.ids_for(result.action)[0], message)
    if found.judged:
        return
    if found.unjudged:
        if found.blocked is not None:  # the reports mark these requirements blocked by it
            record_prerequisite(item, found.blocked)
        others = f" (and {len(found.unjudged) - 1} more such cases)" if len(found.unjudged) > 1 else ""
        not_verified(f"{found.unjudged[0]}{others} (on {result.label})")
    if result.unanswered_note:
        not_verified(result.unanswered_note)
    if result.route_missing and not family.route_independent:
        not_verified(result.route_missing)
    if found.left_out:
        not_verified(f"{result.budget_note}; none of the cases sent was one these checks judge")
    if result.arrange_error:
        if result.arrange_record is not None:  # the reports mark these requirements blocked by it
            record_prerequisite(item, result.arrange_record)
        not_verified(f"{result.arrange_error} (on {result.label})")
    if found.excused:
        not_verified(f"the application's token was refused on {result.label} ({result.action.prefix}-PERM-"
                     "APPLICATION reports it), so no answer here says anything about these checks")
    not_verified(f"no generated case on {result.label} was one these checks judge")

