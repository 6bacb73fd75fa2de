"""snoozeReminder and dismissReminder as contracts, against a fake mailbox that keeps one reminder per event
(no server): how each effect shows through reminderView, which events the cases share, and the calibration."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, cast

import pytest
import requests

from conformance.cases.toolkit import reminder_actions
from conformance.cases.toolkit.act import ABSENT, last_act_at, set_last_act
from conformance.cases.toolkit.arrange import Arranger
from conformance.cases.toolkit.contract import Route, Subject
from conformance.cases.toolkit.reminders import reminder_fires_at, reminder_unlisted
from conformance.errors import RequestUnanswered
from conformance.target.client import Graph
from conformance.target.conventions import iso
from conformance.target.polling import Effect
from conformance.target.provision import ProvisionedEvent
from conformance.target.reminders import REMINDER_START, SNOOZE_TO, fires_at, reminder_view_path
from tests.cases.toolkit._answers import answer
from tests.cases.toolkit._arranger import FakeArranger

ME = Route("me", "events", "")


class Mailbox:
    """A reminderView over the events created, each reminder firing 30 minutes before its start until snoozed
    (to newReminderTime) or dismissed; `status` answers every action (200 by default)."""

    def __init__(self, status: int = 200, view_status: int = 200) -> None:
        self.status, self.view_status = status, view_status
        self.fires: dict[str, str] = {}
        self.posts: list[tuple[str, Any]] = []
        self.reads: list[str] = []

    def get(self, path: str, params: dict[str, str] | None = None) -> requests.Response:
        self.reads.append(path)
        if not path.startswith("/me/reminderView(") or self.view_status != 200:
            return answer(self.view_status, {"error": {"code": "NotFound", "message": "no"}})
        listed = [{"eventId": event_id, "reminderFireTime": {"dateTime": at, "timeZone": "UTC"}}
                  for event_id, at in self.fires.items()]
        return answer(200, {"value": listed})

    def request(self, method: str, path: str, data: bytes | None = None,
                headers: dict[str, str | None] | None = None) -> requests.Response:
        event_id, action = path.split("/")[-2:]
        body: Any = json.loads(data) if data else None
        self.posts.append((action, body))
        if 200 <= self.status < 300 and action == "snoozeReminder":
            self.fires[event_id] = body["newReminderTime"]["dateTime"]
        elif 200 <= self.status < 300 and action == "dismissReminder":
            self.fires.pop(event_id, None)
        return answer(self.status, raw=b"", content_type="text/plain")


class Arranging(FakeArranger):
    """A FakeArranger that creates events in the fake mailbox and makes each `once` key once."""

    session = None
    item = None

    def __init__(self, mailbox: Mailbox) -> None:
        super().__init__()
        self.mailbox, self.created = mailbox, []  # type: ignore[var-annotated]
        self.graph.clients = {"organizer": mailbox, "attendee": mailbox}  # type: ignore[dict-item]
        self.graph.mailbox_name = lambda path, role: "organizer" if role == "readonly" else role  # type: ignore

    def create(self, **options: Any) -> ProvisionedEvent:
        self.created.append(options)
        start = options["start"]
        number = len(self.created)
        event = ProvisionedEvent(id=f"E{number}", subject=f"Remind {number}", ical_uid=None,
                                 owner_role=options.get("owner", "organizer"), owner_user_id="u1",
                                 start=start, end=start + timedelta(minutes=30))
        self.mailbox.fires[event.id] = iso(fires_at(event))
        return event



def _one_reminder() -> tuple[Mailbox, Graph, Subject]:
    """A fake mailbox holding one reminder event of the organizer's: its graph and the event as a Subject."""
    mailbox = Mailbox()
    arranged = Arranging(mailbox)
    event = arranged.create(start=REMINDER_START)
    return mailbox, cast(Graph, arranged.graph), Subject("organizer", event.id, context=event)


def test_a_snoozed_reminder_shows_once_it_fires_at_the_new_time() -> None:
    mailbox, graph, subject = _one_reminder()
    assert not reminder_fires_at(graph, subject, SNOOZE_TO).found
    mailbox.fires[subject.event_id] = iso(SNOOZE_TO)
    seen = reminder_fires_at(graph, subject, SNOOZE_TO)
    assert seen.found and seen.value is not None and seen.response is not None
    mailbox.fires.pop(subject.event_id)
    gone = reminder_fires_at(graph, subject, SNOOZE_TO)
    assert (gone.found, gone.value) == (False, None)


def test_a_dismissed_reminder_shows_once_no_longer_listed() -> None:
    mailbox, graph, subject = _one_reminder()
    listed = reminder_unlisted(graph, subject)
    assert not listed.found and listed.value is not None and listed.response is not None
    mailbox.fires.pop(subject.event_id)
    assert reminder_unlisted(graph, subject).found


def test_a_dismiss_case_never_shares_its_event_a_snooze_case_judging_the_answer_does() -> None:
    arranged = Arranging(Mailbox())
    arrange, graph = cast(Arranger, arranged), cast(Graph, arranged.graph)
    dismiss = reminder_actions.reminder_arrange("dismissReminder", share=False)
    snooze = reminder_actions.reminder_arrange("snoozeReminder", share=True)
    first, second = (dismiss(graph, arrange, "attendee", ME, False) for _ in range(2))
    assert first.event_id != second.event_id
    shared = [snooze(graph, arrange, "attendee", ME, False) for _ in range(2)]
    assert shared[0].event_id == shared[1].event_id
    assert [options["owner"] for options in arranged.created] == ["attendee"] * 3
    assert set(arranged.made) == {"snoozeReminder: an event of attendee"}
    assert arranged.created[0]["properties"] == {"isReminderOn": True, "reminderMinutesBeforeStart": 30}
    assert arranged.details("ok") == [], "judged only by its answer: not read through reminderView"


