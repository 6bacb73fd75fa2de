"""Every cancel route template, with real provisioned ids: accepted, the event gone, 202 with no body."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests

from conformance.cases.toolkit import (
    GONE,
    Arranger,
    Effect,
    Seen,
    acts_ahead,
    expect,
    expect_accepted,
    is_unknown_route,
    not_verified,
    poll,
    require_profile,
    require_route_served,
    send,
)
from conformance.cases.toolkit.common_aim import COMMON_PROBE, Aim, aim, probed_contract, route_like
from conformance.target.client import Graph, GraphClient
from conformance.target.config import TargetConfig
from conformance.target.prerequisites import PrerequisiteFailed
from conformance.target.provision import ProvisionedEvent, Provisioner
from conformance.target.urls import quote_id

CONTAINER_PATHS = {
    "events": "/events/{event}",
    "calendar": "/calendar/events/{event}",
    "calendars": "/calendars/{calendar}/events/{event}",
    "calendargroup": "/calendargroup/calendars/{calendar}/events/{event}",
    "calendargroups": "/calendargroups/{group}/calendars/{calendar}/events/{event}",
}


@dataclass(frozen=True)
class Route:
    """One cancel route template: who is addressed (me, users by id or UPN, groups) and the container."""

    principal: str  # me | users-id | users-upn | groups
    container: str  # a CONTAINER_PATHS key
    requirement_id: str

    @property
    def case_id(self) -> str:
        """Readable parametrize id, e.g. `users-upn-calendar-events`."""
        container = {"events": "", "calendar": "calendar-", "calendars": "calendars-"}.get(
            self.container, f"{self.container}-calendars-"
        )
        return f"{self.principal}-{container}events"


def _route(principal: str, container: str) -> Route:
    family = {"events": "EVENTS", "calendar": "CALENDAR-EVENTS", "calendars": "CALENDARS-EVENTS"}.get(
        container, f"{container.upper()}-CALENDARS-EVENTS"
    )
    return Route(principal, container, f"CANCEL-ROUTE-{principal.split('-')[0].upper()}-{family}")


ROUTES = [
    _route(principal, container)
    for container in CONTAINER_PATHS
    for principal in ("me", "users-id", "users-upn", "groups")
    if principal != "groups" or container in ("events", "calendar")
]
USERS_ROUTES = [route for route in ROUTES if route.principal.startswith("users")]
GROUP_ROUTES = [route for route in ROUTES if route.principal == "groups"]


def provision_for(route: Route, provision: Provisioner) -> ProvisionedEvent:
    """An event inviting nobody (a route needs no attendee), in the calendar the route's container names."""
    if route.principal == "groups":
        return provision.event(group=True, attendees=0)
    if route.container in ("calendars", "calendargroup"):
        return provision.event(calendar_id=provision.calendar(), attendees=0)
    if route.container == "calendargroups":
        group_id, calendar_id = provision.calendar_group_with_calendar()
        return provision.event(calendar_id=calendar_id, calendar_group_id=group_id, attendees=0)
    return provision.event(attendees=0)


def cancel_path(route: Route, graph: Graph, event: ProvisionedEvent, *, spelling: str | None = None) -> str:
    """The route's cancel path for `event`, ids percent-encoded; `spelling` replaces the container segment."""
    organizer = graph.identity("organizer")
    if route.principal == "me":
        prefix = "/me"
    elif route.principal == "users-id":
        prefix = f"/users/{quote_id(organizer.user_id or '')}"
    elif route.principal == "users-upn":
        if not organizer.user_principal_name:
            not_verified(
                "identities.organizer.user_principal_name is not configured; add it to check UPN routes"
            )
        prefix = f"/users/{quote_id(organizer.user_principal_name)}"
    else:
        prefix = f"/groups/{quote_id(event.group_id or '')}"
    container = CONTAINER_PATHS[route.container]
    if spelling is not None:
        container = container.replace(f"/{route.container}/", f"/{spelling}/", 1)
    return (
        prefix
        + container.format(
            event=quote_id(event.id),
            calendar=quote_id(event.calendar_id or ""),
            group=quote_id(event.calendar_group_id or ""),
        )
        + "/cancel"
    )


def cancel_on(
    route: Route,
    graph: Graph,
    event: ProvisionedEvent,
    requirement_id: str,
    *,
    caller: str = "organizer",
    spelling: str | None = None,
) -> requests.Response:
    """`caller` cancels `event` on the route (its container segment spelled `spelling`)."""
    comment = {"comment": f"{requirement_id} check"}
    path = cancel_path(route, graph, event, spelling=spelling)
    return send(graph.as_(caller), path, requirement_id, body=comment)


Cancelled = tuple[ProvisionedEvent, requests.Response]  # the event, and the answer to its cancel


