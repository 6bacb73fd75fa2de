"""What every action of the meeting family shares, as cases: routes, success answer, auth, permissions.

Data-driven: an action's routes are its `<PREFIX>-ROUTE-*` requirements in the catalog (their sentences are
the page's route templates), its success status is its OpenAPI description's (202 for the answers and
forward, 200 for the reminders). An action module describes what it acts on (`ActionContract.arrange`: an
attendee's copy for the answers, an event with a reminder, any meeting) and how its effect shows
(`ActionContract.changed`), then binds the cases: `globals().update(contract_cases(CONTRACT))`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

import pytest
import requests

from conformance._paths import openapi_dir
from conformance._yaml import safe_load
from conformance.cases.toolkit.act import JSON_TYPE, last_act_at, require_route_served, send
from conformance.cases.toolkit.ahead import acts_ahead, watches_quiet
from conformance.cases.toolkit.arrange import Arranger
from conformance.cases.toolkit.checks import (
    Seen,
    expect,
    expect_status,
    json_of,
    require_profile,
    stays_absent,
)
from conformance.outcomes import not_verified
from conformance.spec.catalog import load_catalog
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.polling import Effect
from conformance.target.urls import quote_id

REFUSALS = tuple(range(400, 500))
CONTAINERS = {  # the container of an event path (first segment after the principal) -> its template
    "events": "/events/{event}",
    "calendar": "/calendar/events/{event}",
    "calendars": "/calendars/{calendar}/events/{event}",
    "calendargroup": "/calendargroup/calendars/{calendar}/events/{event}",
    "calendargroups": "/calendargroups/{group}/calendars/{calendar}/events/{event}",
}
CONTENT_TYPES = [  # (header name, media type): as the page and its example spell them
    pytest.param("Content-Type", JSON_TYPE, id="Content-Type"),
    pytest.param("Content-type", JSON_TYPE, id="Content-type-as-in-the-example"),
    pytest.param("Content-Type", "application/json; charset=utf-8", id="charset-utf-8"),
]
PERMISSION_ROLES = MappingProxyType({  # the caller of each permission row (an action may name others)
    "REQUIRED": "readonly",  # a token without the permission the action needs: refused
    "DELEGATED-WORK": "organizer_minimal",  # a work account's token with just the permission: accepted
    "DELEGATED-PERSONAL": "personal",
    "APPLICATION": "application",
})


class Route(NamedTuple):
    """A route template of an action: its principal (me, users-id, users-upn, groups), container, id."""

    principal: str
    container: str  # a CONTAINERS key
    requirement_id: str


def case_id(route: Route) -> str:
    """A readable parametrize id of a route, e.g. `users-upn-calendargroups`."""
    return f"{route.principal}-{route.container}"


ME_EVENTS = Route("me", "events", "")  # the route the contract's other cases act on
USERS_EVENTS = Route("users-id", "events", "")  # the application's


@dataclass(frozen=True)
class Subject:
    """What an action acts on: an event of `owner`'s mailbox (or of a group), and how it read before."""

    owner: str  # the role whose mailbox holds the event ("" for a group event)
    event_id: str
    calendar_id: str = ""
    calendar_group_id: str = ""
    group_id: str = ""
    before: dict[str, Any] = field(default_factory=dict, compare=False)
    context: Any = field(default=None, compare=False)  # what the action module's `changed` needs more


# (graph, arranger, the calling role, the route acted on, fresh) -> the subject, in the caller's reach;
# fresh: as created, for a case judging it untouched (else one shared by the cases judging only the answer)
Arrange = Callable[[Graph, Arranger, str, Route, bool], Subject]
Changed = Callable[[Graph, Subject], Seen[Any]]  # one look: found when the action's effect shows


@dataclass(frozen=True)
class ActionContract:
    """An action of the family, as its contract cases need it."""

    action: str  # the route's last segment (as the page spells it)
    prefix: str  # its requirement ids' prefix: ACCEPT, TENTATIVE, ...
    arrange: Arrange
    body: Callable[[str], Any]  # the request body of a case about requirement id
    effect: Effect  # the kind of effect a refused request must not have
    changed: Changed
    caller: str = "organizer"  # the role acting in the cases that need no other
    calibrate: Callable[[Graph, Arranger], None] | None = None  # measures `effect` once before a quiet period
    roles: Mapping[str, str] = field(default_factory=lambda: PERMISSION_ROLES)

    def rid(self, suffix: str) -> str:
        """`<PREFIX>-AUTH-REQUIRED` for suffix `AUTH-REQUIRED`."""
        return f"{self.prefix}-{suffix}"

    @property
    def success_id(self) -> str:
        """The success requirement: `<PREFIX>-202-EMPTY` or `<PREFIX>-200-EMPTY`."""
        return self.rid(f"{success_status(self.action)}-EMPTY")


