"""Evidence helpers: exchange excerpts, curl lines, and sorting cancel calls into the documented routes."""

from __future__ import annotations

import jsonschema

from conformance.report.certification import certification_schema
from conformance.report.evidence import (
    BODY_EXCERPT_CHARS,
    OTHER_ROUTE,
    classify_route,
    curl_line,
    documented_routes,
    excerpt_exchange,
)

SENTENCES = [
    "POST /me/events/{id}/cancel",
    "POST /users/{id | userPrincipalName}/calendargroups/{id}/calendars/{id}/events/{id}/cancel",
    "If successful, this method returns 202 Accepted response code.",
]


def test_documented_routes_come_from_route_sentences_only() -> None:
    assert [display for display, _ in documented_routes(SENTENCES)] == [
        "/me/events/{id}/cancel",
        "/users/{id}/calendargroups/{id}/calendars/{id}/events/{id}/cancel",
    ]


def test_classify_route_matches_case_insensitively_and_keeps_encoded_ids_in_one_segment() -> None:
    routes = documented_routes(SENTENCES)
    base = "http://127.0.0.1:1/v1.0"
    assert classify_route(f"{base}/me/events/AAMk%2Fx%3D/cancel", routes) == "/me/events/{id}/cancel"
    assert classify_route(f"{base}/users/a%40b/calendarGroups/g/calendars/c/events/e/cancel", routes) == (
        "/users/{id}/calendargroups/{id}/calendars/{id}/events/{id}/cancel"
    )
    assert classify_route(f"{base}/me/events/AAMk/x=/cancel", routes) == OTHER_ROUTE  # unencoded slash
    assert classify_route(f"{base}/me/events/e", routes) is None


def test_excerpt_bounds_bodies_and_masks_credentials() -> None:
    excerpt = excerpt_exchange(
        {
            "method": "POST",
            "url": "http://h/v1.0/me/events/e/cancel",
            "status": "202",
            "request_headers": {"Authorization": "Bearer abc", "User-Agent": "x"},
            "request_body": {"c": "x" * 5000},
            "response_body": None,
            "elapsed_ms": 3,
        }
    )
    assert excerpt["status"] == 202 and excerpt["request_headers"] == {"Authorization": "Bearer [REDACTED]"}
    assert (
        len(excerpt["request_body"]) < BODY_EXCERPT_CHARS + 60
        and "more characters" in excerpt["request_body"]
    )
    curl = curl_line(excerpt)
    assert curl.startswith("curl -i -X POST http://h/v1.0/me/events/e/cancel")
    assert '-H "Authorization: Bearer $TOKEN"' in curl
    assert "--data-raw" in curl


def test_report_and_failure_texts_print_the_same_curl_line() -> None:
    from conformance.target.transcript import curl_line as transcript_curl_line

    assert curl_line is transcript_curl_line


def test_excerpt_of_a_typed_exchange_drops_transport_noise_and_keeps_the_schema_keys() -> None:
    from conformance.target.exchange import Exchange

    exchange = Exchange(
        method="GET",
        url="http://h/v1.0/me/events?x=Bearer%20abc",
        identity="organizer",
        status=200,
        request_headers={"Authorization": "Bearer [REDACTED]", "Date": "now"},
        response_body='{"value": []}',
        request_id="r-1",
        elapsed_ms=4.26,
        sent_at=1.0,
        mailbox="organizer",
    )
    excerpt = excerpt_exchange(exchange)
    assert excerpt["url"] == "http://h/v1.0/me/events?x=Bearer [REDACTED]"
    assert excerpt["request_headers"] == {"Authorization": "Bearer [REDACTED]"}
    assert excerpt["elapsed_ms"] == 4.3 and excerpt["request_body"] == "" and excerpt["request_id"] == "r-1"
    schema = certification_schema()["$defs"]["exchange"]
    assert set(excerpt) <= set(schema["properties"]) and set(schema["required"]) <= set(excerpt)


def test_published_certification_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(certification_schema())