def cancel_new_event(
    route: Route, graph: Graph, arrange: Arranger, requirement_id: str, caller: str = "organizer"
) -> Cancelled:
    """`caller` cancels a new event (read back first) on `route`: the event, and the answer."""
    event = provision_for(route, arrange.provision)
    arrange.read_back(event)  # it must exist as created for its absence after the cancel to mean anything
    return event, cancel_on(route, graph, event, requirement_id, caller=caller)


def accepted_and_gone(
    route: Route, graph: Graph, arrange: Arranger, requirement_id: str, caller: str = "organizer"
) -> None:
    """The cancel acted (ahead) on `route` was accepted (2xx), and the event then left its organizer."""
    event, response = arrange.acted()
    arrange.judge_refusal(event, response)
    expect_accepted(response, requirement_id, f"the {caller}'s cancel", route.requirement_id)
    check_gone(event, graph.as_("organizer"), arrange)


def check_gone(event: ProvisionedEvent, organizer: GraphClient, arrange: Arranger) -> None:
    """The event leaves its organizer (GET -> 404), polled; if not, that is CANCEL-DELETED-ITEMS' failure."""
    within = arrange.effect(Effect.APPLIED, "to remove an event cancelled on a route")

    def fetch() -> Seen[None]:
        response = organizer.get(event.path)
        return Seen(response.status_code in GONE, None, response)

    after = poll(fetch, within).response
    if after is None or after.status_code not in GONE:
        status = after.status_code if after is not None else "no answer"
        not_verified(
            f"the cancel was accepted, but GET on the event then answered {status}, not 404 "
            f"({within.text}): the route did not cancel it (see CANCEL-DELETED-ITEMS)"
        )


RouteCancelled = tuple[ProvisionedEvent, requests.Response, PrerequisiteFailed | None]


def _cancelled_on(route: Route, graph: Graph, target: TargetConfig, arrange: Arranger) -> RouteCancelled:
    """A new event on `route` (its profile supported), read back, then cancelled by the organizer: the event,
    the answer, and why it could not be read back (if so). One stage per route, shared by its route case
    (which needs the read-back) and its 202 case (which judges the answer alone): one event, not two."""
    require_profile(target, route.requirement_id)

    def cancelled() -> RouteCancelled:
        event = provision_for(route, arrange.provision)
        try:
            arrange.read_back(event)  # as created: its absence after the cancel then means something
            unread = None
        except PrerequisiteFailed as failed:
            unread = failed
        return event, cancel_on(route, graph, event, route.requirement_id), unread

    return arrange.once(shared_key(route), cancelled)


def shared_key(route: Route) -> str:
    """The key of the one cancel on `route` its route case and its 202 case share."""
    return f"cancel on {route.case_id}"


def route_params(routes: list[Route], *, mark_route: bool, shared: bool = False) -> list[object]:
    """parametrize values with readable ids, each marked with its route's requirement id when asked;
    `shared`: each acting ahead with its route's one cancel (`_cancelled_on`)."""
    return [
        pytest.param(
            route,
            id=route.case_id,
            marks=[
                *([pytest.mark.requirement(route.requirement_id)] if mark_route else []),
                *([acts_ahead(_cancelled_on, once=shared_key(route))] if shared else []),
            ],
        )
        for route in routes
    ]


@pytest.mark.parametrize("route", route_params(ROUTES, mark_route=True, shared=True))
def test_cancel_route_accepts_the_organizers_cancel(route: Route, graph: Graph, arrange: Arranger) -> None:
    """The organizer's delegated cancel on this route, with real ids, succeeds and the event is gone."""
    event, response, unread = arrange.acted()
    if unread is not None:
        raise unread
    arrange.judge_refusal(event, response)
    expect_accepted(response, route.requirement_id, "the organizer's cancel", route.requirement_id)
    check_gone(event, graph.as_("organizer"), arrange)


@pytest.mark.parametrize("route", route_params(ROUTES, mark_route=False, shared=True))
@pytest.mark.requirement("CANCEL-202-EMPTY")
def test_cancel_route_answers_202_with_empty_body(
    route: Route, graph: Graph, arrange: Arranger, target: TargetConfig
) -> None:
    """On every route template, success is exactly `202 Accepted` with nothing in the body."""
    require_profile(target, route.requirement_id)
    event, response, _ = arrange.acted()
    require_route_served(response, route.requirement_id)
    arrange.judge_refusal(event, response)
    expect(
        response.status_code == 202, "CANCEL-202-EMPTY", f"status {response.status_code}, not 202", response
    )
    expect(
        response.content.strip() == b"",
        "CANCEL-202-EMPTY",
        f"the 202 carries a body of {len(response.content)} bytes; the page says nothing is returned",
        response,
    )


