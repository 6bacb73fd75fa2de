"""Tokens and permissions: the token endpoint, 401/403 answers, app tokens, personal accounts and groups."""

from __future__ import annotations

import time

import jwt
import pytest
import requests

from conformance.reference.auth import mint_token
from conformance.reference.serve import ReferenceServer
from tests.reference._graph_client import TIMEOUT_S, GraphClient, quote_id


def _token_request(graph: GraphClient, **form: str) -> requests.Response:
    return requests.post(graph.target["token_defaults"]["token_url"], data=form, timeout=TIMEOUT_S)


def _password_form(graph: GraphClient, role: str = "organizer", scope: str = ".default") -> dict[str, str]:
    defaults, token = graph.target["token_defaults"], graph.identity(role)["token"]
    return {
        "grant_type": "password",
        "client_id": defaults["client_id"],
        "client_secret": defaults["client_secret"],
        "username": token["username"],
        "password": token["password"],
        "scope": scope,
    }


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"grant_type": "authorization_code"}, 400, "unsupported_grant_type"),
        ({"password": "wrong"}, 400, "invalid_grant"),
        ({"username": "nobody@contoso.test"}, 400, "invalid_grant"),
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"scope": "Calendars.Destroy"}, 400, "invalid_scope"),
        ({"scope": ""}, 400, "invalid_scope"),
    ],
    ids=["grant-type", "password", "user", "secret", "unknown-scope", "no-scope"],
)
def test_token_endpoint_errors_follow_oauth2(
    graph: GraphClient, change: dict[str, str], status: int, error: str
) -> None:
    answer = _token_request(graph, **{**_password_form(graph), **change})
    assert answer.status_code == status
    assert answer.json()["error"] == error and answer.json()["error_description"]


@pytest.mark.parametrize(
    "scope",
    [
        "https://graph.microsoft.com/.default",
        ".default",
        "Calendars.ReadWrite",
        "https://graph.microsoft.com/Calendars.Read openid offline_access",
    ],
)
def test_token_endpoint_accepts_scope_forms(graph: GraphClient, scope: str) -> None:
    answer = _token_request(graph, **_password_form(graph, scope=scope))
    assert answer.status_code == 200, answer.text
    claims = jwt.decode(answer.json()["access_token"], options={"verify_signature": False})
    assert claims["oid"] == graph.user_id("organizer") and claims["scp"]


def test_client_credentials_needs_default_scope(graph: GraphClient) -> None:
    token = graph.identity("application")["token"]
    form = {
        "grant_type": "client_credentials",
        "client_id": token["client_id"],
        "client_secret": token["client_secret"],
    }
    assert _token_request(graph, **form, scope="Calendars.ReadWrite").json()["error"] == "invalid_scope"
    answer = _token_request(graph, **form, scope="https://graph.microsoft.com/.default")
    assert (
        "Calendars.ReadWrite"
        in jwt.decode(answer.json()["access_token"], options={"verify_signature": False})["roles"]
    )


def test_missing_and_invalid_tokens_get_401(graph: GraphClient) -> None:
    event = graph.create_event()
    path = f"/me/events/{quote_id(event['id'])}/cancel"
    missing = graph.request("POST", path, None)
    assert missing.status_code == 401 and missing.json()["error"]["message"] == "Access token is empty."
    forged = jwt.encode(
        {
            "oid": graph.user_id("organizer"),
            "scp": "Calendars.ReadWrite",
            "aud": "https://graph.microsoft.com",
        },
        "not-the-signing-key-of-this-server-at-all",
        algorithm="HS256",
    )
    invalid = graph.request("POST", path, None, headers={"Authorization": f"Bearer {forged}"})
    assert invalid.status_code == 401 and invalid.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert invalid.json()["error"]["message"] == "Access token validation failure."
    assert graph.request("GET", f"/me/events/{quote_id(event['id'])}").status_code == 200


def test_expired_token_gets_401(graph: GraphClient, server: ReferenceServer) -> None:
    expired = mint_token(server.store, {"oid": graph.user_id("organizer"), "scp": "Calendars.ReadWrite"}, -10)
    answer = graph.request("GET", "/me/events", None, headers={"Authorization": f"Bearer {expired}"})
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_read_only_token_gets_403_and_event_is_untouched(graph: GraphClient) -> None:
    event = graph.create_event()
    answer = graph.request("POST", f"/me/events/{quote_id(event['id'])}/cancel", "readonly")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "ErrorAccessDenied"
    assert graph.request("GET", f"/me/events/{quote_id(event['id'])}", "readonly").status_code == 200


def test_minimal_scope_cancels(graph: GraphClient) -> None:
    event = graph.create_event()
    assert (
        graph.request("POST", f"/me/events/{quote_id(event['id'])}/cancel", "organizer_minimal").status_code
        == 202
    )


def test_application_token_cancels_on_users_and_groups_but_not_me(graph: GraphClient) -> None:
    organizer_id = graph.user_id("organizer")
    event = graph.create_event()
    me = graph.request("POST", f"/me/events/{quote_id(event['id'])}/cancel", "application")
    assert me.status_code == 400 and me.json()["error"]["code"] == "BadRequest"
    assert me.json()["error"]["message"] == "/me request is only valid with delegated authentication flow."
    answer = graph.request(
        "POST", f"/users/{organizer_id}/events/{quote_id(event['id'])}/cancel", "application"
    )
    assert answer.status_code == 202
    group_id = graph.identity("group")["group_id"]
    group_event = graph.create_event(path=f"/groups/{group_id}/events")
    answer = graph.request(
        "POST", f"/groups/{group_id}/events/{quote_id(group_event['id'])}/cancel", "application"
    )
    assert answer.status_code == 202


def test_personal_account_cancels(graph: GraphClient) -> None:
    claims = jwt.decode(graph.token("personal"), options={"verify_signature": False})
    assert claims["tid"] == "9188040d-6c67-4c5b-b112-36a304b66dad"
    event = graph.create_event("personal")
    assert graph.request("POST", f"/me/events/{quote_id(event['id'])}/cancel", "personal").status_code == 202


def test_delegated_user_cannot_touch_another_mailbox(graph: GraphClient) -> None:
    event = graph.create_event()
    path = f"/users/{graph.user_id('organizer')}/events/{quote_id(event['id'])}/cancel"
    answer = graph.request("POST", path, "attendee2")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "ErrorAccessDenied"
    group_id = graph.identity("group")["group_id"]
    assert graph.request("GET", f"/groups/{group_id}/events", "attendee2").status_code == 403


def test_upn_with_encoded_at_routes_like_the_guid(graph: GraphClient) -> None:
    event = graph.create_event()
    upn = graph.identity("organizer")["user_principal_name"].replace("@", "%40")
    assert graph.request("GET", f"/users/{upn}/events/{quote_id(event['id'])}").status_code == 200


def test_tokens_survive_in_time_bounds(graph: GraphClient) -> None:
    claims = jwt.decode(graph.token("organizer"), options={"verify_signature": False})
    assert claims["exp"] - time.time() > 3000
