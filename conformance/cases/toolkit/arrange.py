"""Arranging a case: what it needs besides the cancel, each need a prerequisite recorded as ok or failed.

A need the target does not meet raises PrerequisiteFailed: the case is not-verified, naming the prerequisite
and showing the exchange, never failed (only what a requirement states may fail it).
"""

from __future__ import annotations

import contextvars
import dataclasses
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from typing import Any, TypeVar, cast

import pytest
import requests

from conformance._stash import EXCHANGES_KEY
from conformance.cases.toolkit.act import last_act_at, set_last_act
from conformance.cases.toolkit.ahead import parameters_for, stage_of
from conformance.cases.toolkit.checks import Seen, is_unknown_route, json_of, poll
from conformance.cases.toolkit.observe import Item, listed, messages_about, unreadable_mailbox, window
from conformance.cases.toolkit.session import CaseSession
from conformance.outcomes import not_verified
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.conventions import GONE
from conformance.target.polling import EFFECT_PROPERTY, Bound, Effect, EffectLatencies, latencies_for, seconds
from conformance.target.prerequisites import (
    DELETED_ITEMS,
    EVENT_READ,
    MAILBOX_MESSAGES,
    PrerequisiteFailed,
    records_to,
    unanswered_fails,
)
from conformance.target.provision import ProvisionedEvent, Provisioner

T = TypeVar("T")

SERIES_DAYS = 3  # the occurrences of the series Arranger.series makes
CANCEL_CALIBRATION = "cancel: calibration"  # the `once` key of the run's applied and notice latencies


