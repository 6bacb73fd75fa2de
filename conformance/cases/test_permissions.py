"""Who may cancel: a bearer token is required, Calendars.ReadWrite is required and suffices."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
import requests

from conformance.cases._expect import (
    envelope_problems,
    expect,
    expect_error,
    is_unknown_route,
    require_profile,
)
from conformance.outcomes import not_verified
from conformance.target.client import Graph, GraphClient
from conformance.target.config import TargetConfig
from conformance.target.provision import ProvisionedEvent, Provisioner
from conformance.target.urls import quote_id

COMMENT = {"comment": "permission check"}


def me_cancel_path(event: ProvisionedEvent) -> str:
    """`/me/events/{id}/cancel` for an event of the caller's own mailbox."""
    return f"/me/events/{quote_id(event.id)}/cancel"


def expired_looking_token() -> str:
    """A well-formed JWT for Graph that expired an hour ago, signed with a key nobody knows."""
    now = int(time.time())
    claims = {
        "aud": "https://graph.microsoft.com",
        "iss": "https://sts.windows.net/graph-conformance/",
        "iat": now - 7200,
        "nbf": now - 7200,
        "exp": now - 3600,
        "scp": "Calendars.ReadWrite",
        "oid": str(uuid.uuid4()),
    }
    return jwt.encode(claims, uuid.uuid4().hex * 2, algorithm="HS256")


def send_without_token(graph: Graph, event: ProvisionedEvent) -> requests.Response:
    """Cancel with no Authorization header at all."""
    return graph.as_("anonymous").post(me_cancel_path(event), json=COMMENT)


def send_with_invalid_token(graph: Graph, event: ProvisionedEvent, kind: str) -> requests.Response:
    """Cancel with a garbage or an expired-looking token."""
    if kind == "garbage":
        return graph.as_("invalid").post(me_cancel_path(event), json=COMMENT)
    headers: dict[str, str | None] = {"Authorization": f"Bearer {expired_looking_token()}"}
    return graph.as_("anonymous").post(me_cancel_path(event), json=COMMENT, headers=headers)


def send_as_readonly(graph: Graph, event: ProvisionedEvent) -> requests.Response:
    """Cancel with a token of the organizer's mailbox lacking Calendars.ReadWrite."""
    return graph.as_("readonly").post(me_cancel_path(event), json=COMMENT)


def send_app_token_on_me(graph: Graph, event: ProvisionedEvent) -> requests.Response:
    """Cancel on `/me` with an app-only token."""
    return graph.as_("application").post(me_cancel_path(event), json=COMMENT)


def require_route_served(response: requests.Response) -> None:
    """Not-verified (not failed) when `/me/events/{id}/cancel` is missing: CANCEL-ROUTE-ME-EVENTS fails."""
    if is_unknown_route(response):
        not_verified(
            "the server does not serve /me/events/{id}/cancel (404 ResourceNotFound); see "
            "CANCEL-ROUTE-ME-EVENTS"
        )


def check_untouched(organizer: GraphClient, event: ProvisionedEvent, requirement_id: str) -> None:
    """The organizer still sees the event, not cancelled."""
    after = organizer.get(event.path)
    expect(
        after.status_code == 200,
        requirement_id,
        f"the refused request still changed the event: GET answered {after.status_code}",
        after,
    )
    body = after.json()
    expect(
        not body.get("isCancelled"), requirement_id, "the refused request marked the event cancelled", after
    )


@pytest.mark.requirement("CANCEL-AUTH-REQUIRED")
def test_cancel_without_token_is_refused_and_leaves_event(graph: Graph, provision: Provisioner) -> None:
    """No Authorization header: refused with a 4xx, the event untouched."""
    event = provision.event()
    response = send_without_token(graph, event)
    expect(
        400 <= response.status_code < 500,
        "CANCEL-AUTH-REQUIRED",
        f"a cancel without a token answered {response.status_code}, not a 4xx refusal",
        response,
    )
    check_untouched(graph.as_("organizer"), event, "CANCEL-AUTH-REQUIRED")


@pytest.mark.requirement("GRAPH-401-NO-TOKEN")
def test_cancel_without_token_gives_401_invalid_authentication_token(
    graph: Graph, provision: Provisioner
) -> None:
    """No token: exactly 401 with code InvalidAuthenticationToken."""
    response = send_without_token(graph, provision.event())
    require_route_served(response)
    expect_error(response, "GRAPH-401-NO-TOKEN", 401, "InvalidAuthenticationToken")


