"""Who may cancel: a bearer token is required, Calendars.ReadWrite is required and suffices.

The exact answers of the common conventions (401, 403, the /me 400) are probed on cancel's `/me/events` route,
or on the first selected action's when the run selects no cancel (conformance.cases.toolkit.common_aim).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import jwt
import pytest
import requests

from conformance.cases.toolkit import (
    Arranger,
    Effect,
    Item,
    acts_ahead,
    envelope_problems,
    expect,
    expect_accepted,
    expect_error,
    expect_status,
    expect_untouched,
    not_verified,
    require_profile,
    require_route_served,
    send,
    watches_quiet,
)
from conformance.cases.toolkit.common_aim import COMMON_PROBE, Aim, aim, probed_contract
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.provision import ProvisionedEvent
from conformance.target.urls import quote_id

COMMENT = {"comment": "permission check"}
REFUSALS = tuple(range(400, 500))

Sender = Callable[[Graph, ProvisionedEvent, str], requests.Response]  # (graph, event, requirement id)


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


def as_role(role: str, headers: dict[str, str | None] | None = None) -> Sender:
    """A sender of the cancel on `/me/events/{id}` as `role` (`anonymous`: no Authorization header)."""

    def sender(graph: Graph, event: ProvisionedEvent, requirement_id: str) -> requests.Response:
        client = graph.as_(role)
        return send(client, me_cancel_path(event), requirement_id, body=COMMENT, headers=headers)

    return sender


def expired_token_header() -> dict[str, str | None]:
    """An Authorization header carrying a well-formed but expired JWT."""
    return {"Authorization": f"Bearer {expired_looking_token()}"}


def with_expired_token(graph: Graph, event: ProvisionedEvent, requirement_id: str) -> requests.Response:
    """Cancel with a well-formed but expired JWT."""
    return as_role("anonymous", expired_token_header())(graph, event, requirement_id)


REQUIRED = "REQUIRED"  # Caller.role: the role the action's permission row refuses (its contract's roles)


@dataclass(frozen=True)
class Caller:
    """Who sends a common probe aimed at another action than cancel: the role in whose reach its subject is
    ("": the contract's caller; REQUIRED), the role whose token goes out (None: that role), extra headers."""

    role: str = ""
    sender: str | None = None
    headers: Callable[[], dict[str, str | None]] | None = None


WITHOUT_TOKEN = as_role("anonymous")
GARBAGE_TOKEN = as_role("invalid")
READONLY = as_role("readonly")  # the organizer's mailbox, a token without Calendars.ReadWrite
APP_TOKEN_ON_ME = as_role("application")
INVALID_TOKENS = {"garbage": GARBAGE_TOKEN, "expired-jwt": with_expired_token}


# the event (or, a common probe on another action, its aim), how it read before, the answer
Refusal = tuple[ProvisionedEvent | Aim, Item, requests.Response]


def refusal(
    sender: Sender, requirement_id: str, *, read_back: bool = True, role: str | None = None,
    common: Caller | None = None,
) -> Callable[[Graph, TargetConfig, Arranger], Refusal]:
    """The stage of a refused request (acted ahead): `role` configured, an event (read back when the case
    judges it untouched), the request sent by `sender`; `common`: a common probe, sent by that caller to the
    first selected action when the run selects no cancel."""

    def stage(graph: Graph, target: TargetConfig, arrange: Arranger) -> Refusal:
        contract = probed_contract(arrange) if common is not None else None
        if contract is not None and common is not None:
            role_of = contract.roles[REQUIRED] if common.role == REQUIRED else common.role or None
            aimed = aim(graph, arrange, contract, caller=role_of, fresh=read_back)
            headers = common.headers() if common.headers is not None else None
            client = graph.as_(common.sender or aimed.caller)
            body = aimed.body(requirement_id)
            response = send(client, aimed.path, requirement_id, body=body, headers=headers)
            return aimed, aimed.subject.before, response
        if role is not None:
            graph.as_(role)  # not configured: not-verified before anything is created
        event, before = arrange.untouched_event(read_back=read_back)
        return event, before, sender(graph, event, requirement_id)

    return watches_quiet(stage) if read_back else stage  # judged untouched: over a quiet period


def expect_refusal_untouched(
    graph: Graph, arrange: Arranger, refused: ProvisionedEvent | Aim, before: Item, requirement_id: str
) -> None:
    """The refused request left the event as it was (an aimed action: showed none of its effect)."""
    if isinstance(refused, Aim):
        refused.expect_unchanged(graph, arrange, requirement_id)
        return
    quiet = arrange.quiet(Effect.APPLIED, "to change the event after a refused request")
    expect_untouched(graph.as_(refused.owner_role), refused.path, before, requirement_id, quiet=quiet)


def refused_and_untouched(arrange: Arranger, graph: Graph, requirement_id: str, what: str) -> None:
    """The request (acted ahead) is refused with a 4xx, and the organizer's event is as it was before it."""
    event, before, response = arrange.acted()
    expect_status(response, requirement_id, REFUSALS, what)
    expect_refusal_untouched(graph, arrange, event, before, requirement_id)


def refused_exactly(arrange: Arranger, requirement_id: str, error: tuple[int, str], what: str) -> None:
    """The request (acted ahead) gets exactly `error` (status, `error.code`), its route served."""
    _, _, response = arrange.acted()
    require_route_served(response)
    expect_error(response, requirement_id, *error, what)


@pytest.mark.requirement("CANCEL-AUTH-REQUIRED")
@acts_ahead(refusal(WITHOUT_TOKEN, "CANCEL-AUTH-REQUIRED"))
def test_cancel_without_token_is_refused_and_leaves_event(graph: Graph, arrange: Arranger) -> None:
    """No Authorization header: refused with a 4xx, the event untouched."""
    refused_and_untouched(arrange, graph, "CANCEL-AUTH-REQUIRED", "a cancel without a token")


@pytest.mark.requirement("GRAPH-401-NO-TOKEN")
@COMMON_PROBE
@acts_ahead(refusal(WITHOUT_TOKEN, "GRAPH-401-NO-TOKEN", read_back=False, common=Caller(sender="anonymous")))
def test_cancel_without_token_gives_401_invalid_authentication_token(
    graph: Graph, arrange: Arranger
) -> None:
    """No token: exactly 401 with code InvalidAuthenticationToken."""
    refused_exactly(arrange, "GRAPH-401-NO-TOKEN", (401, "InvalidAuthenticationToken"), "no token")


INVALID_CALLERS = {"garbage": Caller(sender="invalid"), "expired-jwt": Caller(sender="anonymous",
                                                                               headers=expired_token_header)}


@watches_quiet
def _invalid_token_stage(graph: Graph, target: TargetConfig, arrange: Arranger, kind: str) -> Refusal:
    stage = refusal(INVALID_TOKENS[kind], "GRAPH-401-INVALID-TOKEN", common=INVALID_CALLERS[kind])
    return stage(graph, target, arrange)


@pytest.mark.parametrize("kind", list(INVALID_TOKENS))
@pytest.mark.requirement("GRAPH-401-INVALID-TOKEN")
@COMMON_PROBE
@acts_ahead(_invalid_token_stage)
def test_cancel_with_invalid_token_gives_401(graph: Graph, arrange: Arranger, kind: str) -> None:
    """A token that is not valid: 401 InvalidAuthenticationToken, the event untouched."""
    event, before, response = arrange.acted()
    require_route_served(response)
    expect_error(response, "GRAPH-401-INVALID-TOKEN", 401, "InvalidAuthenticationToken", f"a {kind} token")
    expect_refusal_untouched(graph, arrange, event, before, "GRAPH-401-INVALID-TOKEN")


@pytest.mark.requirement("CANCEL-PERM-REQUIRED")
@acts_ahead(refusal(READONLY, "CANCEL-PERM-REQUIRED", role="readonly"))
def test_cancel_without_calendars_readwrite_is_refused(graph: Graph, arrange: Arranger) -> None:
    """A token without Calendars.ReadWrite: refused with a 4xx, the event untouched."""
    what = "a token without Calendars.ReadWrite"
    refused_and_untouched(arrange, graph, "CANCEL-PERM-REQUIRED", what)


@pytest.mark.requirement("GRAPH-403-ACCESS-DENIED")
@COMMON_PROBE
@acts_ahead(refusal(READONLY, "GRAPH-403-ACCESS-DENIED", read_back=False, role="readonly",
                    common=Caller(role=REQUIRED)))
def test_cancel_without_calendars_readwrite_gives_403_access_denied(
    graph: Graph, arrange: Arranger
) -> None:
    """A token without Calendars.ReadWrite: exactly 403 ErrorAccessDenied."""
    what = "a token without the action's permission"
    refused_exactly(arrange, "GRAPH-403-ACCESS-DENIED", (403, "ErrorAccessDenied"), what)


def _own_token_cancels(graph: Graph, arrange: Arranger, role: str, requirement_id: str, what: str) -> None:
    """`role`'s token cancels an event of its mailbox (the organizer's, for a work-account role): 202."""
    graph.as_(role)
    event = arrange.create(owner="personal" if role == "personal" else "organizer")
    response = as_role(role)(graph, event, requirement_id)
    arrange.judge_refusal(event, response)
    expect_accepted(response, requirement_id, what)


@pytest.mark.requirement("CANCEL-PERM-DELEGATED-WORK")
def test_delegated_calendars_readwrite_alone_cancels(graph: Graph, arrange: Arranger) -> None:
    """A work-account token with only Calendars.ReadWrite cancels the organizer's event (202)."""
    _own_token_cancels(
        graph, arrange, "organizer_minimal", "CANCEL-PERM-DELEGATED-WORK", "a Calendars.ReadWrite-only token"
    )


@pytest.mark.requirement("CANCEL-PERM-DELEGATED-PERSONAL")
def test_personal_account_cancels(graph: Graph, arrange: Arranger) -> None:
    """A personal Microsoft account with Calendars.ReadWrite cancels its own event (202)."""
    _own_token_cancels(
        graph, arrange, "personal", "CANCEL-PERM-DELEGATED-PERSONAL", "a personal account's cancel"
    )


@pytest.mark.requirement("GRAPH-400-ME-APP-TOKEN")
@COMMON_PROBE
@acts_ahead(refusal(APP_TOKEN_ON_ME, "GRAPH-400-ME-APP-TOKEN", role="application",
                    common=Caller(role="application")))
def test_me_route_with_app_token_gives_400_bad_request(graph: Graph, arrange: Arranger) -> None:
    """`/me` with an app-only token: 400 BadRequest, the event untouched."""
    event, before, response = arrange.acted()
    require_route_served(response)
    expect_error(response, "GRAPH-400-ME-APP-TOKEN", 400, "BadRequest", "/me with an app token")
    expect_refusal_untouched(graph, arrange, event, before, "GRAPH-400-ME-APP-TOKEN")


ENVELOPE_CASES: dict[str, tuple[str, Sender]] = {
    "no-token": ("GRAPH-401-NO-TOKEN", WITHOUT_TOKEN),
    "invalid-token": ("GRAPH-401-INVALID-TOKEN", GARBAGE_TOKEN),
    "readonly-token": ("GRAPH-403-ACCESS-DENIED", READONLY),
    "app-token-on-me": ("GRAPH-400-ME-APP-TOKEN", APP_TOKEN_ON_ME),
}


def _envelope_stage(graph: Graph, target: TargetConfig, arrange: Arranger, case: str) -> Refusal:
    scenario_requirement, sender = ENVELOPE_CASES[case]
    require_profile(target, scenario_requirement)
    return refusal(sender, "GRAPH-ERROR-ENVELOPE", read_back=False)(graph, target, arrange)


@pytest.mark.parametrize("case", list(ENVELOPE_CASES))
@pytest.mark.requirement("GRAPH-ERROR-ENVELOPE")
@acts_ahead(_envelope_stage)
def test_permission_errors_use_graph_error_envelope(
    graph: Graph, arrange: Arranger, target: TargetConfig, case: str
) -> None:
    """Each refusal is JSON `{"error": {"code", "message", "innerError": {...}}}` with a JSON content type."""
    require_profile(target, ENVELOPE_CASES[case][0])
    _, _, response = arrange.acted()
    require_route_served(response)
    if response.status_code < 400:
        not_verified(f"the {case} request was not refused (HTTP {response.status_code}); no error to inspect")
    problems = envelope_problems(response)
    expect(not problems, "GRAPH-ERROR-ENVELOPE", "; ".join(problems), response)