class Arranger:
    """The arranging step of a case: the Provisioner's creations and reads, and the reads a case adds.

    With a CaseSession it shares the run's learned waits and reused events; with the pytest `item`, meeting
    message waits also allow for the sending limit's queue (`spending.message_wait`).
    """

    def __init__(
        self,
        graph: Graph,
        target: TargetConfig,
        provision: Provisioner,
        session: CaseSession | None = None,
        item: pytest.Item | None = None,
    ) -> None:
        self.graph, self.target, self.provision = graph, target, provision
        self.session, self.item = session, item
        self.log = provision.log
        self.latencies: EffectLatencies = session.latencies if session else latencies_for(target)
        self._created_at: dict[str, float] = {}  # event id -> when its creation was answered (monotonic)
        self.ahead = False  # arranging a stage acted ahead, beside others: no event shared with them

    def _record(self, entry: dict[str, Any]) -> None:
        """A wait's bound, latency or run-out, on the case's item (for the reports' effect table)."""
        if self.item is not None:
            self.item.user_properties.append((EFFECT_PROPERTY, entry))

    def _trying(self, prerequisite_id: str) -> AbstractContextManager[None]:
        """A request that gets no answer while arranging: not-verified (a lost target stops the run)."""
        return unanswered_fails(self.log, prerequisite_id, self.target)

    def create(self, *, attendees: int = 0, **options: Any) -> ProvisionedEvent:
        """A new tagged event (Provisioner.event's options), inviting nobody unless `attendees` says so."""
        event = self.provision.event(attendees=attendees, **options)
        self._created_at[event.id] = time.monotonic()
        return event

    def event(self, *, attendees: int = 0, **options: Any) -> tuple[ProvisionedEvent, Item]:
        """A new tagged event (see `create`) and how it reads back (EVENT-READ)."""
        event = self.create(attendees=attendees, **options)
        return event, self.read_back(event)

    def series(self, *, attendees: int = 0) -> tuple[ProvisionedEvent, list[Item]]:
        """A new daily series of SERIES_DAYS occurrences and its occurrences (INSTANCES: at least two)."""
        series = self.provision.series(attendees=attendees, occurrences=SERIES_DAYS)
        self._created_at[series.id] = time.monotonic()
        what = "to list a new series' occurrences"
        learn = self.latencies.full(Effect.INSTANCES, what, record=self._record)
        occurrences = self.provision.instances(series, at_least=2)
        learn.found()
        return series, occurrences

    def _since(self, event: ProvisionedEvent) -> float:
        return self._created_at.get(event.id, time.monotonic())

    def read_back(self, event: ProvisionedEvent) -> Item:
        """The event as its owner reads it now (EVENT-READ: 200, the same id and subject): the 'before'."""
        learn = self.latencies.full(
            Effect.READ_BACK, "to show a created event", since=self._since(event), record=self._record
        )
        with self._trying(EVENT_READ):
            response = self.graph.as_(event.owner_role).get(event.path)
        body = json_of(response)
        if response.status_code != 200 or not isinstance(body, dict):
            detail = f"GET on the event just created answered HTTP {response.status_code}"
            raise self.log.failed(EVENT_READ, detail, response)
        if body.get("id") != event.id or event.subject not in str(body.get("subject", "")):
            detail = (
                f"GET on the event just created answered another event (id {body.get('id')!r}, "
                f"subject {body.get('subject')!r})"
            )
            raise self.log.failed(EVENT_READ, detail, response)
        learn.found()
        self.log.ok(EVENT_READ, "a created event reads back with its id and subject", response)
        return body

    def untouched_event(self, *, read_back: bool = True) -> tuple[ProvisionedEvent, Item]:
        """An organizer's event without attendees as created, and how it reads: for requests to be refused.

        Shared across the run: a refused request leaves it unchanged, so the next case reuses it (once it
        reads back as created); when it does not, a new one is made. `read_back=False`: a case judging only
        the answer gets another shared event (its "before" empty), never read: a refusal nobody judges never
        touches the event judged cases reuse (its effect, late, would be blamed on the next). Acted ahead,
        a judged refusal gets an event of its own (the stages act together), and those judged on the answer
        take turns at the scrap, one stage at a time; a stage whose request to it was accepted (2xx) leaves
        the next a new one, as the GET before each reuse does here.
        """
        if self.session is None:
            return self.event() if read_back else (self.create(), {})
        if self.ahead and read_back:  # stages run together: a judged refusal's event is its own
            return self.event()
        if self.ahead:  # judged on the answer only: the run's scrap, such stages taking turns (none reads it)
            self.session.stager.take_turn()  # until this stage ends: a scrap it changed is not handed on
            with self.session.lock, self._shared_records():
                if self.session.scrap is None:
                    provision = self.session.provision
                    made = Arranger(self.graph, self.target, provision, self.session, self.item).create()
                    self.session.scrap = made
                return self.session.scrap, {}
        if not read_back:  # judged on the answer only: another event, never the judged cases' one
            with self.session.lock, self._shared_records():
                scrap = self.session.scrap
                if scrap is None or self.graph.as_(scrap.owner_role).get(scrap.path).status_code != 200:
                    provision = self.session.provision
                    scrap = Arranger(self.graph, self.target, provision, self.session, self.item).create()
                    self.session.scrap = scrap
                return scrap, {}
        with self.session.lock, self._shared_records():
            before = self.session.reusable(self.session.untouched)
            if self.session.untouched is not None and before is not None:
                return self.session.untouched, before
            shared = Arranger(self.graph, self.target, self.session.provision, self.session, self.item)
            event, before = shared.event() if read_back else (shared.create(), {})
            self.session.untouched = event
            return event, before

    def unknown_event_path(self) -> str:
        """The path of an event that existed and was deleted (reused across the run while it answers 404)."""
        if self.session is not None:
            with self.session.lock:
                known = self.session.still_unknown()
                if known is not None:
                    return known
        provision = self.session.provision if self.session is not None else self.provision
        with self._shared_records():
            event = provision.event(attendees=0)
        owner = self.graph.as_(event.owner_role)
        deleted = owner.delete(event.path)
        if deleted.status_code not in (200, 202, 204):
            status = deleted.status_code
            not_verified(f"could not delete a fresh event to obtain an unknown id (HTTP {status})")
        gone = owner.get(event.path)
        if gone.status_code not in GONE:
            status = gone.status_code
            not_verified(f"a deleted event still answers GET with HTTP {status}: its id is not unknown")
        if self.session is not None:
            self.session.unknown_path = event.path
        return event.path

    def once(self, key: str, make: Callable[[], T]) -> T:
        """`make()` once per run (per `key`), its result (or its not-verified reason) shared by every case.

        For a request several cases judge alike, whose arranging waits (the second cancel of one event): the
        wait is then paid once. Failures and prerequisite failures are not kept (each case meets its own).
        Only the cases of the same key wait while it is made; one begun in the background (`calibration`) is
        waited for.
        """
        if self.session is None:
            return make()
        staged = self.session.stager.take(key, self.item) if self.item is not None else None
        if staged is not None and isinstance(staged.error, pytest.skip.Exception | type(None)):
            with self.session.lock:
                self.session.answers.setdefault(key, staged.error or staged.value)
        elif staged is not None and staged.error is not None:
            raise staged.error
        self._settle(key)  # begun in the background (a calibration): waited for
        return self._once_now(key, make)

    def _settle(self, key: str) -> None:
        """Wait for the work begun in the background under `key`; its exchanges to this case, if the first."""
        if self.session is None:
            return
        exchanges = self.session.settle(key)
        if exchanges and self.item is not None:
            self.item.stash.setdefault(EXCHANGES_KEY, []).extend(exchanges)

    def _once_now(self, key: str, make: Callable[[], T]) -> T:
        """`once` without what was staged or begun under `key`: made now, or waited for while another makes
        it."""
        assert self.session is not None
        with self.session.lock:
            making = self.session.making.setdefault(key, threading.RLock())
        with making:
            with self.session.lock:
                made = key in self.session.answers
            if not made:
                try:
                    value: Any = make()
                except pytest.skip.Exception as skipped:
                    value = skipped
                with self.session.lock:
                    self.session.answers.setdefault(key, value)
            with self.session.lock:
                kept = self.session.answers[key]
        if isinstance(kept, pytest.skip.Exception):
            pytest.skip(str(kept.msg))  # the same reason, for this case too
        return cast(T, kept)

    def _shared_records(self) -> Any:
        """Meanwhile the shared Provisioner's ok/fallback records go to this case's item."""
        sink = self.log.sink
        return records_to(sink) if sink is not None else nullcontext()

    def judge_refusal(self, event: ProvisionedEvent, response: requests.Response) -> None:
        """A 4xx to cancelling `event`, which invites nobody: not-verified if the target refuses all such.

        (CANCEL-WITHOUT-ATTENDEES, asked once per run.) Where the target does cancel events without
        attendees, this refusal is the case's own answer to judge.
        """
        if event.attendee_roles or not 400 <= response.status_code < 500 or is_unknown_route(response):
            return
        if self.session is not None:
            with self._shared_records():
                self.session.cancel_without_attendees()

    def acted(self) -> Any:
        """This case's arranging and act (its `acts_ahead` stage): as run ahead with the others, or now."""
        found = stage_of(self.item) if self.item is not None else None
        if found is None or self.item is None:
            raise TypeError("arrange.acted() needs a case marked acts_ahead(stage)")
        stage, key = found
        staged = self.session.stager.take(key, self.item) if self.session and self.item else None
        if staged is None:
            set_last_act(None)
            params = parameters_for(stage, self.item)
            return stage(graph=self.graph, target=self.target, arrange=self, **params)
        for begun in self.session.begun_by(self.item.nodeid) if self.session else ():
            self._settle(begun)  # what its stage began in the background: its records land on this case
        if staged.error is not None:
            raise staged.error
        return staged.value

    @staticmethod
    def _cause(since: float | None) -> float:
        """When the effect awaited was caused: `since`, else the last act's answer, else now."""
        if since is not None:
            return since
        acted = last_act_at()
        return acted if acted is not None else time.monotonic()

    def effect(self, effect: Effect, what: str, since: float | None = None) -> Bound:
        """How long to wait for an effect of the act (`what`: "to remove the event"), from its answer."""
        return self.latencies.bound(effect, what, self._cause(since), self._record)

    def quiet(self, effect: Effect, what: str, since: float | None = None) -> Bound:
        """How long to watch for an effect of `effect` that must not happen (`what`), from its cause.

        min(the kind's bound, factor x the slowest of the kind measured in this run); nothing is learned
        from it and it is no bound the run reports.
        """
        cause = self._cause(since)
        if self.latencies.slowest(effect) is None:
            self._calibrate()
        period_s, reason = self.latencies.quiet_period(effect)
        return Bound(effect, period_s, self.latencies.interval_s, reason, what, cause)

    def calibration(self, key: str, make: Callable[[], object]) -> None:
        """A calibration (`make`: an act and the latency of its effects measured; nothing judged), once per
        run (process) under `key`, so that checks of what must not happen rest on the same kinds' latency.

        In a stage acted ahead it is begun in the background and the stage goes on: the calibration's wait
        overlaps the other stages' and the run's (never shortened); a case needing it (`once(key)`, as
        `quiet`'s callers do) waits for what is left of it, as does the stage's own case when it takes what
        the stage left (`acted`: what the calibration records lands on that case, as when it ran in the
        stage). In a case, it is made (or waited for) now.
        """
        if not self.ahead or self.session is None:
            self.once(key, make)
            return
        context = contextvars.copy_context()  # the stage's records sink; its last act is its own (a thread's)

        def work(exchanges: list[Any]) -> None:
            def run() -> None:
                token = self.graph.transcript.redirect(exchanges)  # kept apart: the case waiting takes them
                try:
                    self._once_now(key, make)
                finally:
                    self.graph.transcript.restore(token)

            context.run(run)

        self.session.begin(key, work, self.item.nodeid if self.item is not None else "")

    def _calibrate(self) -> None:
        """The run's cancel calibration, waited for (made now, unless a stage began it on its own cancel)."""
        if self.session is not None:
            self.once(CANCEL_CALIBRATION, self._calibrated)

    def _calibrated(self) -> bool:
        """A meeting cancelled and its effects looked for at once, so that checks of what must not happen
        rest on the latency of the same kinds measured here (applied, notice).

        Nothing is judged: an effect that does not show leaves its kind unmeasured (its full bound).
        """
        assert self.session is not None
        acted = last_act_at()
        try:
            with self._shared_records():
                shared = Arranger(self.graph, self.target, self.session.provision, self.session, self.item)
                event = shared.create(attendees=1)
                owner = self.graph.as_(event.owner_role)
                answer = owner.post(f"{event.path}/cancel", json={"comment": "graph-conformance calibration"})
                if not 200 <= answer.status_code < 300:
                    return False
                self._measure(event, time.monotonic())
        except (PrerequisiteFailed, pytest.skip.Exception, requests.RequestException):
            return False  # no calibration: the quiet periods stay the full bounds
        finally:
            set_last_act(acted)
        return True

    def calibrate_on(self, event: ProvisionedEvent) -> None:
        """The run's cancel calibration on a meeting the case just cancelled with a comment (its 2xx the last
        act): its applied and notice latencies measured from that answer, so no meeting of its own is made.

        For a stage acted ahead it is begun in the background (`calibration`): the first check of what must
        not happen waits for what is left of it. Once per run (process); nothing is judged here (the case
        judges its own effects).
        """
        cause = last_act_at()
        if self.session is None or cause is None or not event.attendee_roles:
            return

        def measured() -> bool:
            try:
                self._measure(event, cause)
            except (PrerequisiteFailed, pytest.skip.Exception, requests.RequestException):
                return False  # the kinds not measured keep their full bounds
            return True

        self.calibration(CANCEL_CALIBRATION, measured)

    def _measure(self, event: ProvisionedEvent, cause: float) -> None:
        """The cancelled meeting's applied and notice latencies, both looked for at once from `cause`.

        At once: a look begun long after its cause measures nothing, and on a throttled target the first
        look at one kind may wait out a Retry-After.
        """
        owner = self.graph.as_(event.owner_role)
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="calibration") as pool:
            looks = [
                pool.submit(contextvars.copy_context().run, self._measure_applied, owner, event, cause),
                pool.submit(contextvars.copy_context().run, self._measure_notice, event, cause),
            ]
        for look in looks:
            look.result()

    def _measure_applied(self, owner: Any, event: ProvisionedEvent, cause: float) -> None:
        """Poll the organizer's cancelled event from its cancel's answer: learns how long `applied` takes."""
        learn = self.latencies.bound(
            Effect.APPLIED, "to show a cancel (calibration)", cause, self._record, prompt=True
        )

        def fetch() -> Seen[None]:
            response = owner.get(event.path)
            body = json_of(response)
            cancelled = isinstance(body, dict) and body.get("isCancelled") is True
            return Seen(response.status_code in GONE or cancelled, None, response)

        poll(fetch, learn)

    def _measure_notice(self, event: ProvisionedEvent, cause: float) -> None:
        """Poll the attendee's mailbox from the cancel's answer: learns how long a `notice` takes."""
        role = event.attendee_roles[0]
        client = self.graph.as_(role)
        learn = self.latencies.bound(
            Effect.NOTICE, "to deliver a cancellation notice (calibration)", cause, self._record, prompt=True
        )

        def fetch() -> Seen[None]:
            seen = messages_about(client, event.subject)
            notices = [item for item in seen.value if item.get("meetingMessageType") == "meetingCancelled"]
            return Seen(bool(notices), None, seen.response)

        poll(fetch, learn)

    def notice_wait(self, what: str = "to deliver a cancellation notice") -> Bound:
        """The wait for a notice the last act caused: its bound, plus the sending limit's queue."""
        bound = self.latencies.bound(Effect.NOTICE, what, self._cause(None), self._record)
        return self._within_send_limit(bound)

    def _within_send_limit(self, bound: Bound) -> Bound:
        """`bound` lengthened by the queue the target's sending limit builds; not-verified beyond the cap."""
        if self.item is None or self.target.send_limit <= 0:
            return bound
        from conformance.cases.toolkit.spending import message_wait

        limited = dataclasses.replace(self.target, poll_timeout_s=bound.poll_timeout_s)
        wait_s, beyond = message_wait(self.item, limited)
        if beyond is not None and wait_s > bound.poll_timeout_s:
            not_verified(beyond)
        if wait_s <= bound.poll_timeout_s:
            return bound
        queue = seconds(wait_s - bound.poll_timeout_s)
        limit = self.target.send_limit
        reason = f"{bound.reason}, plus {queue} for the queue of the sending limit ({limit} a minute)"
        return dataclasses.replace(bound, poll_timeout_s=wait_s, reason=reason)

    def attendee_copy(self, event: ProvisionedEvent, role: str) -> Item:
        """`role`'s copy of `event` in their calendarView, once it shows (ATTENDEE-COPY)."""
        learn = self.latencies.full(
            Effect.COPY, "for an attendee's copy to appear", since=self._since(event), record=self._record
        )
        copy = self.provision.find_attendee_copy(event, role, timeout_s=learn.deadline - time.monotonic())
        learn.found()
        return copy

    def mailboxes_deliver(self, event: ProvisionedEvent) -> None:
        """Each attendee's mailbox can be read and holds the invitation (MAILBOX-MESSAGES).

        Without it the absence of a cancellation message says nothing: the mailbox may never receive one.
        """
        for role in event.attendee_roles:
            self._invitation_reaches(event, role)

    def _invitation_reaches(self, event: ProvisionedEvent, role: str) -> None:
        """`role`'s mailbox holds a message about `event` (the invitation), polled (MAILBOX-MESSAGES)."""
        client = self.graph.as_(role)

        def fetch() -> Seen[list[Item]]:
            seen = messages_about(client, event.subject)
            if not seen.found:
                unreadable = unreadable_mailbox(role, seen.response)
                raise self.log.failed(MAILBOX_MESSAGES, unreadable.detail, seen.response)
            return Seen(bool(seen.value), seen.value, seen.response)

        full = self.latencies.full(
            Effect.INVITATION, "to deliver the invitation", since=self._since(event), record=self._record
        )
        within = self._within_send_limit(full)
        with self._trying(MAILBOX_MESSAGES):
            seen = poll(fetch, within)
        if not seen.found:
            raise self.log.failed(
                MAILBOX_MESSAGES,
                f"the invitation never reached {role!r}'s mailbox (GET /me/messages) ({within.text}), so "
                "whether a cancellation message arrives cannot be observed",
                seen.response,
            )
        self.log.ok(MAILBOX_MESSAGES, f"the invitation reached {role}'s mailbox", seen.response)

    def deleted_items_without(self, event: ProvisionedEvent) -> None:
        """The organizer's Deleted Items folder can be read and does not hold `event` yet (DELETED-ITEMS)."""
        if listed(self.provision.deleted_items(event.owner_role), event):
            detail = "the Deleted Items folder lists the event before it was cancelled"
            raise self.log.failed(DELETED_ITEMS, detail)


def series_window(series: ProvisionedEvent) -> dict[str, str]:
    """The instances window of a series made by Arranger.series (a day before to two days after)."""
    if series.start is None:
        raise ValueError("the series was not made by a Provisioner (no start)")
    last = series.start + timedelta(days=SERIES_DAYS - 1)
    return window(series.start, last, pad=timedelta(days=1))
