"""Reminders read through reminderView (no server): the REMINDER-VIEW prerequisite, a snoozed reminder moved,
a dismissed one gone, and one a refused request must leave where it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
import requests

from conformance.cases.toolkit import reminders
from conformance.cases.toolkit.arrange import Arranger
from conformance.errors import ConformanceFailure
from conformance.target.client import GraphClient
from conformance.target.polling import Effect
from conformance.target.prerequisites import PrerequisiteFailed
from conformance.target.provision import ProvisionedEvent
from conformance.target.redact import Redactor
from conformance.target.reminders import reminder_view_path
from conformance.target.transcript import Transcript
from tests.cases.toolkit._answers import Clock, FakeClient, answer
from tests.cases.toolkit._arranger import FakeArranger, clock, quiet

__all__ = ["clock"]
START = datetime(2031, 3, 1, 10, 0, tzinfo=UTC)
EVENT = ProvisionedEvent(id="E1", subject="Remind [gc run-1]", ical_uid=None, owner_role="organizer",
                         owner_user_id="u1", start=START, end=START + timedelta(hours=1))
PATH = reminder_view_path(EVENT)
RID = "SNOOZE-REMINDER-MOVED"
TRANSCRIPT = Transcript(Redactor([]))


def recorded(failed: ConformanceFailure | PrerequisiteFailed, status: int = 200) -> bool:
    """Whether the verdict carries the exchange of the reminderView answer (HTTP `status`) it rests on."""
    exchange = failed.exchange
    shown = exchange.get("status") if isinstance(exchange, dict) else getattr(exchange, "status", None)
    return shown == status


def reminder(at: str, **fields: Any) -> dict[str, Any]:
    """The event's reminder as reminderView lists it, firing at `at` (UTC)."""
    return {"eventId": "E1", "reminderFireTime": {"dateTime": at, "timeZone": "UTC"}, **fields}


FIRES = reminder("2031-03-01T09:30:00.0000000")  # 30 minutes before the start: as created
MOVED = reminder("2031-03-01T09:50:00")
OTHER = {"eventId": "E2", "reminderFireTime": {"dateTime": "2031-03-01T08:00:00", "timeZone": "UTC"}}


def views(*listings: Any) -> FakeClient:
    """reminderView answering each listing in turn (a list: its reminders; else that Response), then the
    last."""
    queue = [answer(200, {"value": item}) if isinstance(item, list) else item for item in listings]
    for response in queue:  # recorded as the client records what it sends: the evidence of a verdict
        TRANSCRIPT.record(response, "organizer")
    return FakeClient(lambda path, params: queue.pop(0) if len(queue) > 1 else queue[0])


def arranger(client: FakeClient) -> Arranger:
    return cast(Arranger, FakeArranger(organizer=client))


def test_a_look_reads_the_events_window_and_finds_its_reminder() -> None:
    client = views([OTHER, FIRES])
    seen = reminders.look(cast(GraphClient, client), EVENT)
    assert (seen.found, seen.value) == (True, FIRES)
    assert seen.response is not None and seen.response.json() == {"value": [OTHER, FIRES]}
    assert client.calls == [(PATH, None)]
    absent = reminders.look(cast(GraphClient, views([OTHER])), EVENT)
    assert (absent.found, absent.value) == (False, None)


NO_LISTINGS = [answer(404, {"error": {"code": "NotFound"}}), answer(200, {"value": {}})]


@pytest.mark.parametrize("response", NO_LISTINGS)
def test_an_answer_that_is_no_listing_fails_reminder_view(response: requests.Response) -> None:
    with pytest.raises(PrerequisiteFailed) as failed:
        reminders.look(cast(GraphClient, views(response)), EVENT)
    assert failed.value.prerequisite_id == "REMINDER-VIEW"
    assert recorded(failed.value, response.status_code)
    assert failed.value.detail == (
        f"GET /me/reminderView answered HTTP {response.status_code} without a `value` list of reminders, so "
        "where an event's reminder fires cannot be read")


def test_a_new_events_reminder_listed_at_its_fire_time_is_the_before(clock: Clock,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reminders, "time", clock)
    clock.now = 7.0
    fake = FakeArranger(organizer=views([], [OTHER], [FIRES]))
    assert reminders.listed_reminder(cast(Arranger, fake), EVENT) == FIRES
    assert fake.asked == [(Effect.READ_BACK, "to list a new event's reminder", 7.0)]
    assert fake.details("ok") == ["reminderView lists a new event's reminder at its fire time"]
    assert [record["exchange"]["status"] for record in fake.records] == [200]
    assert clock.now == 7.5, "looked until it was listed"


def test_a_reminder_never_listed_fails_reminder_view(clock: Clock) -> None:
    fake = FakeArranger(organizer=views([OTHER]))
    with pytest.raises(PrerequisiteFailed) as failed:
        reminders.listed_reminder(cast(Arranger, fake), EVENT)
    assert failed.value.prerequisite_id == "REMINDER-VIEW"
    assert fake.details("failed") == [failed.value.detail]
    assert failed.value.detail == (
        "reminderView never listed the reminder of an event created with isReminderOn true and "
        f"reminderMinutesBeforeStart 30 ({fake.bounds[0].text})")
    assert recorded(failed.value)
    assert fake.details("ok") == []