@functools.cache
def success_status(action: str) -> int:
    """The success status the action's OpenAPI description gives (its POST's only 2xx response)."""
    path = openapi_dir() / f"event-{action}.yaml"
    document = safe_load(path.read_text(encoding="utf-8"))
    for route, operations in (document.get("paths") or {}).items():
        if not str(route).endswith(f"/{action}"):
            continue
        codes = [int(code) for code in (operations.get("post") or {}).get("responses", {})
                 if str(code).isdigit() and 200 <= int(code) < 300]
        if codes:
            return codes[0]
    raise LookupError(f"{path} gives no 2xx answer to POST .../{action}; run `graph-conformance generate`")


def routes_of(prefix: str) -> list[Route]:
    """The action's routes, from its `<prefix>-ROUTE-*` requirements' sentences (users: by id and by UPN)."""
    routes: list[Route] = []
    for requirement_id, requirement in load_catalog().items():
        if not requirement_id.startswith(f"{prefix}-ROUTE-"):
            continue
        path = re.sub(r"\{[^}]*\}", "{}", str(requirement.sentence)).split()[-1]
        segments = path.strip("/").split("/")
        principal, rest = segments[0].lower(), segments[1 if segments[0] == "me" else 2:]
        container = rest[0].lower() if rest[0].lower() != "events" else "events"
        principals = ("users-id", "users-upn") if principal == "users" else (principal,)
        routes += [Route(each, container, requirement_id) for each in principals]
    return routes


def action_path(route: Route, graph: Graph, subject: Subject, action: str) -> str:
    """The route's path of `action` on the subject's event, ids percent-encoded."""
    if route.principal == "me":
        prefix = "/me"
    elif route.principal == "groups":
        prefix = f"/groups/{quote_id(subject.group_id)}"
    else:
        owner = graph.identity(subject.owner)
        name = owner.user_id if route.principal == "users-id" else owner.user_principal_name
        if not name:
            not_verified(f"identities.{subject.owner}.user_principal_name is not configured; add it to check "
                         "UPN routes")
        prefix = f"/users/{quote_id(name)}"
    container = CONTAINERS[route.container].format(
        event=quote_id(subject.event_id),
        calendar=quote_id(subject.calendar_id),
        group=quote_id(subject.calendar_group_id),
    )
    return f"{prefix}{container}/{action}"


def default_containers(graph: Graph, role: str) -> tuple[str, str]:
    """(the default calendar's id, the calendar group holding it) of `role`'s mailbox, read as `role`."""
    client = graph.as_(role)
    calendar = json_of(client.get("/me/calendar"))
    calendar_id = str(calendar.get("id", "")) if isinstance(calendar, dict) else ""
    groups = json_of(client.get("/me/calendarGroups"))
    for group in (groups.get("value") or []) if isinstance(groups, dict) else []:
        listed = json_of(client.get(f"/me/calendarGroups/{quote_id(str(group.get('id')))}/calendars"))
        ids = [item.get("id") for item in (listed.get("value") or [])] if isinstance(listed, dict) else []
        if calendar_id and calendar_id in ids:
            return calendar_id, str(group["id"])
    not_verified(f"{role}'s default calendar (GET /me/calendar) is in no calendar group it lists "
                 "(GET /me/calendarGroups/{id}/calendars): the calendar routes cannot address the event")


Acted = tuple[Subject, requests.Response]  # the subject, and the answer to the action on it


def act(
    contract: ActionContract, graph: Graph, arrange: Arranger, requirement_id: str, *,
    caller: str | None = None, route: Route = ME_EVENTS, headers: dict[str, str | None] | None = None,
    sender: str | None = None, fresh: bool = False,
) -> Acted:
    """A subject in `caller`'s reach (default the contract's caller), and the action on it on `route`.

    `sender`: the role sending it when not the caller (`anonymous`: no token); `fresh`: a subject as
    created (a case judging it untouched).
    """
    caller = caller or contract.caller
    graph.as_(caller)  # not configured: not-verified before anything is created
    subject = contract.arrange(graph, arrange, caller, route, fresh)
    owner_id = graph.identity(subject.owner).user_id if subject.owner else None
    if caller == "application" and subject.owner and owner_id not in graph.identity(caller).user_ids:
        not_verified(f"identities.application.user_ids does not list {subject.owner}; the app may not act "
                     "on it")
    path = action_path(route, graph, subject, contract.action)
    body = contract.body(requirement_id)
    return subject, send(graph.as_(sender or caller), path, requirement_id, body=body, headers=headers)


