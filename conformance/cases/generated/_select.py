"""Which generated cases a check family can judge without holding a server to behaviour Graph may not have."""

from __future__ import annotations

from typing import Any

from schemathesis import Case
from schemathesis.generation.meta import CoverageScenario, coverage_scenario

from conformance.cases.generated._actions import CONDITIONAL_MEMBERS, ActionInfo, action_info, has_type
from conformance.cases.generated._schema import has_pinned_path

COMMENT_KEYS = frozenset({"comment", "Comment"})
WRONG_COMMENT_TYPE = "member of a wrong JSON type"  # cancel's only member is its comment
WRONG_MEMBER_TYPE = WRONG_COMMENT_TYPE
UNKNOWN_PARAMETER = "unknown body parameter"


def action_of(case: Case) -> ActionInfo:
    """The action of the case's operation, as its description states it (read once per description)."""
    raw, path = case.operation.schema.raw_schema, case.operation.path
    known = _ACTIONS.get((id(raw), path))
    if known is None or known[0] is not raw:  # the id of a description no longer alive may come back
        known = _ACTIONS[(id(raw), path)] = (raw, action_info(raw, path))
    return known[1]


_ACTIONS: dict[tuple[int, str], tuple[Any, ActionInfo]] = {}


def body_flaws(case: Case) -> set[str]:
    """What makes a JSON-object body invalid for the action: a member of a wrong type, an unknown member.

    The members and their types are the action's request body in its description (cancel: `comment` and
    `Comment`, strings). Bodies that are not JSON objects (`null`, a list, a number) are left out: the page
    and Graph's observed behaviour say nothing about them, so any answer but 5xx is acceptable.
    """
    body = case.body
    if not isinstance(body, dict):
        return set()
    types = action_of(case).member_types
    flaws: set[str] = set()
    if any(key in types and body[key] is not None and not has_type(body[key], types[key]) for key in body):
        flaws.add(WRONG_MEMBER_TYPE)
    if any(key not in types for key in body):
        flaws.add(UNKNOWN_PARAMETER)
    return flaws


def is_body_mutation(case: Case) -> bool:
    """A negative case whose only fault is a body flaw the requirements name (ids and request shape valid)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative or not has_pinned_path(case.path_parameters):
        return False
    if coverage_scenario(case) in (CoverageScenario.UNSPECIFIED_HTTP_METHOD,
                                   CoverageScenario.MALFORMED_CONTENT_TYPE,
                                   CoverageScenario.UNSUPPORTED_CONTENT_TYPE):
        return False
    return bool(body_flaws(case))


def phase_of(case: Case) -> str:
    """The Schemathesis phase that generated the case: examples, coverage or fuzzing."""
    return str(case.meta.phase.name.value) if case.meta is not None else ""


def is_positive(case: Case) -> bool:
    """A request the description calls valid (positive mode)."""
    return case.meta is not None and case.meta.generation.mode.is_positive


def is_negative(case: Case) -> bool:
    """A request the description calls invalid somewhere (negative mode)."""
    return case.meta is not None and case.meta.generation.mode.is_negative


def carries_one_comment(case: Case) -> bool:
    """A JSON object with exactly one spelling of the comment and nothing a correct server may refuse for the
    event's sake (a proposed new time): what CANCEL-COMMENT-STRING (and an answer's comment) is about."""
    body = case.body
    return (isinstance(body, dict) and len(COMMENT_KEYS & set(body)) == 1
            and not CONDITIONAL_MEMBERS & set(body))


def is_other_method_probe(case: Case) -> bool:
    """A coverage probe sending a method the operation does not declare (GET, PUT, PATCH, DELETE)."""
    return coverage_scenario(case) == CoverageScenario.UNSPECIFIED_HTTP_METHOD
