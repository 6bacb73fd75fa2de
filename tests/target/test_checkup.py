"""The configuration check before any case: each answer of `GET /me` gets a fix aimed at the right party."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.errors import TargetConfigError
from conformance.target.allowance import Allowance
from conformance.target.checkup import check_configuration
from conformance.target.config import Budget, target_from_document
from tests.target._stub_server import Reply, Seen, stub_server

ME = {"id": "u-1", "userPrincipalName": "adele@example.test"}
UNAUTHENTICATED = Reply(401, json.dumps({"error": {"code": "InvalidAuthenticationToken", "message": "empty"}})
                        .encode(), {"Content-Type": "application/json"})


def _json(status: int, body: object) -> Reply:
    return Reply(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


def _check(answers: dict[str, Reply], token: dict[str, str] | None = None, *, budget: int | None = None,
           allowance: Allowance | None = None, throttled: int = 0) -> None:
    """Check a one-identity target (a literal token, else `token`) against a stub answering `answers`;
    the first `throttled` requests get a 503 with Retry-After."""
    sent: list[str] = []

    def answer(seen: Seen) -> Reply:
        sent.append(seen.path)
        if len(sent) <= throttled:
            return Reply(503, b"", {"Retry-After": "0"})
        if "Authorization" not in seen.headers:
            return UNAUTHENTICATED
        missing = _json(404, {"error": {"code": "NotFound", "message": "x"}})
        return answers.get(seen.path.split("?")[0], missing)

    with stub_server(answer) as (root, _state):
        document: dict[str, Any] = {"base_url": f"{root}/v1.0", "identities": {"organizer": {
            "user_id": "u-1", "token": token or {"kind": "literal", "value": "tok-12345"}}}}
        if budget is not None:
            document["budget"] = {"requests": budget}
        target = target_from_document(document, source="t.yaml", environ={})
        check_configuration(target, environ={}, allowance=allowance)


def test_a_token_that_reads_its_calendar_but_not_me_is_accepted() -> None:
    forbidden = _json(403, {"error": {"code": "Authorization_RequestDenied", "message": "no User.Read"}})
    _check({"/v1.0/me": forbidden, "/v1.0/me/calendar": _json(200, {"id": "calendar"})})


def test_a_token_without_any_permission_is_the_target_files_fix() -> None:
    forbidden = _json(403, {"error": {"code": "ErrorAccessDenied", "message": "Access is denied."}})
    with pytest.raises(TargetConfigError, match=r"GET /me with its token: HTTP 403 ErrorAccessDenied.*"
                       r"fix the target file: the token of identities.organizer.token in t.yaml lacks"):
        _check({"/v1.0/me": forbidden, "/v1.0/me/calendar": forbidden})


def test_a_server_error_on_me_is_the_servers_fix() -> None:
    broken = _json(500, {"error": {"code": "InternalServerError", "message": "boom"}})
    with pytest.raises(TargetConfigError, match=r"HTTP 500 InternalServerError: boom; fix the server: GET"):
        _check({"/v1.0/me": broken})


def test_the_answer_is_redacted() -> None:
    echo = _json(401, {"error": {"code": "InvalidAuthenticationToken", "message": "bad token tok-12345"}})
    with pytest.raises(TargetConfigError) as refused:
        _check({"/v1.0/me": echo})
    assert "tok-12345" not in str(refused.value) and "[REDACTED]" in str(refused.value)


@pytest.mark.parametrize(("token_url", "why"), [
    ("http://127.0.0.1:9/t/oauth2/v2.0/token", "connection refused"),
    ("http://no-such-host.invalid/t/oauth2/v2.0/token", "its host name does not resolve"),
])
def test_a_token_url_where_nothing_answers_is_the_target_files_fix_not_an_unreachable_target(
    token_url: str, why: str
) -> None:
    token = {"kind": "client_credentials", "token_url": token_url, "client_id": "c",
             "client_secret": "s3cr3t-77", "scope": "https://graph.microsoft.com/.default"}
    # exit 2, not TargetUnreachable's 3: the base URL answers, the token_url is the file's mistake
    with pytest.raises(TargetConfigError) as refused:
        _check({}, token)
    assert str(refused.value) == (
        f"identity 'organizer', getting its token (client_credentials grant at {token_url}): the token "
        f"endpoint does not answer ({why}); fix the target file: the token_url of identities.organizer.token "
        "(merged with token_defaults) in t.yaml names no token endpoint that answers: correct its host and "
        "port (or start the token endpoint, or check the network to it)"
    )


def test_every_request_and_retry_of_the_check_is_taken_from_the_run_s_allowance() -> None:
    allowance = Allowance(Budget())
    _check({"/v1.0/me": _json(200, ME)}, allowance=allowance, throttled=1)
    assert allowance.spent().requests == 3  # GET /me without a token (503, then its retry), then with it


def test_a_budget_too_small_for_the_check_is_the_target_files_mistake_in_one_line() -> None:
    with pytest.raises(TargetConfigError) as refused:
        _check({"/v1.0/me": _json(200, ME)}, budget=1)
    assert str(refused.value).startswith("budget: GET /v1.0/me would bring the run to requests 2 of 1")
    assert str(refused.value).endswith(
        "during the configuration check before any case; raise budget.requests in t.yaml")
