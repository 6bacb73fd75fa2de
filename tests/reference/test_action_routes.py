"""The action registry and its routes: every registered action on every container, 405 for other methods,
segments regardless of case, /groups only for the actions the pages route there."""

from __future__ import annotations

import pytest

from conformance.reference.actions import registry
from conformance.reference.routing import action_shaped, match
from tests.reference._graph_client import GraphClient, calendar_ids, quote_id

ACTIONS = ("accept", "cancel", "decline", "dismissReminder", "forward", "snoozeReminder", "tentativelyAccept")
UNKNOWN_ID = "AAMkAGUzYRgWAAA="


def test_the_registry_holds_one_action_per_module() -> None:
    assert sorted(registry()) == sorted(ACTIONS)
    assert {name for name, action in registry().items() if action.groups} == {"cancel", "forward"}


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_is_routed_on_every_container(action: str) -> None:
    for path in (
        f"/v1.0/me/events/{UNKNOWN_ID}/{action}",
        f"/v1.0/users/u/calendar/events/{UNKNOWN_ID}/{action.upper()}",
        f"/v1.0/me/calendars/c/events/{UNKNOWN_ID}/{action}",
        f"/v1.0/me/calendarGroups/g/calendars/c/events/{UNKNOWN_ID}/{action.lower()}",
        f"/beta/users/u/calendargroup/calendars/c/events/{UNKNOWN_ID}/{action}",
    ):
        route = match(path.encode())
        assert (route.kind, route.params["event"]) == (action, UNKNOWN_ID), path
        assert action_shaped(path.encode())


@pytest.mark.parametrize("action", ACTIONS)
def test_other_methods_on_an_action_path_get_405(graph: GraphClient, action: str) -> None:
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        answer = graph.request(method, f"/me/events/{UNKNOWN_ID}/{action}")
        assert answer.status_code == 405 and answer.headers["Allow"] == "POST", (method, answer.text)
        assert answer.json()["error"]["code"]


def test_only_cancel_and_forward_are_routed_under_groups(graph: GraphClient, unique_subject: str) -> None:
    group = f"/groups/{graph.identity('group')['group_id']}"
    event = graph.create_event(path=f"{group}/events", subject=unique_subject, attendees=())
    for action in ("accept", "decline", "tentativelyAccept", "snoozeReminder", "dismissReminder"):
        answer = graph.request("POST", f"{group}/events/{quote_id(event['id'])}/{action}", json={})
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "ResourceNotFound", action
    answer = graph.request("POST", f"{group}/calendar/events/{quote_id(event['id'])}/forward", json={})
    assert answer.status_code == 202


def test_actions_answer_on_secondary_calendars(graph: GraphClient, unique_subject: str) -> None:
    secondary, projects, in_projects = calendar_ids(graph)
    collection = f"/me/calendarGroups/{quote_id(projects)}/calendars/{quote_id(in_projects)}/events"
    event = graph.create_event(path=collection, subject=unique_subject)
    path = f"{collection}/{quote_id(event['id'])}/dismissReminder"
    assert graph.request("POST", path).status_code == 200
    elsewhere = f"/me/calendars/{quote_id(secondary)}/events/{quote_id(event['id'])}/dismissReminder"
    assert graph.request("POST", elsewhere).status_code == 404


@pytest.mark.parametrize("action", [name for name in ACTIONS if name != "cancel"])
def test_unknown_and_malformed_ids(graph: GraphClient, action: str) -> None:
    role = "attendee" if action in ("accept", "decline", "tentativelyAccept") else "organizer"
    body = {"newReminderTime": {"dateTime": "2031-05-05T09:00:00", "timeZone": "UTC"}}
    body = body if action == "snoozeReminder" else {}
    unknown = graph.request("POST", f"/me/events/{UNKNOWN_ID}/{action}", role, json=body)
    malformed = graph.request("POST", f"/me/events/not-an-id!/{action}", role, json=body)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "ErrorItemNotFound"
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "ErrorInvalidIdMalformed"
