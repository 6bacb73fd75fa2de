"""What the hand-written cases share in one run (one per xdist worker): learned waits and reused events.

- the polling bounds learned from the effects seen so far (conformance.target.polling.EffectLatencies);
- the cases acted ahead of their tests, and what their stages left (conformance.cases.toolkit.ahead);
- one event without attendees that refused requests leave unchanged, reused while it reads back as created;
- an event id known to be unknown (the event deleted), for the unknown-id conventions;
- answers several cases judge alike (the second cancel of one event), made once;
- the calibrations begun in the background by stages acted ahead (their effects' latencies measured while
  the rest of the run goes on), which a case needing one waits for;
- whether the target accepts the organizer's cancel of an event without attendees (CANCEL-WITHOUT-ATTENDEES),
  asked once, and only after such a cancel was refused.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

import requests

from conformance.cases.toolkit.ahead import Stager
from conformance.cases.toolkit.checks import is_unknown_route, json_of
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.conventions import GONE
from conformance.target.polling import EffectLatencies, latencies_for
from conformance.target.prerequisites import (
    CANCEL_WITHOUT_ATTENDEES,
    PrerequisiteFailed,
    answer_line,
    exchange_record,
)
from conformance.target.provision import ProvisionedEvent, Provisioner

Item = dict[str, Any]
BACKGROUND_THREADS = 8  # calibrations begun at once (one per kind of effect measured: a handful)
PROBE_COMMENT = {"comment": "graph-conformance: cancel of an event without attendees"}


class CaseSession:
    """The run-wide state of the hand-written cases; its events are removed at `close()`."""

    def __init__(self, graph: Graph, target: TargetConfig, run_id: str) -> None:
        self.graph, self.target = graph, target
        self.latencies: EffectLatencies = latencies_for(target, run_id)
        self.provision = Provisioner(graph, run_id, "shared")
        self.stager = Stager(graph, target, run_id, self)
        self.lock = threading.RLock()
        self.untouched: ProvisionedEvent | None = None  # the event refused requests reuse
        self.scrap: ProvisionedEvent | None = None  # the event refused requests judged on the answer reuse
        self.unknown_path: str | None = None  # a deleted event's path
        self._without_attendees: PrerequisiteFailed | bool | None = None  # None: not asked yet
        self.answers: dict[str, Any] = {}  # what `Arranger.once` keeps: an answer, or why there is none
        self.making: dict[str, threading.RLock] = {}  # per `once` key: held while its answer is made
        self._begun: dict[str, tuple[Future[None], list[Any]]] = {}  # per key: the work, its exchanges
        self._handed: set[str] = set()  # keys whose background exchanges a case has taken
        self._asked: dict[str, list[str]] = {}  # per case (node id): the keys its stage asked to begin
        self._background = ThreadPoolExecutor(max_workers=BACKGROUND_THREADS, thread_name_prefix="background")

    def begin(self, key: str, work: Callable[[list[Any]], None], by: str = "") -> None:
        """Start `work` (given the list its exchanges go to) in the background, once per run under `key`;
        return at once. `settle(key)` waits for it; `by`: the case whose stage asked for it (`begun_by`)."""
        with self.lock:
            if by:
                self._asked.setdefault(by, []).append(key)
            if key in self._begun:
                return
            exchanges: list[Any] = []
            self._begun[key] = (self._background.submit(work, exchanges), exchanges)

    def begun_by(self, case: str) -> list[str]:
        """The keys of the work begun in the background that the stage of `case` (its node id) asked for."""
        with self.lock:
            return list(self._asked.get(case, []))

    def settle(self, key: str) -> list[Any]:
        """Wait for the work begun under `key` (if any; its exception is its own): the exchanges it made,
        to the first caller only (they become that case's evidence), else nothing."""
        with self.lock:
            begun = self._begun.get(key)
        if begun is None:
            return []
        future, exchanges = begun
        wait([future])
        with self.lock:
            if key in self._handed:
                return []
            self._handed.add(key)
            return list(exchanges)

    def reusable(self, event: ProvisionedEvent | None) -> Item | None:
        """How `event` reads now, if it is still as created (200, same id and subject, not cancelled)."""
        if event is None:
            return None
        response = self.graph.as_(event.owner_role).get(event.path)
        body = json_of(response)
        if response.status_code != 200 or not isinstance(body, dict) or body.get("id") != event.id:
            return None
        if event.subject not in str(body.get("subject", "")) or body.get("isCancelled") is True:
            return None
        return body

    def still_unknown(self) -> str | None:
        """The path of the deleted event, if it still answers 404/410."""
        if self.unknown_path is None:
            return None
        gone = self.graph.as_("organizer").get(self.unknown_path)
        return self.unknown_path if gone.status_code in GONE else None

    def cancel_without_attendees(self) -> None:
        """Raise PrerequisiteFailed when the target refuses the organizer's cancel of an attendee-less event.

        Asked once per run: a new event inviting nobody, cancelled on /me/events/{id}/cancel with a comment.
        An unknown route (404 ResourceNotFound) decides nothing: the case then judges its own answer.
        """
        with self.lock:
            if self._without_attendees is None:
                self._without_attendees = self._ask()
            verdict = self._without_attendees
        if isinstance(verdict, PrerequisiteFailed):
            raise PrerequisiteFailed(verdict.prerequisite_id, verdict.detail, verdict.exchange)

    def _ask(self) -> PrerequisiteFailed | bool:
        event = self.provision.event(attendees=0)
        client = self.graph.as_(event.owner_role)
        response: requests.Response = client.post(f"{event.path}/cancel", json=PROBE_COMMENT)
        if 200 <= response.status_code < 300:
            self.provision.presumed_gone(event)
            self.provision.log.ok(CANCEL_WITHOUT_ATTENDEES, f"accepted ({answer_line(response)})", response)
            return True
        if is_unknown_route(response) or not 400 <= response.status_code < 500:
            return True
        detail = (
            f"the organizer's cancel of an event without attendees was refused ({answer_line(response)}), so "
            "checks that need no attendee cannot be made without inviting one"
        )
        return PrerequisiteFailed(CANCEL_WITHOUT_ATTENDEES, detail, exchange_record(response))

    def close(self) -> None:
        """Remove what the run's shared arranging and the stages acted ahead created (the work begun in the
        background over first: it may have created some)."""
        self._background.shutdown(wait=True)
        self.stager.close()
        self.provision.cleanup()
        if self.latencies.shared is not None:  # a worker still running only loses what others proved
            shutil.rmtree(self.latencies.shared, ignore_errors=True)
