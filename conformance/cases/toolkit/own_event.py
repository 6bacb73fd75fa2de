"""An event of the caller's own mailbox (or group) on a route, for the actions taken on one's own events
(every action but the attendee's answers): the ActionContract subjects, and a once-per-run calibration."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from conformance.cases.toolkit.act import last_act_at, set_last_act
from conformance.cases.toolkit.arrange import Arranger
from conformance.cases.toolkit.checks import Seen, poll
from conformance.cases.toolkit.contract import Route, Subject, default_containers
from conformance.target.client import Graph
from conformance.target.polling import Effect
from conformance.target.prerequisites import PrerequisiteFailed
from conformance.target.provision import ProvisionedEvent

CALENDAR_CONTAINERS = frozenset({"calendars", "calendargroup", "calendargroups"})
Make = Callable[[Arranger, str, Route], ProvisionedEvent]  # (arranger, mailbox, route) -> a new event


def mailbox_of(graph: Graph, caller: str) -> str:
    """The role whose mailbox `caller` acts on (`readonly` -> `organizer`; the application: the organizer)."""
    if caller == "application":
        return "organizer"
    return graph.mailbox_name("/me", caller) or caller


def kept(graph: Graph, arrange: Arranger) -> Arranger:
    """An Arranger whose creations last the run (the session's Provisioner), for a subject cases share."""
    if arrange.session is None:
        return arrange
    return Arranger(graph, arrange.target, arrange.session.provision, arrange.session, arrange.item)


def own_subject(
    graph: Graph, arrange: Arranger, caller: str, route: Route, fresh: bool, make: Make, key: str
) -> Subject:
    """A Subject for `caller` on `route` (ActionContract.arrange): an event `make` creates in the caller's
    mailbox (a group's, for a /groups route); fresh, or shared (under `key`) by the cases judging only the
    answer. The event is the Subject's context."""
    mailbox = "" if route.principal == "groups" else mailbox_of(graph, caller)

    def created() -> Subject:
        event = make(arrange if fresh else kept(graph, arrange), mailbox, route)
        return Subject(mailbox, event.id, group_id=event.group_id or "", context=event)

    shared = f"{key}: an event of {mailbox or 'the group'}"
    subject = created() if fresh else arrange.once(shared, created)
    return _through(graph, arrange, subject, route, key)


def _through(graph: Graph, arrange: Arranger, subject: Subject, route: Route, key: str) -> Subject:
    """`subject` as `route` addresses it: in its mailbox's default calendar (and group) when the route names
    a calendar (read once per run)."""
    if route.container in CALENDAR_CONTAINERS:
        found = arrange.once(f"{key}: {subject.owner}'s default calendar",
                             lambda: default_containers(graph, subject.owner))
        return dataclasses.replace(subject, calendar_id=found[0], calendar_group_id=found[1])
    return subject


def calibrated(
    arrange: Arranger, key: str, effect: Effect, act: Callable[[Arranger], Callable[[], Seen[Any]] | None]
) -> None:
    """Once per run (process): `act` (returning its one look at the effect, None when refused) and the
    effect polled at once, so that checks of what must not happen rest on the latency of `effect` measured
    here, begun in the background by a stage acted ahead (Arranger.calibration). Nothing is judged: an effect
    that does not show leaves its kind unmeasured (its full bound)."""

    def measure() -> bool:
        acted = last_act_at()
        try:
            look = act(kept(arrange.graph, arrange))
            if look is None:
                return False
            cause = time.monotonic()
            poll(look, arrange.latencies.bound(effect, f"{key} (calibration)", cause))
        except (PrerequisiteFailed, pytest.skip.Exception, requests.RequestException):
            return False
        finally:
            set_last_act(acted)
        return True

    arrange.calibration(f"{key}: calibration", measure)
