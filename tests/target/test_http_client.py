"""The HTTP client: Retry-After honoured, the per-mailbox cap, redaction, clear unreachability."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import jwt
import pytest
import requests

from conformance.errors import TargetUnreachable
from conformance.target.client import READ_RETRIES, AmbiguousReplay, build_retry
from conformance.target.exchange import Exchange, curl_line, exchange_of
from tests.target._graph import ORGANIZER_TOKEN, make_graph
from tests.target._stub_server import Reply, Seen, stub_server

APP_SECRET = "app-client-secret-77aa"


def throttled_then(statuses: list[Reply]) -> Any:
    """An answer function replaying `statuses` in order, then 202."""
    queue = list(statuses)

    def answer(_seen: Seen) -> Reply:
        return queue.pop(0) if queue else Reply(202)

    return answer


@pytest.mark.parametrize("retry_after", ["0.3", "1"], ids=["fractional", "whole-seconds"])
def test_429_with_retry_after_is_retried_after_the_given_delay(retry_after: str) -> None:
    answer = throttled_then(
        [Reply(429, b'{"error":{"code":"TooManyRequests"}}', {"Retry-After": retry_after})]
    )
    with stub_server(answer) as (root, state):
        response = make_graph(root + "/v1.0").as_("organizer").post("/me/events/x/cancel", json={})
    assert response.status_code == 202
    assert len(state.seen) == 2
    waited = state.seen[1].at - state.seen[0].at
    assert float(retry_after) - 0.05 <= waited < float(retry_after) + 1.0


def test_429_without_retry_after_and_503_are_retried_with_bounded_backoff() -> None:
    answer = throttled_then([Reply(429), Reply(503), Reply(429)])
    with stub_server(answer) as (root, state):
        started = time.monotonic()
        response = make_graph(root + "/v1.0").as_("organizer").post("/me/events/x/cancel", json={})
    assert response.status_code == 202 and len(state.seen) == 4
    assert time.monotonic() - started < 5


def test_retries_are_bounded_and_the_last_429_is_returned() -> None:
    with stub_server(lambda _seen: Reply(429, headers={"Retry-After": "0"})) as (root, state):
        graph = make_graph(root + "/v1.0", retries={"total": 2, "backoff_max": 0.1})
        response = graph.as_("organizer").post("/me/events/x/cancel", json={})
    assert response.status_code == 429
    assert len(state.seen) == 3  # the first try and 2 retries


def test_huge_retry_after_is_capped() -> None:
    answer = throttled_then([Reply(429, headers={"Retry-After": "3600"})])
    with stub_server(answer) as (root, state):
        graph = make_graph(root + "/v1.0", retries={"retry_after_max": 0.2})
        response = graph.as_("organizer").get("/me/events")
    assert response.status_code == 202 and len(state.seen) == 2


def test_per_mailbox_cap_holds_across_me_id_and_upn_paths() -> None:
    with stub_server(lambda _seen: Reply(200, b"{}", delay_s=0.15)) as (root, state):
        graph = make_graph(root + "/v1.0", max_concurrency_per_mailbox=2)
        client = graph.as_("organizer")
        paths = ["/me/events", "/users/u-1/events", "/users/adele%40contoso.test/events"] * 3
        threads = [threading.Thread(target=client.get, args=(path,)) for path in paths]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    assert len(state.seen) == 9
    assert state.max_in_flight == 2


def test_other_mailboxes_are_not_held_back_by_a_busy_one() -> None:
    with stub_server(lambda _seen: Reply(200, b"{}", delay_s=0.2)) as (root, state):
        graph = make_graph(root + "/v1.0", max_concurrency_per_mailbox=1)
        threads = [
            threading.Thread(target=graph.as_("organizer").get, args=(f"/users/{user}/events",))
            for user in ("u-1", "u-2", "u-3")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    assert state.max_in_flight == 3


def test_a_retry_wait_does_not_hold_the_mailboxs_concurrency_slot() -> None:
    answer = throttled_then([Reply(429, b"{}", {"Retry-After": "1"})])
    with stub_server(answer) as (root, state):
        graph = make_graph(root + "/v1.0", max_concurrency_per_mailbox=1)
        throttled = threading.Thread(target=graph.as_("organizer").post, args=("/me/events/a/cancel",))
        throttled.start()
        time.sleep(0.2)  # the cancel got its 429 and waits for its Retry-After
        graph.as_("organizer").get("/me/events")  # same mailbox, cap 1: sent at once, not after the wait
        throttled.join(timeout=10)
    assert [seen.path for seen in state.seen] == [
        "/v1.0/me/events/a/cancel", "/v1.0/me/events", "/v1.0/me/events/a/cancel"
    ]
    assert state.seen[1].at - state.seen[0].at < 0.6 <= state.seen[2].at - state.seen[0].at


def test_transcript_never_contains_a_token_or_secret() -> None:
    issued_jwt = jwt.encode({"sub": "x", "scp": "Calendars.ReadWrite"}, "k" * 32, algorithm="HS256")
    body = json.dumps(
        {"access_token": issued_jwt, "echo": ORGANIZER_TOKEN, "client_secret": APP_SECRET}
    ).encode()
    with stub_server(lambda _seen: Reply(200, body, {"Content-Type": "application/json"})) as (root, _state):
        graph = make_graph(root + "/v1.0")
        sink: list[Exchange] = []
        graph.transcript.start_test(sink)
        graph.as_("organizer").post(
            "/me/events",
            json={"password": "hunter2-pw", "note": f"Bearer {issued_jwt}", "token": ORGANIZER_TOKEN},
        )
        graph.as_("organizer").post(
            "/token",
            data=f"client_secret={APP_SECRET}&grant_type=client_credentials",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    dumped = json.dumps([exchange.as_dict() for exchange in sink])
    for secret in (ORGANIZER_TOKEN, issued_jwt, APP_SECRET, "hunter2-pw"):
        assert secret not in dumped
    assert sink[0].request_headers["Authorization"] == "Bearer [REDACTED]"
    assert sink[0].status == 200 and sink[0].identity == "organizer"
    assert graph.transcript.request_count == 2
    line = curl_line(sink[0])
    assert '"Authorization: Bearer $TOKEN"' in line and ORGANIZER_TOKEN not in line


def test_the_client_records_a_typed_exchange_per_response_with_its_time_and_mailbox() -> None:
    answer = throttled_then([Reply(429, b"{}", {"Retry-After": "0"})])
    with stub_server(answer) as (root, _state):
        graph = make_graph(root + "/v1.0")
        before = time.time()
        cancelled = graph.as_("organizer").post("/me/events/e1/cancel", json={"comment": "x"})
        listed = graph.as_("attendee").get("/users/adele%40contoso.test/events")
        unrelated = graph.as_("organizer").get("/subscriptions")
    exchange = exchange_of(cancelled)
    assert isinstance(exchange, Exchange) and exchange.status == 202 and exchange.method == "POST"
    assert before <= exchange.sent_at <= time.time() and exchange.attempts == 2  # one 429, then the answer
    assert exchange.mailbox == "organizer" and json.loads(exchange.request_body or "") == {"comment": "x"}
    assert exchange_of(listed) is not None and exchange_of(listed).mailbox == "organizer"  # type: ignore[union-attr]
    assert exchange_of(unrelated).mailbox == ""  # type: ignore[union-attr]
    assert exchange_of(None) is None and exchange_of(requests.Response()) is None


def test_curl_line_reproduces_method_url_headers_and_body_without_noise() -> None:
    exchange = Exchange(
        method="POST",
        url="http://127.0.0.1:1/v1.0/me/events/AAMk%2F%3D/cancel",
        request_headers={
            "Authorization": "Bearer [REDACTED]",
            "Content-Type": "application/json",
            "User-Agent": "python-requests/2",
            "Content-Length": "17",
            "Accept": "*/*",
        },
        request_body='{"comment": "it\'s off"}',
    )
    line = curl_line(exchange)
    assert line == (
        "curl -i -X POST http://127.0.0.1:1/v1.0/me/events/AAMk%2F%3D/cancel "
        '-H "Authorization: Bearer $TOKEN" '
        "-H 'Content-Type: application/json' --data-raw '{\"comment\": \"it'\"'\"'s off\"}'"
    )
    assert curl_line(exchange.as_dict()) == line  # dict-shaped (synthetic, deserialised) exchanges alike


def test_ids_with_slash_plus_and_equals_reach_the_server_encoded() -> None:
    from conformance.target.urls import quote_id

    with stub_server(lambda _seen: Reply(202)) as (root, state):
        make_graph(root + "/v1.0").as_("organizer").post(f"/me/events/{quote_id('AA+b/c==')}/cancel")
    assert state.seen[0].path == "/v1.0/me/events/AA%2Bb%2Fc%3D%3D/cancel"


def test_connection_refused_raises_target_unreachable_naming_the_base_url() -> None:
    with stub_server(lambda _seen: Reply(200)) as (root, _state):
        dead_root = root  # the port is closed once the stub stops
    graph = make_graph(dead_root + "/v1.0", timeouts={"connect": 1, "read": 1})
    with pytest.raises(TargetUnreachable, match=r"does not answer") as raised:
        graph.as_("organizer").get("/me/events")
    assert dead_root in str(raised.value) and ORGANIZER_TOKEN not in str(raised.value)


def test_a_connection_dropped_before_any_answer_is_resent() -> None:
    with stub_server(throttled_then([Reply(drop=True)])) as (root, state):
        response = make_graph(root + "/v1.0").as_("organizer").post("/me/events/x/cancel", json={})
    assert response.status_code == 202
    assert len(state.seen) == 2 and state.seen[1].method == "POST"


def test_a_resent_cancel_answered_404_is_ambiguous_not_a_verdict() -> None:
    answer = throttled_then([Reply(drop=True), Reply(404, b'{"error":{"code":"ErrorItemNotFound"}}')])
    with stub_server(answer) as (root, state):
        graph = make_graph(root + "/v1.0")
        with pytest.raises(AmbiguousReplay, match=r"re-sent after the connection broke.*answered 404"):
            graph.as_("organizer").post("/me/events/x/cancel", json={})
        not_resent = graph.as_("organizer").post("/me/events/y/cancel", json={})
    assert not_resent.status_code == 202 and len(state.seen) == 3


def test_connections_dropped_on_every_attempt_end_as_target_unreachable() -> None:
    with stub_server(lambda _seen: Reply(drop=True)) as (root, state):
        graph = make_graph(root + "/v1.0", timeouts={"connect": 1, "read": 1})
        with pytest.raises(TargetUnreachable, match=r"does not answer"):
            graph.as_("organizer").post("/me/events/x/cancel", json={})
    assert len(state.seen) == 1 + READ_RETRIES


def test_a_stalled_target_raises_target_unreachable_after_one_timeout_and_one_probe() -> None:
    read_timeout_s = 0.3
    with stub_server(lambda _seen: Reply(202, delay_s=3.0)) as (root, state):
        graph = make_graph(root + "/v1.0", timeouts={"connect": 1, "read": read_timeout_s})
        started = time.monotonic()
        with pytest.raises(TargetUnreachable, match=r"does not answer") as raised:
            graph.as_("organizer").get("/me/events")
        elapsed = time.monotonic() - started
    # a read timeout is never re-sent: the request, then one health probe of the base URL (unanswered too)
    assert [seen.path for seen in state.seen] == ["/v1.0/me/events", "/v1.0"]
    assert elapsed < 2 * read_timeout_s + 2.0, f"took {elapsed:.1f} s"
    assert ORGANIZER_TOKEN not in str(raised.value)


def test_retry_after_waits_exactly_what_it_says_and_is_capped() -> None:
    retry = build_retry(6, backoff_max=8.0, retry_after_max=30.0)
    assert {retry.parse_retry_after("1") for _ in range(20)} == {1.0}  # as Microsoft's SDKs: no jitter
    assert retry.parse_retry_after("0.5") == 0.5
    assert retry.parse_retry_after("0") == 0.0
    assert retry.parse_retry_after("-3") == 0.0
    assert build_retry(6, backoff_max=8.0, retry_after_max=0.2).parse_retry_after("3600") == 0.2