def test_a_fresh_subject_is_read_through_reminder_view_first() -> None:
    arranged = Arranging(Mailbox())
    graph, arrange = cast(Graph, arranged.graph), cast(Arranger, arranged)
    fresh = reminder_actions.reminder_arrange("snoozeReminder", share=True)
    subject = fresh(graph, arrange, "readonly", ME, True)
    assert subject.owner == "organizer" and subject.context.id == subject.event_id
    assert [request for request in arranged.mailbox.reads if "reminderView" in request] == [
        reminder_view_path(subject.context)]
    assert arranged.details("ok") == ["reminderView lists a new event's reminder at its fire time"]
    again = fresh(graph, arrange, "readonly", ME, True)
    assert again.event_id != subject.event_id, "a fresh subject is never shared"


def _snoozed(graph: Graph, subject: Subject) -> Any:
    return reminder_fires_at(graph, subject, SNOOZE_TO)


SNOOZED = {"newReminderTime": {"dateTime": iso(SNOOZE_TO), "timeZone": "UTC"}}


@pytest.mark.parametrize(("action", "effect", "body", "changed", "status"), [
    ("snoozeReminder", Effect.REMINDER_MOVED, SNOOZED, _snoozed, 200),
    ("dismissReminder", Effect.REMINDER_GONE, ABSENT, reminder_unlisted, 299),
])
def test_the_calibration_acts_once_and_awaits_its_effect_under_its_kinds_bound(
    action: str, effect: Effect, body: Any, changed: Any, status: int
) -> None:
    mailbox = Mailbox(status)
    arranged = Arranging(mailbox)
    set_last_act(12.0)
    calibrate = reminder_actions.reminder_calibration(action, effect, body, changed)
    for _ in range(2):
        calibrate(cast(Graph, arranged.graph), cast(Arranger, arranged))
    assert mailbox.posts == [(action, None if body is ABSENT else body)]
    assert arranged.latencies.asked == [(effect, f"{action} (calibration)")]
    assert arranged.made == {f"{action}: calibration": True}
    assert arranged.created[0]["start"] == REMINDER_START and "owner" not in arranged.created[0]
    assert arranged.details("ok") == ["reminderView lists a new event's reminder at its fire time"]
    assert last_act_at() == 12.0, "the calibration's own act is not the cause of the case's effects"
    assert mailbox.reads[-1] == reminder_view_path(ProvisionedEvent(
        id="E1", subject="Remind 1", ical_uid=None, owner_role="organizer", owner_user_id="u1",
        start=REMINDER_START, end=REMINDER_START + timedelta(minutes=30)))
    assert mailbox.fires.get("E1") in (None, iso(SNOOZE_TO)), "the effect shows: the poll found it"


@pytest.mark.parametrize("status", [199, 300, 403])
def test_a_refused_or_unreadable_calibration_measures_nothing(status: int) -> None:
    calibrate = reminder_actions.reminder_calibration("snoozeReminder", Effect.REMINDER_MOVED, SNOOZED,
                                              _snoozed)
    refused = Arranging(Mailbox(status=status))
    calibrate(cast(Graph, refused.graph), cast(Arranger, refused))
    assert refused.latencies.asked == [] and refused.made == {"snoozeReminder: calibration": False}
    unreadable = Arranging(Mailbox(view_status=404))
    calibrate(cast(Graph, unreadable.graph), cast(Arranger, unreadable))
    assert unreadable.mailbox.posts == [] and unreadable.made == {"snoozeReminder: calibration": False}


def test_an_unanswered_calibration_measures_nothing_and_fails_nothing() -> None:
    mailbox = Mailbox()

    def hangs(*args: Any, **kwargs: Any) -> requests.Response:
        raise RequestUnanswered("no answer within 10 s")

    mailbox.request = hangs  # type: ignore[method-assign]
    arranged = Arranging(mailbox)
    calibrate = reminder_actions.reminder_calibration("dismissReminder", Effect.REMINDER_GONE,
                                              ABSENT, reminder_unlisted)
    calibrate(cast(Graph, arranged.graph), cast(Arranger, arranged))
    assert arranged.made == {"dismissReminder: calibration": False}


@pytest.mark.parametrize(("action", "effect", "body", "sent", "changed", "share"), [
    ("snoozeReminder", Effect.REMINDER_MOVED, SNOOZED, SNOOZED, _snoozed, True),
    ("dismissReminder", Effect.REMINDER_GONE, ABSENT, None, reminder_unlisted, False),
])
def test_a_reminder_contract_sends_its_body_shares_as_told_and_calibrates_its_own_effect(
    action: str, effect: Effect, body: Any, sent: Any, changed: Any, share: bool
) -> None:
    contract = reminder_actions.reminder_contract(action, "P", body=body, effect=effect, changed=changed,
                                                  share=share)
    assert (contract.action, contract.prefix, contract.effect) == (action, "P", effect)
    assert contract.changed is changed and contract.body("P-200-EMPTY") is body
    mailbox = Mailbox()
    arranged = Arranging(mailbox)
    graph, arrange = cast(Graph, arranged.graph), cast(Arranger, arranged)
    subjects = [contract.arrange(graph, arrange, "attendee", ME, False) for _ in range(2)]
    assert (subjects[0].event_id == subjects[1].event_id) is share
    assert (f"{action}: an event of attendee" in arranged.made) is share  # the shared event is the action's
    assert contract.calibrate is not None
    contract.calibrate(graph, arrange)
    assert mailbox.posts == [(action, sent)]
    assert arranged.latencies.asked == [(effect, f"{action} (calibration)")]