@pytest.mark.parametrize("kind", ["garbage", "expired-jwt"])
@pytest.mark.requirement("GRAPH-401-INVALID-TOKEN")
def test_cancel_with_invalid_token_gives_401(graph: Graph, provision: Provisioner, kind: str) -> None:
    """A token that is not valid: 401 InvalidAuthenticationToken, the event untouched."""
    event = provision.event()
    response = send_with_invalid_token(graph, event, kind)
    require_route_served(response)
    expect_error(response, "GRAPH-401-INVALID-TOKEN", 401, "InvalidAuthenticationToken", f"a {kind} token")
    check_untouched(graph.as_("organizer"), event, "GRAPH-401-INVALID-TOKEN")


@pytest.mark.requirement("CANCEL-PERM-REQUIRED")
def test_cancel_without_calendars_readwrite_is_refused(graph: Graph, provision: Provisioner) -> None:
    """A token without Calendars.ReadWrite: refused with a 4xx, the event untouched."""
    event = provision.event()
    response = send_as_readonly(graph, event)
    expect(
        400 <= response.status_code < 500,
        "CANCEL-PERM-REQUIRED",
        f"a token without Calendars.ReadWrite got {response.status_code}, not a 4xx refusal",
        response,
    )
    check_untouched(graph.as_("organizer"), event, "CANCEL-PERM-REQUIRED")


@pytest.mark.requirement("GRAPH-403-ACCESS-DENIED")
def test_cancel_without_calendars_readwrite_gives_403_access_denied(
    graph: Graph, provision: Provisioner
) -> None:
    """A token without Calendars.ReadWrite: exactly 403 ErrorAccessDenied."""
    response = send_as_readonly(graph, provision.event())
    require_route_served(response)
    expect_error(response, "GRAPH-403-ACCESS-DENIED", 403, "ErrorAccessDenied")


@pytest.mark.requirement("CANCEL-PERM-DELEGATED-WORK")
def test_delegated_calendars_readwrite_alone_cancels(graph: Graph, provision: Provisioner) -> None:
    """A work-account token with only Calendars.ReadWrite cancels the organizer's event (202)."""
    minimal = graph.as_("organizer_minimal")
    event = provision.event()
    response = minimal.post(me_cancel_path(event), json=COMMENT)
    require_route_served(response)
    expect(
        200 <= response.status_code < 300,
        "CANCEL-PERM-DELEGATED-WORK",
        f"a Calendars.ReadWrite-only token got {response.status_code}, not a success",
        response,
    )


@pytest.mark.requirement("CANCEL-PERM-DELEGATED-PERSONAL")
def test_personal_account_cancels(graph: Graph, provision: Provisioner) -> None:
    """A personal Microsoft account with Calendars.ReadWrite cancels its own event (202)."""
    personal = graph.as_("personal")
    event = provision.event(owner="personal")
    response = personal.post(me_cancel_path(event), json=COMMENT)
    require_route_served(response)
    expect(
        200 <= response.status_code < 300,
        "CANCEL-PERM-DELEGATED-PERSONAL",
        f"a personal account's cancel got {response.status_code}, not a success",
        response,
    )


@pytest.mark.requirement("GRAPH-400-ME-APP-TOKEN")
def test_me_route_with_app_token_gives_400_bad_request(graph: Graph, provision: Provisioner) -> None:
    """`/me` with an app-only token: 400 BadRequest, the event untouched."""
    graph.as_("application")
    event = provision.event()
    response = send_app_token_on_me(graph, event)
    require_route_served(response)
    expect_error(response, "GRAPH-400-ME-APP-TOKEN", 400, "BadRequest", "/me with an app token")
    check_untouched(graph.as_("organizer"), event, "GRAPH-400-ME-APP-TOKEN")


ENVELOPE_CASES = {
    "no-token": ("GRAPH-401-NO-TOKEN", send_without_token),
    "invalid-token": (
        "GRAPH-401-INVALID-TOKEN",
        lambda graph, event: send_with_invalid_token(graph, event, "garbage"),
    ),
    "readonly-token": ("GRAPH-403-ACCESS-DENIED", send_as_readonly),
    "app-token-on-me": ("GRAPH-400-ME-APP-TOKEN", send_app_token_on_me),
}


@pytest.mark.parametrize("case", list(ENVELOPE_CASES))
@pytest.mark.requirement("GRAPH-ERROR-ENVELOPE")
def test_permission_errors_use_graph_error_envelope(
    graph: Graph, provision: Provisioner, target: TargetConfig, case: str
) -> None:
    """Each refusal is JSON `{"error": {"code", "message", "innerError": {...}}}` with a JSON content type."""
    scenario_requirement, send = ENVELOPE_CASES[case]
    require_profile(target, scenario_requirement)
    event = provision.event()
    response = send(graph, event)
    require_route_served(response)
    if response.status_code < 400:
        not_verified(f"the {case} request was not refused (HTTP {response.status_code}); no error to inspect")
    problems = envelope_problems(response)
    expect(not problems, "GRAPH-ERROR-ENVELOPE", "; ".join(problems), response)