def expect_success(contract: ActionContract, response: requests.Response, requirement_id: str, what: str,
                   route_requirement: str = "") -> None:
    """The action was accepted (any 2xx); its route not served: not-verified (its route case fails)."""
    route_requirement = route_requirement or contract.rid("ROUTE-ME-EVENTS")
    if route_requirement != requirement_id:
        require_route_served(response, route_requirement)
    expect(200 <= response.status_code < 300, requirement_id,
           f"{what}: expected the {contract.action} to be accepted (2xx), got HTTP {response.status_code}",
           response)


def expect_unchanged(contract: ActionContract, graph: Graph, arrange: Arranger, subject: Subject,
                     requirement_id: str) -> None:
    """The refused request had no effect: watched for its quiet period (the same kind's latency here),
    counted from the refused request's answer (acted ahead: the quiet periods of such cases run together)."""
    cause = last_act_at()
    if contract.calibrate is not None:
        contract.calibrate(graph, arrange)
    quiet = arrange.quiet(contract.effect, f"to {contract.action} after a refused request", cause)
    seen = stays_absent(lambda: contract.changed(graph, subject), quiet)
    expect(not seen.found, requirement_id,
           f"the refused {contract.action} still took effect: {seen.value} ({quiet.text})", seen.response)


def _shared(contract: ActionContract, route: Route) -> Callable[..., Acted]:
    """The stage acting on `route`, shared by its route case and its success case (one event)."""
    key = f"{contract.action} on {case_id(route)}"

    def stage(graph: Graph, target: TargetConfig, arrange: Arranger) -> Acted:
        require_profile(target, route.requirement_id)
        return arrange.once(key, lambda: act(contract, graph, arrange, route.requirement_id, route=route))

    stage.__name__ = f"act_{contract.action}_on_{case_id(route).replace('-', '_')}"
    return stage


def _route_params(contract: ActionContract, *, mark_route: bool) -> list[Any]:
    params = []
    for route in routes_of(contract.prefix):
        stage = _shared(contract, route)
        marks = [acts_ahead(stage, once=f"{contract.action} on {case_id(route)}")]
        if mark_route:
            marks.append(pytest.mark.requirement(route.requirement_id))
        params.append(pytest.param(route, id=case_id(route), marks=marks))
    return params


def _staged(contract: ActionContract, suffix: str, *, caller_key: str | None = None, route: Route = ME_EVENTS,
            sender: str | None = None, fresh: bool = False) -> Callable[..., Acted]:
    """The stage of a case about `<prefix>-<suffix>`: the caller (a permission row's role) acts."""
    requirement_id = contract.rid(suffix)

    def stage(graph: Graph, target: TargetConfig, arrange: Arranger) -> Acted:
        require_profile(target, requirement_id)
        caller = contract.roles[caller_key] if caller_key else None
        acted = act(contract, graph, arrange, requirement_id, caller=caller, route=route, sender=sender,
                    fresh=fresh)
        if fresh and contract.calibrate is not None:  # judged untouched: its quiet period's measure, begun
            contract.calibrate(graph, arrange)  # now in the background (the stage goes on)
        return acted

    return watches_quiet(stage) if fresh else stage  # judged untouched: over a quiet period


_BOUND: dict[str, ActionContract] = {}  # action -> the contract whose cases a case module bound


def bound_contracts() -> Mapping[str, ActionContract]:
    """The contracts whose cases case modules bound (`contract_cases`), by action name."""
    return MappingProxyType(_BOUND)


