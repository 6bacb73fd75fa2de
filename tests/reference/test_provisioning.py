"""What clients provision and observe: directory, calendars, calendar groups, events, OData options, mail."""

from __future__ import annotations

from tests.reference._graph_client import GraphClient, quote_id


def test_me_and_users_by_guid_or_upn(graph: GraphClient) -> None:
    me = graph.request("GET", "/me").json()
    assert me["id"] == graph.user_id("organizer")
    by_upn = graph.request("GET", f"/users/{me['userPrincipalName']}").json()
    assert by_upn["id"] == me["id"] and by_upn["userPrincipalName"] == me["userPrincipalName"]
    assert (
        graph.request("GET", "/users/00000000-0000-0000-0000-000000000000", "application").status_code == 404
    )


def test_calendar_and_calendar_group_lifecycle(graph: GraphClient) -> None:
    created = graph.request("POST", "/me/calendarGroups", json={"name": "gc-test group"})
    assert created.status_code == 201
    group_id = created.json()["id"]
    calendar = graph.request(
        "POST", f"/me/calendarGroups/{quote_id(group_id)}/calendars", json={"name": "gc-test cal"}
    )
    assert calendar.status_code == 201 and calendar.json()["isDefaultCalendar"] is False
    calendar_id = calendar.json()["id"]
    listed = graph.request("GET", f"/me/calendarGroups/{quote_id(group_id)}/calendars").json()["value"]
    assert [item["id"] for item in listed] == [calendar_id]
    event = graph.create_event(path=f"/me/calendars/{quote_id(calendar_id)}/events")
    assert (
        graph.request("GET", f"/me/calendars/{quote_id(calendar_id)}/events").json()["value"][0]["id"]
        == event["id"]
    )
    assert graph.request("DELETE", f"/me/calendars/{quote_id(calendar_id)}").status_code == 204
    assert graph.request("GET", f"/me/events/{quote_id(event['id'])}").status_code == 404
    assert graph.request("DELETE", f"/me/calendarGroups/{quote_id(group_id)}").status_code == 204
    assert graph.request("GET", f"/me/calendarGroups/{quote_id(group_id)}").status_code == 404
    default = graph.request("GET", "/me/calendar").json()
    assert default["isDefaultCalendar"] is True
    assert graph.request("DELETE", f"/me/calendars/{quote_id(default['id'])}").status_code == 400


def test_event_shape_and_attendee_copy(graph: GraphClient, unique_subject: str) -> None:
    event = graph.create_event(subject=unique_subject)
    for name in (
        "id",
        "subject",
        "body",
        "start",
        "end",
        "organizer",
        "attendees",
        "isOrganizer",
        "isCancelled",
        "type",
        "seriesMasterId",
        "recurrence",
        "iCalUId",
        "createdDateTime",
        "lastModifiedDateTime",
        "changeKey",
        "cancelledOccurrences",
    ):
        assert name in event, name
    assert event["isOrganizer"] is True and event["type"] == "singleInstance"
    copy = graph.attendee_copy("attendee", event["iCalUId"])
    assert copy["id"] != event["id"] and copy["isOrganizer"] is False
    assert copy["organizer"] == event["organizer"]
    (invitation,) = [
        item
        for item in graph.messages("attendee", unique_subject)
        if item["meetingMessageType"] == "meetingRequest"
    ]
    assert invitation["@odata.type"] == "#microsoft.graph.eventMessage"


def test_delete_event_by_organizer_notifies_and_removes(graph: GraphClient, unique_subject: str) -> None:
    event = graph.create_event(subject=unique_subject)
    assert graph.request("DELETE", f"/me/events/{quote_id(event['id'])}").status_code == 204
    assert graph.request("GET", f"/me/events/{quote_id(event['id'])}").status_code == 404
    assert graph.attendee_copy("attendee", event["iCalUId"])["isCancelled"] is True


def test_filter_select_top_and_next_link(graph: GraphClient) -> None:
    for index in range(5):
        graph.create_event(subject=f"gc-paging item {index}", attendees=())
    query = {"$filter": "startswith(subject,'gc-paging')", "$select": "subject,start", "$top": "2"}
    page = graph.request("GET", "/me/events", params=query).json()
    assert len(page["value"]) == 2 and set(page["value"][0]) <= {"id", "subject", "start", "@odata.etag"}
    assert "%24skip=2" in page["@odata.nextLink"] and "%24top=2" in page["@odata.nextLink"]
    default_page = graph.request(
        "GET", "/me/events", params={"$filter": "startswith(subject,'gc-paging')", "$orderby": "subject"}
    ).json()
    assert [item["subject"] for item in default_page["value"]][:2] == ["gc-paging item 0", "gc-paging item 1"]
    small = graph.request("GET", "/me/calendars", params={"$skip": "0"}).json()
    assert "@odata.nextLink" not in small
    subjects, url = [], graph.server.base_url + "/me/events?$filter=startswith(subject,'gc-paging')"
    for _ in range(10):
        answer = graph.session.get(
            url, headers={"Authorization": f"Bearer {graph.token('organizer')}"}, timeout=10
        )
        body = answer.json()
        subjects += [item["subject"] for item in body["value"]]
        if "@odata.nextLink" not in body:
            break
        url = body["@odata.nextLink"]
    assert sorted(subjects) == [f"gc-paging item {index}" for index in range(5)]


def test_filter_syntax_errors_are_400(graph: GraphClient) -> None:
    answer = graph.request("GET", "/me/events", params={"$filter": "subject eq"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "BadRequest"
    assert graph.request("GET", "/me/events", params={"$top": "-1"}).status_code == 400


def test_foreign_seeded_events_exist_and_are_untagged(graph: GraphClient) -> None:
    listed = graph.request("GET", "/me/events", params={"$top": "1000"}).json()["value"]
    assert "Quarterly business review" in [item["subject"] for item in listed]


def test_messages_routes_and_read_permission(graph: GraphClient, unique_subject: str) -> None:
    graph.create_event(subject=unique_subject)
    everything = graph.request(
        "GET", "/me/messages", "attendee", params={"$filter": f"subject eq '{unique_subject}'"}
    )
    assert len(everything.json()["value"]) == 1
    user_path = f"/users/{graph.user_id('attendee')}/messages"
    assert graph.request("GET", user_path, "application").status_code == 200
    assert graph.request("GET", "/me/messages", "readonly").status_code == 403
    assert graph.request("GET", "/me/mailFolders/nowhere/messages", "attendee").status_code == 404


def test_group_calendar(graph: GraphClient) -> None:
    group_id = graph.identity("group")["group_id"]
    event = graph.create_event(path=f"/groups/{group_id}/calendar/events")
    assert event["organizer"]["emailAddress"]["address"].startswith("falcon@")
    assert graph.request("GET", f"/groups/{group_id}/events/{quote_id(event['id'])}").status_code == 200


def test_create_event_validation(graph: GraphClient) -> None:
    for payload in (
        {"subject": "x"},
        {"subject": "x", "start": {"dateTime": "bad"}, "end": {"dateTime": "bad"}},
        {"subject": "x", "unknownProperty": 1},
        [1, 2],
        {"subject": 5},
    ):
        answer = graph.request("POST", "/me/events", json=payload)
        assert answer.status_code == 400, (payload, answer.text)
