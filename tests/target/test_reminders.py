"""The reminders toolkit on fake answers (no server): fire times, the reminderView window, the listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conformance.target import reminders
from conformance.target.prerequisites import PrerequisiteFailed, PrerequisiteLog
from conformance.target.provision import ProvisionedEvent
from tests.cases.toolkit._answers import answer

START = datetime(2031, 3, 1, 10, 0, tzinfo=UTC)
EVENT = ProvisionedEvent(id="E1", subject="Sync [gc run-1]", ical_uid=None, owner_role="organizer",
                         owner_user_id="u1", start=START, end=START + timedelta(minutes=30))


def test_the_reminder_fires_before_the_start_and_is_snoozed_between_it_and_the_start() -> None:
    assert reminders.fires_at(EVENT) == START - timedelta(minutes=reminders.REMINDER_MINUTES)
    assert reminders.fires_at(EVENT) < reminders.snoozed_to(EVENT) < START


def test_the_window_holds_the_reminder_and_the_event() -> None:
    path = reminders.reminder_view_path(EVENT)
    assert path == ("/me/reminderView(startDateTime='2031-03-01T07:30:00',"
                    "endDateTime='2031-03-01T12:30:00')")


def test_new_reminder_time_is_a_utc_date_time_time_zone() -> None:
    assert reminders.date_time_time_zone(START) == {"dateTime": "2031-03-01T10:00:00", "timeZone": "UTC"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"dateTime": "2031-03-01T09:30:00.0000000", "timeZone": "UTC"}, START - timedelta(minutes=30)),
        ({"dateTime": "2031-03-01T09:30:00Z"}, START - timedelta(minutes=30)),
        ({"dateTime": "2031-03-01T09:30:00", "timeZone": "Pacific Standard Time"}, None),
        ({"dateTime": "not a time", "timeZone": "UTC"}, None),
        ("2031-03-01T09:30:00", None),
    ],
)
def test_fire_time_reads_utc_date_times_only(value: object, expected: datetime | None) -> None:
    assert reminders.fire_time({"reminderFireTime": value}) == expected


def test_the_events_reminder_is_found_by_id_or_subject() -> None:
    by_id = {"eventId": "E1", "eventSubject": "renamed"}
    by_subject = {"eventId": "other", "eventSubject": "Sync [gc run-1]"}
    other = {"eventId": "E2", "eventSubject": "Lunch"}
    assert reminders.reminder_of(answer(body={"value": [other, by_id]}), EVENT) == (True, by_id)
    assert reminders.reminder_of(answer(body={"value": [by_subject]}), EVENT) == (True, by_subject)
    assert reminders.reminder_of(answer(body={"value": [other]}), EVENT) == (True, None)


@pytest.mark.parametrize("response", [answer(404, {"error": {}}), answer(200, {"items": []}), answer(200)])
def test_an_answer_without_a_reminder_listing_is_no_listing(response: object) -> None:
    assert reminders.reminder_of(response, EVENT) == (False, None)  # type: ignore[arg-type]


class _Client:
    def __init__(self, response: object) -> None:
        self.response = response
        self.paths: list[str] = []

    def get(self, path: str) -> object:
        self.paths.append(path)
        return self.response


FIRES = {"dateTime": "2031-03-01T09:30:00.0000000", "timeZone": "UTC"}
LATER = {"dateTime": "2031-03-01T09:45:00", "timeZone": "UTC"}


def test_read_reminder_takes_the_events_reminder_at_its_fire_time() -> None:
    listed = {"eventId": "E1", "reminderFireTime": FIRES}
    client = _Client(answer(body={"value": [listed]}))
    assert reminders.read_reminder(PrerequisiteLog(), client, EVENT) == listed  # type: ignore[arg-type]
    assert client.paths == [reminders.reminder_view_path(EVENT)]


@pytest.mark.parametrize(
    ("response", "detail"),
    [
        (answer(501, {"error": {"code": "NotImplemented"}}), "no reminder listing"),
        (answer(body={"value": []}), "no reminder of the event"),
        (answer(body={"value": [{"eventId": "E1", "reminderFireTime": LATER}]}), "not 2031-03-01T09:30:00"),
    ],
)
def test_read_reminder_fails_reminder_view_otherwise(response: object, detail: str) -> None:
    with pytest.raises(PrerequisiteFailed) as failed:
        reminders.read_reminder(PrerequisiteLog(), _Client(response), EVENT)  # type: ignore[arg-type]
    assert failed.value.prerequisite_id == "REMINDER-VIEW" and detail in failed.value.detail
