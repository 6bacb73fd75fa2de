"""What the Schemathesis cases send on one route: generated once, deduplicated, ordered, fitted to the budget.

One generation per route (positive and negative, examples + coverage + fuzzing) feeds every check family.
The first route of the run gets the whole generation; the first route of each other action its essential
cases and the description's named examples; the others their essential cases (one valid request, the other
methods, one member of a wrong type, one unknown member), unless the run asks for every route in full.
Essential cases come first, so a tight budget cuts fuzzing before anything else.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from schemathesis import Case
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.meta import CoverageScenario, coverage_scenario
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.specs.openapi.schemas import OpenApiSchema

from conformance.cases.generated import _schema
from conformance.cases.generated._actions import ANSWERS, CONDITIONAL_MEMBERS, action_of_path
from conformance.cases.generated._family import (
    AUTH_FAMILY,
    FAMILIES,
    UNKNOWN_PARAMETER_FAMILY,
    WRONG_TYPE_FAMILY,
    Family,
)
from conformance.cases.generated._schema import GenerationPlan, has_pinned_path
from conformance.cases.generated._select import (
    COMMENT_KEYS,
    carries_one_comment,
    is_other_method_probe,
    is_positive,
    phase_of,
)
from conformance.target.allowance import CLEANUP_REQUESTS, Cost

AUTH_CASES = 2  # cases ignored_auth re-sends (twice each: without a token, with an invalid one)
PAGE_EXAMPLE_KEY = "Comment"  # the page's own request example spells it so
EVENT_COST = Cost(requests=1 + CLEANUP_REQUESTS, events=1)  # creating an event, its clean-up kept back
# an answer's event: a meeting inviting the attendee (the invitation, the notice its removal may send at
# clean-up, and the response the answer may send), the attendee's copy looked up (a listing, and the default
# calendar and calendar group once)
COPY_COST = EVENT_COST + Cost(requests=3, messages=3)


@dataclass(frozen=True)
class Effort:
    """How much to send: fuzzed examples on the first route, whether every route gets everything, and at
    most how many cases per route may cancel an event (None: all; a remote tenant gets the named examples
    and fuzzed comments first, the coverage phase's variations of them last)."""

    fuzzed_examples: int
    full_routes: bool = False
    events_per_route: int | None = None


@dataclass(frozen=True)
class PlannedCase:
    """A generated case, the families that judge its answer, and whether it is essential to them."""

    case: Case
    families: tuple[Family, ...]
    essential: bool

    @property
    def cost(self) -> Cost:
        """Worst case: one request (+2 ignored_auth probes), an event if it may act on one (its creation and
        the requests kept back for its clean-up; for an answer, the meeting and the attendee's copy)."""
        event = spends_event(self.case)
        probes = 2 if AUTH_FAMILY in self.families else 0
        made = COPY_COST if action_of_path(self.case.operation.path) in ANSWERS else EVENT_COST
        return Cost(requests=1 + probes) + (made if event else Cost())


def load_schema(description: dict[str, object], seed: int, *, fuzzing: bool, examples: int) -> OpenApiSchema:
    """The description as a Schemathesis schema generating both modes, fuzzing on or off."""
    phases = ("examples", "coverage", "fuzzing") if fuzzing else ("examples", "coverage")
    plan = GenerationPlan(mode="all", phases=phases, max_examples=max(examples, 1), seed=seed)
    return _schema.load_cancel_schema(plan, description)


def generate(schema: OpenApiSchema, label: str) -> list[Case]:
    """Every case Schemathesis generates for the operation `label` (`POST /me/events/{event-id}/cancel`)."""
    operation = schema.find_operation_by_label(label)
    if operation is None:
        raise LookupError(f"{label}: no such operation in the description")
    cases: list[Case] = []

    def collect(case: Case) -> None:  # a plain function: Hypothesis hangs its settings on it
        cases.append(case)

    test = build_operation_test(config=schema.config, operation=operation, test_func=collect,
                                given_kwargs={}, feedback=FeedbackSources())
    test()
    return cases


def request_key(case: Case) -> str:
    """What the server sees of a case: two cases with the same key are the same request."""
    try:
        body = json.dumps(case.body, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        body = repr(case.body)
    parts = (case.method.upper(), case.path_parameters, case.query, case.headers, case.media_type, body)
    return repr(parts)


def unique(cases: Sequence[Case]) -> list[Case]:
    """The cases without repeats, a positive one kept over its twins.

    The examples phase re-sends what coverage sends as `example_value`, and a coverage case made negative
    only in a path parameter is, with the path pinned to real ids, the same valid request as a positive one.
    """
    kept: dict[str, Case] = {}
    for case in cases:
        key = request_key(case)
        if key not in kept or (is_positive(case) and not is_positive(kept[key])):
            kept[key] = case
    return list(kept.values())


def _preference(case: Case) -> int:
    """Which valid request a route's essential set sends (lowest first): one a correct server accepts, costing
    the least mail (cancel's page example; an answer sending no response; a valid time)."""
    body = case.body
    if not isinstance(body, dict):
        return 5
    if body in _schema.SUITE_EXAMPLES.values():
        return 0
    if set(body) == {PAGE_EXAMPLE_KEY}:
        return 1
    if carries_one_comment(case):
        return 2 if body.get("sendResponse") is False else 3
    return 4 if not CONDITIONAL_MEMBERS & set(body) else 5


def essential(cases: Sequence[Case]) -> list[Case]:
    """The cases that give every family something to judge on a route: see the module docstring."""
    positives = [case for case in cases if spends_event(case)]
    picked = sorted(positives, key=_preference)[:1]  # stable: the first generated of the best kind
    picked += [case for case in cases if is_other_method_probe(case)]
    for family in (WRONG_TYPE_FAMILY, UNKNOWN_PARAMETER_FAMILY):
        picked += [case for case in cases if family.judges(case)][:1]
    return picked


def _auth_choice(cases: Sequence[Case]) -> set[int]:
    """ids of the few positive cases ignored_auth judges: the suite's own valid example first (a drawn
    newReminderTime is rarely valid, so a refused draw leaves nothing to judge), then fuzzed ones."""
    positives = [case for case in cases if spends_event(case)]
    known = [case for case in positives if case.body in _schema.SUITE_EXAMPLES.values()][:1]
    fuzzed = [case for case in positives if phase_of(case) == "fuzzing" and case not in known]
    ordered = known + fuzzed + [case for case in positives if case not in fuzzed and case not in known]
    return {id(case) for case in ordered[:AUTH_CASES]}


def spends_event(case: Case) -> bool:
    """Whether a correct server acts on the case's event (a valid request on a real event)."""
    return is_positive(case) and has_pinned_path(case.path_parameters)


def _rank(case: Case) -> int:
    """Order of the rest: no event spent, then the description's named examples, fuzzed ones, variations."""
    if not spends_event(case):
        return 0
    if phase_of(case) == "examples" or coverage_scenario(case) == CoverageScenario.EXAMPLE_VALUE:
        return 1
    return 2 if phase_of(case) == "fuzzing" else 3


def named_examples(cases: Sequence[Case], chosen: Sequence[Case], at_most: int) -> list[Case]:
    """Up to `at_most` valid requests from the description's named examples (non-ASCII, long, multi-line
    comments) not in `chosen`: what the first route of an action adds to its essential cases."""
    named = [case for case in cases if spends_event(case) and case not in chosen and _rank(case) == 1
             and not (isinstance(case.body, dict) and CONDITIONAL_MEMBERS & set(case.body))]
    return sorted(named, key=lambda case: not _stresses(case))[:at_most]


def _stresses(case: Case) -> bool:
    """A body whose comment servers trip over: non-ASCII, or over a thousand characters."""
    body = case.body if isinstance(case.body, dict) else {}
    comments = [str(body[key]) for key in COMMENT_KEYS if isinstance(body.get(key), str)]
    return any(not comment.isascii() or len(comment) > 1000 for comment in comments)


def plan(
    cases: Sequence[Case], *, full: bool, events: int | None = None, examples: int = 0
) -> list[PlannedCase]:
    """The route's cases in the order they are sent: the essential ones first, then (if `full`) the rest,
    those that cost no event before those that do, else up to `examples` named examples; at most `events`
    cases that act on one."""
    distinct = unique(cases)
    first = essential(distinct)
    if full:
        rest = [case for case in distinct if case not in first]
    else:
        rest = named_examples(distinct, first, examples)
    rest.sort(key=_rank)
    if events is not None:
        allowed = max(0, events - sum(map(spends_event, first)))
        costly = [case for case in rest if spends_event(case)][:allowed]
        rest = [case for case in rest if not spends_event(case) or case in costly]
    chosen = first + rest
    auth = _auth_choice(chosen)
    planned: list[PlannedCase] = []
    for index, case in enumerate(chosen):
        families = tuple(family for family in FAMILIES if family is not AUTH_FAMILY and family.judges(case))
        if id(case) in auth:
            families += (AUTH_FAMILY,)
        planned.append(PlannedCase(case, families, essential=index < len(first)))
    return planned


def fit(planned: Sequence[PlannedCase], room: Cost) -> tuple[list[PlannedCase], list[PlannedCase]]:
    """(sent, left out): in order, each case whose cost still fits `room` (a cheaper later one may fit)."""
    spent = Cost()
    sent: list[PlannedCase] = []
    left_out: list[PlannedCase] = []
    for item in planned:
        if (spent + item.cost).fits(room):
            spent = spent + item.cost
            sent.append(item)
        else:
            left_out.append(item)
    return sent, left_out


def total_cost(planned: Sequence[PlannedCase]) -> Cost:
    """The worst-case footprint of sending all of `planned`."""
    spent = Cost()
    for item in planned:
        spent = spent + item.cost
    return spent
