"""Token sources: OAuth2 grants against a token URL, cached, refreshed before expiry, failures explained."""

from __future__ import annotations

import json
import sys
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs

import pytest

from conformance.errors import TargetUnreachable, TokenEndpointUnreachable, TokenError
from conformance.target.config import TokenSpec
from conformance.target.tokens import REFRESH_MARGIN_S, TokenProvider
from tests.target._stub_server import Reply, Seen, stub_server


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def token_endpoint(seen: Seen) -> Reply:
    form = parse_qs(seen.body.decode())
    if form.get("password") == ["wrong"]:
        return Reply(
            400, json.dumps({"error": "invalid_grant", "error_description": "bad password"}).encode()
        )
    number = len(form) * 1000 + int(seen.at * 1000) % 1000
    payload = {"access_token": f"tok-{form['grant_type'][0]}-{number}", "expires_in": 600}
    return Reply(200, json.dumps(payload).encode(), {"Content-Type": "application/json"})


def password_spec(token_url: str, password: str = "pw") -> TokenSpec:
    return TokenSpec(
        "password",
        MappingProxyType(
            {
                "token_url": token_url,
                "client_id": "c",
                "client_secret": "s",
                "username": "adele@contoso.test",
                "password": password,
                "scope": "Calendars.ReadWrite",
            }
        ),
    )


def test_token_is_cached_then_refreshed_before_expiry() -> None:
    clock = FakeClock()
    with stub_server(token_endpoint) as (root, state):
        provider = TokenProvider("organizer", password_spec(root + "/t/token"), clock=clock)
        first = provider.token()
        assert provider.token() == first and len(state.seen) == 1
        clock.now += 600 - REFRESH_MARGIN_S - 1
        assert provider.token() == first and len(state.seen) == 1
        clock.now += 2
        provider.token()
        assert len(state.seen) == 2
    form = parse_qs(state.seen[0].body.decode())
    assert form["grant_type"] == ["password"] and form["username"] == ["adele@contoso.test"]


def test_client_credentials_grant_sends_the_secret_and_scope() -> None:
    spec = TokenSpec(
        "client_credentials",
        MappingProxyType(
            {
                "token_url": "",
                "client_id": "app",
                "client_secret": "s3cret",
                "scope": "https://graph.microsoft.com/.default",
            }
        ),
    )
    with stub_server(token_endpoint) as (root, state):
        spec = TokenSpec(spec.kind, MappingProxyType({**spec.fields, "token_url": root + "/t/token"}))
        assert TokenProvider("application", spec).token().startswith("tok-client_credentials-")
    form = parse_qs(state.seen[0].body.decode())
    assert form["client_secret"] == ["s3cret"] and form["scope"] == ["https://graph.microsoft.com/.default"]


def test_refused_grant_is_a_token_error_naming_the_identity_without_the_password() -> None:
    with stub_server(token_endpoint) as (root, _state):
        provider = TokenProvider("attendee", password_spec(root + "/t/token", password="wrong"))
        with pytest.raises(TokenError, match=r"identity 'attendee'.*bad password") as raised:
            provider.token()
    assert "wrong" not in str(raised.value)


def test_dead_token_endpoint_is_target_unreachable() -> None:
    with stub_server(token_endpoint) as (root, _state):
        dead = root
    unanswered = r"token endpoint .* does not answer \(connection refused;"
    with pytest.raises(TargetUnreachable, match=unanswered) as lost:
        TokenProvider("organizer", password_spec(dead + "/t/token"), timeout=(1, 1)).token()
    assert isinstance(lost.value, TokenEndpointUnreachable) and lost.value.why == "connection refused"


def test_literal_token_never_expires() -> None:
    clock = FakeClock()
    provider = TokenProvider(
        "organizer", TokenSpec("literal", MappingProxyType({"value": "abc"})), clock=clock
    )
    clock.now += 10**9
    assert provider.token() == "abc"


def test_msal_kind_without_the_package_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "msal", None)  # makes `import msal` raise ImportError
    spec = TokenSpec(
        "msal",
        MappingProxyType(
            {
                "authority": "https://login.microsoftonline.com/contoso",
                "client_id": "c",
                "scopes": ["x/.default"],
                "client_secret": "s",
            }
        ),
    )
    with pytest.raises(TokenError, match=r"msal package is not installed; install it with"):
        TokenProvider("application", spec).token()


def _answering(status: int, payload: object) -> Any:
    """A token endpoint that always answers `status` with `payload` as JSON."""

    def answer(_seen: Seen) -> Reply:
        return Reply(status, json.dumps(payload).encode(), {"Content-Type": "application/json"})

    return answer


def test_an_endpoint_echoing_the_password_in_its_error_does_not_leak_it() -> None:
    echo = {"error": "invalid_grant", "error_description": "password Pa55-echoed-secret is wrong"}
    with stub_server(_answering(400, echo)) as (root, _state):
        provider = TokenProvider("organizer", password_spec(root + "/t/token", password="Pa55-echoed-secret"))
        with pytest.raises(TokenError, match=r"identity 'organizer'.*\[REDACTED\] is wrong") as raised:
            provider.token()
    assert "Pa55-echoed-secret" not in str(raised.value)


@pytest.mark.parametrize(
    "payload, reason",
    [
        ([1, 2], "HTTP 200"),
        ({"access_token": None, "error": "no_token_here"}, "no_token_here"),
        ({"access_token": ""}, "HTTP 200"),
    ],
    ids=["not-an-object", "null-token", "empty-token"],
)
def test_a_200_without_a_usable_token_is_one_token_error(payload: object, reason: str) -> None:
    with stub_server(_answering(200, payload)) as (root, _state):
        with pytest.raises(TokenError, match=rf"grant at .* failed: {reason}"):
            TokenProvider("organizer", password_spec(root + "/t/token")).token()


@pytest.mark.parametrize("expires_in", ["soon", None, -5, "1e999", "900"], ids=str)
def test_an_odd_expires_in_falls_back_to_a_sane_lifetime(expires_in: object) -> None:
    clock = FakeClock()
    payload = {"access_token": "tok-1", "expires_in": expires_in}
    with stub_server(_answering(200, payload)) as (root, state):
        provider = TokenProvider("organizer", password_spec(root + "/t/token"), clock=clock)
        assert provider.token() == "tok-1"
        clock.now += 900 - REFRESH_MARGIN_S - 1  # within 900 s and within the default hour alike
        assert provider.token() == "tok-1" and len(state.seen) == 1