def application_cancels(
    route: Route, graph: Graph, arrange: Arranger, target: TargetConfig, requirement_id: str
) -> Cancelled:
    """The application's token cancels a new event on `route` (when it may act on the organizer)."""
    require_profile(target, route.requirement_id)
    graph.as_("application")
    if route.principal != "groups":
        user_id = graph.identity("organizer").user_id
        if user_id not in graph.identity("application").user_ids:
            not_verified(
                "identities.application.user_ids does not list the organizer; the app may not act on it"
            )
    return cancel_new_event(route, graph, arrange, requirement_id, caller="application")


# the application's token on the routes it may cancel on: /users (for the organizer) and /groups
APPLICATION_ROUTES = [
    pytest.param(route, requirement_id, id=route.case_id, marks=[pytest.mark.requirement(requirement_id)])
    for routes, requirement_id in (
        (USERS_ROUTES, "CANCEL-PERM-APPLICATION"),
        (GROUP_ROUTES, "CANCEL-PERM-APPLICATION-GROUPS"),
    )
    for route in routes
]


def _application_cancels_on(
    route: Route, requirement_id: str, graph: Graph, target: TargetConfig, arrange: Arranger
) -> Cancelled:
    if route.principal == "groups":
        require_profile(target, "CANCEL-PERM-APPLICATION")
    return application_cancels(route, graph, arrange, target, requirement_id)


@acts_ahead(_application_cancels_on)
@pytest.mark.parametrize(("route", "requirement_id"), APPLICATION_ROUTES)
def test_application_token_cancels_on_users_and_groups_routes(
    route: Route, requirement_id: str, graph: Graph, arrange: Arranger
) -> None:
    """An app-only Calendars.ReadWrite token cancels the organizer's (or a group's) event on this route."""
    accepted_and_gone(route, graph, arrange, requirement_id, caller="application")


SPELLINGS = [
    pytest.param(_route("me", "calendargroups"), "calendarGroups", id="me-calendarGroups"),
    pytest.param(_route("users-id", "calendargroups"), "calendarGroups", id="users-id-calendarGroups"),
    pytest.param(_route("me", "calendargroups"), "CALENDARGROUPS", id="me-CALENDARGROUPS"),
    pytest.param(_route("me", "calendargroup"), "calendarGroup", id="me-calendarGroup"),
]


def _cancel_spelled(
    route: Route, spelling: str, graph: Graph, target: TargetConfig, arrange: Arranger
) -> Cancelled | tuple[Aim, requests.Response]:
    """A new event cancelled on `route` with its container segment spelled `spelling` (the run selecting no
    cancel: the first selected action, on its like route, on an event its cases share)."""
    contract = probed_contract(arrange)
    if contract is not None:
        own = route_like(contract, route.principal, route.container)
        require_profile(target, own.requirement_id)
        aimed = aim(graph, arrange, contract, route=own)
        spelled = aimed.path.replace(f"/{route.container}/", f"/{spelling}/", 1)
        client = graph.as_(aimed.caller)
        body = aimed.body("GRAPH-SEGMENTS-CASE-INSENSITIVE")
        response = send(client, spelled, "GRAPH-SEGMENTS-CASE-INSENSITIVE", body=body)
        if is_unknown_route(response):
            page_spelling = send(client, aimed.path, "GRAPH-SEGMENTS-CASE-INSENSITIVE", body=body)
            require_route_served(page_spelling, own.requirement_id)
        return aimed, response
    require_profile(target, route.requirement_id)
    event = provision_for(route, arrange.provision)
    arrange.read_back(event)
    # with a comment: a server requiring one (a CANCEL-COMMENT-OPTIONAL failure) is not failed here too
    response = cancel_on(route, graph, event, "GRAPH-SEGMENTS-CASE-INSENSITIVE", spelling=spelling)
    if is_unknown_route(response):
        page_spelling = cancel_on(route, graph, event, "GRAPH-SEGMENTS-CASE-INSENSITIVE")
        require_route_served(page_spelling, route.requirement_id)
    return event, response


@acts_ahead(_cancel_spelled)
@pytest.mark.parametrize(("route", "spelling"), SPELLINGS)
@pytest.mark.requirement("GRAPH-SEGMENTS-CASE-INSENSITIVE")
@COMMON_PROBE
def test_cancel_route_segments_are_case_insensitive(
    route: Route, spelling: str, graph: Graph, arrange: Arranger, target: TargetConfig
) -> None:
    """`calendarGroups` and `calendarGroup` spellings route like the page's lower-case segments."""
    acted, response = arrange.acted()
    what = acted.action if isinstance(acted, Aim) else "cancel"
    if not isinstance(acted, Aim):
        arrange.judge_refusal(acted, response)
    expect(
        200 <= response.status_code < 300,
        "GRAPH-SEGMENTS-CASE-INSENSITIVE",
        f"the {what} with the {spelling!r} spelling answered {response.status_code}, unlike the page's "
        "lower-case segment",
        response,
    )
    if not isinstance(acted, Aim):
        check_gone(acted, graph.as_("organizer"), arrange)
