"""What the Schemathesis cases send per route: one generation judged by every family, deduplicated, cut."""

from __future__ import annotations

import pytest

from conformance.cases.generated import _schema
from conformance.cases.generated._actions import action_info, action_of_path
from conformance.cases.generated._family import FAMILIES, VALID_FAMILY
from conformance.cases.generated._plan import (
    plan,
    request_key,
    spends_event,
    unique,
)
from conformance.cases.generated._select import carries_one_comment, is_positive
from conformance.spec.catalog import load_catalog
from tests.cases.generated._generation import FIRST_ROUTE, route_cases


def labels() -> list[str]:
    """Every cancel route, and the first route of each other action (generating takes about a second)."""
    paths = list(_schema.read_description()["paths"])
    firsts = {action_of_path(path): path for path in reversed(paths)}
    return [f"POST {path}" for path in paths if action_of_path(path) == "cancel" or path in firsts.values()]


@pytest.mark.parametrize("label", labels())
def test_every_family_has_a_case_to_judge_on_every_route_with_the_essential_cases(label: str) -> None:
    """On a route that is not fuzzed in full, each family with items on its action judges a case."""
    planned = plan(route_cases(label, fuzzing=False), full=False)
    judged = {family.name for item in planned for family in item.families}
    action = action_info(_schema.read_description(), label.split(" ", 1)[1])
    catalog = frozenset(load_catalog())
    applicable = {family.name for family in FAMILIES if family.applies_to(action, catalog)}
    assert applicable <= judged, f"{label}: no case for {applicable - judged}"
    assert sum(spends_event(item.case) for item in planned) == 1, "the essential set acts on one event"


def test_repeated_requests_are_sent_once_and_a_positive_twin_is_kept() -> None:
    """The examples phase repeats coverage's example values; the kept copy is the positive one."""
    cases = route_cases(FIRST_ROUTE, fuzzing=False)
    kept = unique(cases)
    assert len(kept) < len(cases)
    assert len({request_key(case) for case in kept}) == len(kept)
    page_example = [case for case in kept if case.method == "POST" and case.body == {"Comment": (
        "Cancelling for this week due to all hands")} and case.media_type == "application/json"]
    assert any(is_positive(case) for case in page_example), "the page's example must stay a valid request"


def test_a_remote_route_cancels_at_most_its_share_of_events_named_examples_first() -> None:
    """With at most 5 event-cancelling cases, the description's named comment examples are among them."""
    planned = plan(route_cases(FIRST_ROUTE, fuzzing=True), full=True, events=5)
    spending = [item.case for item in planned if spends_event(item.case)]
    assert len(spending) == 5
    comments = [str(case.body.get("comment", "")) for case in spending if isinstance(case.body, dict)]
    assert any(len(comment) > 1000 for comment in comments), "the long named example was cut"
    assert any(not comment.isascii() for comment in comments), "the non-ASCII named example was cut"


def test_the_first_route_in_full_sends_more_than_its_essential_cases() -> None:
    """Full generation adds the coverage variations and fuzzed cases to the essential ones."""
    full = plan(route_cases(FIRST_ROUTE, fuzzing=True), full=True)
    essential = [item for item in full if item.essential]
    assert len(full) > 2 * len(essential)
    valid = [item for item in full if VALID_FAMILY in item.families]
    assert valid and all(carries_one_comment(item.case) for item in valid)