@pytest.mark.parametrize("listed", [MOVED, reminder("2031-03-01T09:30:00", reminderFireTime=None)])
def test_a_reminder_listed_at_another_time_fails_reminder_view(clock: Clock, listed: dict[str, Any]) -> None:
    fake = FakeArranger(organizer=views([listed]))
    with pytest.raises(PrerequisiteFailed) as failed:
        reminders.listed_reminder(cast(Arranger, fake), EVENT)
    assert failed.value.detail == (
        f"reminderView lists the new event's reminder at {listed.get('reminderFireTime')!r}, not 30 minutes "
        "before its start (2031-03-01T09:30:00 UTC)")
    assert recorded(failed.value)
    assert fake.details("failed") == [failed.value.detail]
    assert fake.details("ok") == []


def test_a_snoozed_reminder_is_found_once_it_fires_at_the_new_time(clock: Clock) -> None:
    fake = FakeArranger(organizer=views([FIRES], [OTHER], [MOVED]))
    moment = datetime(2031, 3, 1, 9, 50, tzinfo=UTC)
    assert reminders.expect_reminder_at(cast(Arranger, fake), EVENT, moment, RID, 3.0) == MOVED
    assert fake.asked == [(Effect.REMINDER_MOVED, "to move a snoozed reminder", 3.0)]


@pytest.mark.parametrize("listing", [[FIRES], []])
def test_a_reminder_not_moved_fails_the_snooze(clock: Clock, listing: list[Any]) -> None:
    fake = FakeArranger(organizer=views(listing))
    moment = datetime(2031, 3, 1, 9, 50, tzinfo=UTC)
    with pytest.raises(ConformanceFailure) as failed:
        reminders.expect_reminder_at(cast(Arranger, fake), EVENT, moment, RID, 0.0)
    assert failed.value.requirement_id == RID
    assert failed.value.message == (
        "reminderView did not list the event's reminder firing at 2031-03-01T09:50:00 UTC after the snooze "
        f"({fake.bounds[0].text})")
    assert recorded(failed.value)


def test_a_dismissed_reminder_is_gone_once_no_longer_listed(clock: Clock) -> None:
    client = views([FIRES], [FIRES, OTHER], [OTHER])
    fake = FakeArranger(organizer=client)
    reminders.expect_reminder_gone(cast(Arranger, fake), EVENT, "DISMISS-REMINDER-GONE", 2.0)
    assert fake.asked == [(Effect.REMINDER_GONE, "to remove a dismissed reminder", 2.0)]
    assert len(client.calls) == 3


def test_a_reminder_still_listed_fails_the_dismiss(clock: Clock) -> None:
    fake = FakeArranger(organizer=views([FIRES]))
    with pytest.raises(ConformanceFailure) as failed:
        reminders.expect_reminder_gone(cast(Arranger, fake), EVENT, "DISMISS-REMINDER-GONE", 0.0)
    assert failed.value.requirement_id == "DISMISS-REMINDER-GONE"
    assert failed.value.message == (
        "reminderView still lists the dismissed event's reminder (reminderFireTime "
        f"{FIRES['reminderFireTime']!r}) ({fake.bounds[0].text})")
    assert recorded(failed.value)


def test_a_reminder_kept_at_its_time_for_the_quiet_period_passes(clock: Clock) -> None:
    client = views([FIRES])
    reminders.expect_reminder_kept(arranger(client), EVENT, FIRES, RID, quiet())
    assert len(client.calls) == 5, "looked until the quiet period was over"


@pytest.mark.parametrize(("listing", "now"), [
    ([MOVED], f"lists it at {MOVED['reminderFireTime']!r}"),
    ([OTHER], "no longer lists it"),
])
def test_a_reminder_moved_or_gone_after_a_refused_request_fails(clock: Clock, listing: list[Any],
                                                                now: str) -> None:
    client = views([FIRES], listing, [FIRES])
    period = quiet()
    with pytest.raises(ConformanceFailure) as failed:
        reminders.expect_reminder_kept(arranger(client), EVENT, FIRES, RID, period)
    assert failed.value.message == (
        f"the refused request still changed the event's reminder: reminderView {now}, not at "
        f"{FIRES['reminderFireTime']!r} as before ({period.text})")
    assert failed.value.requirement_id == RID
    assert recorded(failed.value)
    assert len(client.calls) == 2, "the look that saw the change ended the quiet period"


def test_a_reminder_event_fires_thirty_minutes_before_a_start_of_its_own() -> None:
    made: dict[str, Any] = {}

    class Creating:
        def create(self, **options: Any) -> ProvisionedEvent:
            made.update(options)
            return EVENT

    assert reminders.reminder_event(cast(Arranger, Creating()), owner="attendee") is EVENT
    assert made == {"properties": {"isReminderOn": True, "reminderMinutesBeforeStart": 30},
                    "start": reminders.REMINDER_START, "owner": "attendee"}