def contract_cases(contract: ActionContract) -> dict[str, Any]:
    """The contract's cases for `contract`'s action, named `test_<action>_...` (bind them in a module)."""
    _BOUND[contract.action] = contract
    name = re.sub(r"(?<!^)([A-Z])", r"_\1", contract.action).lower()
    success = contract.success_id

    @pytest.mark.parametrize("route", _route_params(contract, mark_route=True))
    def routes(route: Route, graph: Graph, arrange: Arranger) -> None:
        """The action on this route, with real ids, is accepted."""
        subject, response = arrange.acted()
        expect_success(contract, response, route.requirement_id, f"the {contract.action} on {case_id(route)}",
                       route.requirement_id)

    @pytest.mark.parametrize("route", _route_params(contract, mark_route=False))
    @pytest.mark.requirement(success)
    def success_empty(route: Route, graph: Graph, arrange: Arranger) -> None:
        """On every route template, success is exactly the description's status with nothing in the body."""
        _, response = arrange.acted()
        require_route_served(response, route.requirement_id)
        status = success_status(contract.action)
        expect(response.status_code == status, success, f"status {response.status_code}, not {status}",
               response)
        expect(response.content.strip() == b"", success,
               f"the {status} carries a body of {len(response.content)} bytes; the page says nothing is "
               "returned", response)

    @pytest.mark.requirement(contract.rid("AUTH-REQUIRED"))
    @acts_ahead(_staged(contract, "AUTH-REQUIRED", sender="anonymous", fresh=True))
    def auth_required(graph: Graph, arrange: Arranger) -> None:
        """No Authorization header: refused with a 4xx, the event untouched."""
        refused(contract, graph, arrange, "AUTH-REQUIRED", f"a {contract.action} without a token")

    @pytest.mark.requirement(contract.rid("PERM-REQUIRED"))
    @acts_ahead(_staged(contract, "PERM-REQUIRED", caller_key="REQUIRED", fresh=True))
    def perm_required(graph: Graph, arrange: Arranger) -> None:
        """A token without the action's permission: refused with a 4xx, the event untouched."""
        role = contract.roles["REQUIRED"]
        refused(contract, graph, arrange, "PERM-REQUIRED", f"a {contract.action} with {role}'s token")

    def typed_stage(graph: Graph, target: TargetConfig, arrange: Arranger, header_name: str,
                    media_type: str) -> Acted:
        return act(contract, graph, arrange, contract.rid("CONTENT-TYPE"), headers={header_name: media_type})

    @pytest.mark.requirement(contract.rid("CONTENT-TYPE"))
    @acts_ahead(typed_stage)
    @pytest.mark.parametrize(("header_name", "media_type"), CONTENT_TYPES)
    def content_type(header_name: str, media_type: str, graph: Graph, arrange: Arranger) -> None:
        """A JSON body sent with a JSON `Content-Type` (as the page and its example spell it) is accepted."""
        _, response = arrange.acted()
        what = f"the {contract.action} sent with '{header_name}: {media_type}'"
        expect_success(contract, response, contract.rid("CONTENT-TYPE"), what)

    cases: dict[str, Any] = {
        f"test_{name}_routes_accept_it": routes,
        f"test_{name}_answers_{success_status(contract.action)}_with_empty_body": success_empty,
        f"test_{name}_without_token_is_refused_and_changes_nothing": auth_required,
        f"test_{name}_without_the_permission_is_refused_and_changes_nothing": perm_required,
        f"test_{name}_with_json_content_type_is_accepted": content_type,
    }
    for suffix, route in (("DELEGATED-WORK", ME_EVENTS), ("DELEGATED-PERSONAL", ME_EVENTS),
                          ("APPLICATION", USERS_EVENTS)):
        cases[f"test_{name}_perm_{suffix.lower().replace('-', '_')}_is_accepted"] = _accepted_case(
            contract, f"PERM-{suffix}", suffix, route)
    for case_name, case in cases.items():
        case.__name__ = case.__qualname__ = case_name
    return cases


def _accepted_case(
    contract: ActionContract, suffix: str, caller_key: str, route: Route
) -> Callable[..., None]:
    """The case of a permission row that must be accepted: its caller acts on its own reach."""
    requirement_id = contract.rid(suffix)

    @pytest.mark.requirement(requirement_id)
    @acts_ahead(_staged(contract, suffix, caller_key=caller_key, route=route))
    def case(graph: Graph, arrange: Arranger) -> None:
        """The permission row's caller, holding the permission the page lists, is accepted (2xx)."""
        _, response = arrange.acted()
        what = f"{contract.roles[caller_key]}'s {contract.action}"
        served = contract.rid("ROUTE-USERS-EVENTS" if route.principal != "me" else "ROUTE-ME-EVENTS")
        expect_success(contract, response, requirement_id, what, served)

    return case


def refused(contract: ActionContract, graph: Graph, arrange: Arranger, suffix: str, what: str) -> None:
    """The request acted ahead was refused (a 4xx), and the event shows no effect of the action."""
    requirement_id = contract.rid(suffix)
    subject, response = arrange.acted()
    expect_status(response, requirement_id, REFUSALS, what)
    expect_unchanged(contract, graph, arrange, subject, requirement_id)
