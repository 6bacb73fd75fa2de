"""`--base-url` without a target file: a loopback reference server describes itself, or env tokens do."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from conformance.errors import TargetConfigError
from conformance.reference.serve import ReferenceServer
from conformance.target.discovery import DISCOVERY_PATH, target_for_base_url
from conformance.target.resolve import resolve_target


@pytest.fixture(scope="module")
def server() -> Iterator[ReferenceServer]:
    with ReferenceServer() as running:
        yield running


def password_token(document: dict[str, Any], identity: dict[str, Any]) -> str:
    fields = {**document["token_defaults"], **identity["token"]}
    grant = {key: fields[key] for key in ("client_id", "client_secret", "username", "password", "scope")}
    answer = requests.post(fields["token_url"], data={"grant_type": "password", **grant}, timeout=10)
    return str(answer.json()["access_token"])


def test_a_loopback_reference_server_describes_itself(server: ReferenceServer) -> None:
    target = resolve_target(target_file=None, base_url=server.base_url, environ={})
    assert target is not None and target.base_url == server.base_url
    assert target.name == "graph-conformance reference server"
    assert {"organizer", "application", "group"} <= set(target.identities)
    assert len(target.attendee_roles) == 2
    assert f"{server.root_url}{DISCOVERY_PATH}" in target.source


def test_the_description_is_refused_to_a_request_from_behind_a_proxy(server: ReferenceServer) -> None:
    url = f"{server.root_url}{DISCOVERY_PATH}"
    assert requests.get(url, timeout=10).status_code == 200
    proxied = requests.get(url, headers={"Host": "calendar.contoso.example"}, timeout=10)
    assert proxied.status_code == 404 and "password" not in proxied.text


def test_tokens_from_the_environment_name_their_users_by_asking_me(server: ReferenceServer) -> None:
    document = server.target_document()
    identities = document["identities"]
    environ = {
        "GRAPH_CONFORMANCE_TOKEN_ORGANIZER": password_token(document, identities["organizer"]),
        "GRAPH_CONFORMANCE_TOKEN_ATTENDEE": password_token(document, identities["attendees"][0]),
        "GRAPH_CONFORMANCE_GROUP_ID": identities["group"]["group_id"],
    }
    target = target_for_base_url(server.base_url, environ)
    assert target.identities["organizer"].user_id == identities["organizer"]["user_id"]
    assert target.identities["attendee"].user_id == identities["attendees"][0]["user_id"]
    assert target.identities["attendee"].address  # invitations need an address
    assert target.attendee_roles == ("attendee",)
    assert target.identities["group"].group_id == identities["group"]["group_id"]
    assert "application" not in target.identities
    assert environ["GRAPH_CONFORMANCE_TOKEN_ORGANIZER"] in target.secrets()  # redacted from every report


def test_a_token_the_server_refuses_is_a_clear_error(server: ReferenceServer) -> None:
    environ = {"GRAPH_CONFORMANCE_TOKEN_ORGANIZER": "not-a-token"}
    refused = r"identity .organizer., GET /me with its token: HTTP 401 .*\$GRAPH_CONFORMANCE_TOKEN_ORGANIZER"
    with pytest.raises(TargetConfigError, match=refused):
        target_for_base_url(server.base_url, environ)
