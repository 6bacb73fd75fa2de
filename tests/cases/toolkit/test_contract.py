"""The contract and answers toolkit's pure parts (no server): routes from the catalog, status, paths."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from conformance.cases.toolkit import answer_cases, answers, contract
from conformance.cases.toolkit.contract import Route, Subject
from conformance.target.client import Graph
from tests.cases.toolkit._answers import answer

ROUTE_SENTENCES = {
    "ACCEPT-ROUTE-ME-EVENTS": "POST /me/events/{id}/accept",
    "ACCEPT-ROUTE-USERS-CALENDARGROUPS-CALENDARS-EVENTS":
        "POST /users/{id | userPrincipalName}/calendargroups/{id}/calendars/{id}/events/{id}/accept",
    "ACCEPT-ROUTE-ME-CALENDARS-EVENTS": "POST /me/calendars/{id}/events/{id}/accept",
    "FORWARD-ROUTE-GROUPS-CALENDAR-EVENTS": "POST /groups/{id}/calendar/events/{id}/forward",
    "ACCEPT-202-EMPTY": "If successful, this method returns 202 Accepted",
}


class _Identity:
    def __init__(self, role: str) -> None:
        self.user_id, self.user_principal_name = f"id-{role}", f"{role}@contoso.test"
        self.address = self.user_principal_name
        self.user_ids = ("id-attendee2",)


class _Graph:
    target = SimpleNamespace(attendee_roles=("attendee", "attendee2"))

    def identity(self, role: str) -> _Identity:
        return _Identity(role)

    def mailbox_name(self, path: str, role: str) -> str:
        return "organizer" if role in ("readonly", "organizer_minimal") else role


def test_routes_come_from_the_route_requirements_users_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = {rid: SimpleNamespace(sentence=sentence) for rid, sentence in ROUTE_SENTENCES.items()}
    monkeypatch.setattr(contract, "load_catalog", lambda: catalog)
    assert contract.routes_of("ACCEPT") == [
        Route("me", "events", "ACCEPT-ROUTE-ME-EVENTS"),
        Route("users-id", "calendargroups", "ACCEPT-ROUTE-USERS-CALENDARGROUPS-CALENDARS-EVENTS"),
        Route("users-upn", "calendargroups", "ACCEPT-ROUTE-USERS-CALENDARGROUPS-CALENDARS-EVENTS"),
        Route("me", "calendars", "ACCEPT-ROUTE-ME-CALENDARS-EVENTS"),
    ]
    groups = Route("groups", "calendar", "FORWARD-ROUTE-GROUPS-CALENDAR-EVENTS")
    assert contract.routes_of("FORWARD") == [groups]


def test_the_success_status_is_the_descriptions_2xx(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "event-snoozeReminder.yaml").write_text(
        "paths:\n  /me/events/{id}/snoozeReminder:\n    post:\n      responses:\n"
        "        '200': {description: OK}\n        '400': {description: bad}\n", encoding="utf-8")
    (tmp_path / "event-forward.yaml").write_text("paths: {}\n", encoding="utf-8")
    monkeypatch.setattr(contract, "openapi_dir", lambda: tmp_path)
    contract.success_status.cache_clear()
    try:
        assert contract.success_status("snoozeReminder") == 200
        with pytest.raises(LookupError, match="generate"):
            contract.success_status("forward")
    finally:
        contract.success_status.cache_clear()


@pytest.mark.parametrize(("route", "path"), [
    (Route("me", "events", ""), "/me/events/E%2F1/accept"),
    (Route("users-id", "calendar", ""), "/users/id-attendee/calendar/events/E%2F1/accept"),
    (Route("users-upn", "calendars", ""), "/users/attendee%40contoso.test/calendars/C1/events/E%2F1/accept"),
    (Route("me", "calendargroups", ""), "/me/calendargroups/G1/calendars/C1/events/E%2F1/accept"),
    (Route("groups", "events", ""), "/groups/X1/events/E%2F1/accept"),
])
def test_action_paths_fill_the_route_with_the_subjects_ids(route: Route, path: str) -> None:
    subject = Subject("attendee", "E/1", calendar_id="C1", calendar_group_id="G1", group_id="X1")
    assert contract.action_path(route, cast(Graph, _Graph()), subject, "accept") == path


def test_answers_are_given_on_a_copy_of_the_mailbox_the_caller_reaches() -> None:
    graph = cast(Graph, _Graph())
    assert answers.mailbox_of(graph, "readonly") == "organizer"
    assert answers.mailbox_of(graph, "application") == "attendee2"  # the first user the app may act on
    assert answers.organizer_for(graph, "organizer") == "attendee"
    assert answers.organizer_for(graph, "personal") == "organizer"


def test_a_copy_counts_as_answered_once_its_response_changed_to_an_answer() -> None:
    before = {"responseStatus": {"response": "notResponded"}}
    subject = Subject("attendee", "E1", before=before)
    reads = iter([before, {"responseStatus": {"response": "declined"}}, {}])
    graph: Any = SimpleNamespace(as_=lambda role: SimpleNamespace(get=lambda path: answer(200, next(reads))))
    assert [answers.answered(graph, subject).found for _ in range(3)] == [False, True, False]


def test_the_organizer_status_of_an_attendee_and_its_missing_status() -> None:
    event: Any = SimpleNamespace(owner_role="organizer", path="/me/events/E1")
    listing = {"attendees": [{"emailAddress": {"address": "Attendee@Contoso.test"},
                              "status": {"response": "accepted"}}]}
    graph: Any = _Graph()
    graph.as_ = lambda role: SimpleNamespace(get=lambda path: answer(200, listing))
    assert answers.organizer_status(graph, event, "attendee").value == "accepted"
    assert not answers.organizer_status(graph, event, "attendee2").found
    listing["attendees"][0].pop("status")
    with pytest.raises(answers.PrerequisiteFailed, match="status.response"):
        answers.organizer_status(graph, event, "attendee")


def test_a_proposal_is_read_to_the_minute() -> None:
    message = {"proposedNewTime": {"start": {"dateTime": "2026-12-14T10:30:00.0000000", "timeZone": "UTC"}}}
    assert answer_cases.proposed_start(message) == "2026-12-14T10:30"
    assert answer_cases.proposed_start({"proposedNewTime": None}) is None


def test_an_action_is_named_in_snake_case_for_its_test_names() -> None:
    assert answer_cases.snake("tentativelyAccept") == "tentatively_accept"
    assert answer_cases.snake("decline") == "decline"


def test_the_organizers_event_counts_as_changed_when_gone_or_answered() -> None:
    before = {"responseStatus": {"response": "organizer"}}
    subject = Subject("organizer", "E1", before=before)
    accepted = {"responseStatus": {"response": "accepted"}}
    reads = iter([answer(200, before), answer(200, accepted), answer(404, {})])
    graph: Any = SimpleNamespace(as_=lambda role: SimpleNamespace(get=lambda path: next(reads)))
    looks = [answer_cases.event_changed(graph, subject) for _ in range(3)]
    assert [look.found for look in looks] == [False, True, True]
    assert "404" in str(looks[2].value)
