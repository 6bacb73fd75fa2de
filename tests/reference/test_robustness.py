"""Bad input never 500s; concurrency, durability and the remote-target simulation switches."""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.reference.serve import ReferenceServer, run_serve
from tests.reference._graph_client import GraphClient, quote_id


def test_huge_body_gets_413_not_500(graph: GraphClient) -> None:
    event = graph.create_event()
    answer = graph.request(
        "POST",
        f"/me/events/{quote_id(event['id'])}/cancel",
        data=b'{"comment": "' + b"x" * (5 * 1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "RequestEntityTooLarge"


@pytest.mark.parametrize(
    "path",
    [
        "/me/events/%2F%2F%2F/cancel",
        "/me/events/../../etc/passwd/cancel",
        "/me/events//cancel",
        "/me//events",
        "/me/events/%ZZ/cancel",
        "/me/events/%C3%28/cancel",
        "/me/nothing",
        "/users/%00/events",
        "/groups/unknown/events",
        "/me/calendarGroups/AAAA%3D/calendars/x/events/y/cancel",
        "/me/events/AAMkAGUzYRgWAAA=/instances?startDateTime=bad&endDateTime=bad",
        "/me/calendarView?startDateTime=x",
        "/me/events?$filter=(((",
        "/me/events?$top=abc",
        "/me/messages/%FF",
        "/me/mailFolders/inbox/messages/abc",
    ],
    ids=lambda path: path[:40],
)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE", "PATCH"])
def test_odd_requests_get_4xx_with_the_envelope(graph: GraphClient, path: str, method: str) -> None:
    answer = graph.request(
        method, path, data=b"\x00\xff garbage", headers={"Content-Type": "application/json"}
    )
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text)
    assert answer.json()["error"]["code"]


def test_twenty_parallel_cancels_give_one_202(graph: GraphClient, unique_subject: str) -> None:
    event = graph.create_event(subject=unique_subject, attendees=("attendee", "attendee2"))
    path = f"/me/events/{quote_id(event['id'])}/cancel"
    graph.token("organizer")
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = sorted(
            pool.map(lambda _: graph.request("POST", path, json={"comment": "race"}).status_code, range(20))
        )
    assert statuses == [202] + [404] * 19
    for role in ("attendee", "attendee2"):
        assert len(graph.messages(role, f"Canceled: {unique_subject}")) == 1


def test_restart_with_a_file_database_keeps_state(tmp_path: Path) -> None:
    database = tmp_path / "state.sqlite"
    with ReferenceServer(db=database) as first:
        client = GraphClient(first)
        event = client.create_event(subject="gc-test durable")
        password = first.target_document()["identities"]["organizer"]["token"]["password"]
        cancelled = client.create_event(subject="gc-test durable cancelled")
        assert client.request("POST", f"/me/events/{quote_id(cancelled['id'])}/cancel").status_code == 202
    with ReferenceServer(db=database) as second:
        client = GraphClient(second)
        assert second.target_document()["identities"]["organizer"]["token"]["password"] == password
        assert (
            client.request("GET", f"/me/events/{quote_id(event['id'])}").json()["subject"]
            == "gc-test durable"
        )
        assert client.request("GET", f"/me/events/{quote_id(cancelled['id'])}").status_code == 404


def test_throttle_answers_429_with_retry_after_past_four_concurrent() -> None:
    with ReferenceServer(throttle=True, latency_ms=300) as server:
        client = GraphClient(server)
        client.token("organizer")
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda _: client.request("GET", "/me/events"), range(8)))
    throttled = [answer for answer in answers if answer.status_code == 429]
    assert 1 <= len(throttled) <= 4 and sum(answer.status_code == 200 for answer in answers) >= 4
    assert float(throttled[0].headers["Retry-After"]) > 0
    assert throttled[0].json()["error"]["code"] == "ApplicationThrottled"


def test_rate_limit_per_mailbox() -> None:
    with ReferenceServer(throttle=True, rate_limit=3) as server:
        client = GraphClient(server)
        statuses = [client.request("GET", "/me").status_code for _ in range(6)]
    assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:]


def test_latency_is_added() -> None:
    with ReferenceServer(latency_ms=200) as server:
        client = GraphClient(server)
        client.token("organizer")
        started = time.monotonic()
        assert client.request("GET", "/me").status_code == 200
        assert time.monotonic() - started >= 0.2


def test_message_delay_makes_attendee_side_late(unique_subject: str) -> None:
    with ReferenceServer(message_delay_ms=700) as server:
        client = GraphClient(server)
        event = client.create_event(subject=unique_subject)
        assert (
            client.request(
                "GET", "/me/events", "attendee", params={"$filter": f"iCalUId eq '{event['iCalUId']}'"}
            ).json()["value"]
            == []
        )
        time.sleep(0.8)
        assert client.request("POST", f"/me/events/{quote_id(event['id'])}/cancel").status_code == 202
        assert client.messages("attendee", f"Canceled: {unique_subject}") == []
        assert client.attendee_copy("attendee", event["iCalUId"])["isCancelled"] is False
        deadline = time.monotonic() + 5
        while not client.messages("attendee", f"Canceled: {unique_subject}") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(client.messages("attendee", f"Canceled: {unique_subject}")) == 1
        assert client.attendee_copy("attendee", event["iCalUId"])["isCancelled"] is True


def test_serve_refuses_unknown_faults_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    arguments = argparse.Namespace(
        list_faults=False,
        fault=["bogus"],
        host="127.0.0.1",
        port=0,
        db=None,
        write_target=None,
        latency_ms=0,
        throttle=False,
        message_delay_ms=0,
        rate_limit=0,
    )
    assert run_serve(arguments) == 2
    assert "unknown fault switch(es): bogus; valid names:" in capsys.readouterr().err


def test_target_file_is_written_and_points_at_the_server(tmp_path: Path) -> None:
    import yaml

    with ReferenceServer() as server:
        written = yaml.safe_load(server.write_target(tmp_path / "target.yaml").read_text())
        assert written["base_url"] == server.base_url
        assert requests.get(server.base_url + "/me", timeout=5).status_code == 401
        assert set(written["identities"]) == {
            "organizer",
            "organizer_minimal",
            "attendees",
            "readonly",
            "unprivileged",  # issue 19: signed in without Calendars.* (the actions' PERM-REQUIRED)
            "application",
            "personal",
            "group",
        }


def _until(check: Any, timeout_s: float = 5.0) -> bool:
    """Whether `check()` turns true within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_apply_delay_answers_202_at_once_and_applies_the_cancel_later(unique_subject: str) -> None:
    with ReferenceServer(apply_delay_ms=700) as server:
        client = GraphClient(server)
        event = client.create_event(subject=unique_subject)
        path = f"/me/events/{quote_id(event['id'])}"
        refused = client.request("POST", f"{path}/cancel", "attendee")  # judged at once, as without a delay
        assert refused.status_code in (400, 404)
        started = time.monotonic()
        assert client.request("POST", f"{path}/cancel").status_code == 202
        assert client.request("GET", path).status_code == 200  # nothing applied yet
        assert client.messages("attendee", f"Canceled: {unique_subject}") == []
        assert client.messages("organizer", unique_subject, "deleteditems") == []
        assert _until(lambda: client.request("GET", path).status_code == 404)
        assert time.monotonic() - started >= 0.6
        assert len(client.messages("attendee", f"Canceled: {unique_subject}")) == 1
        assert client.attendee_copy("attendee", event["iCalUId"])["isCancelled"] is True
        assert len(client.messages("organizer", unique_subject, "deleteditems")) == 1


def test_list_delay_lists_a_message_late_though_it_can_be_read_at_once(unique_subject: str) -> None:
    with ReferenceServer(list_delay_ms=700) as server:
        client = GraphClient(server)
        client.create_event(subject=unique_subject)
        found = client.request("GET", "/me/messages", "attendee").json()["value"]
        assert not [item for item in found if unique_subject in item["subject"]]  # not listed yet
        assert _until(lambda: len(client.messages("attendee", unique_subject)) == 1)
        message = client.messages("attendee", unique_subject)[0]
        assert client.request("GET", f"/me/messages/{quote_id(message['id'])}", "attendee").status_code == 200


def test_serve_refuses_a_negative_delay_with_one_line() -> None:
    with pytest.raises(ValueError, match="--apply-delay-ms -1: must be 0 or more"):
        ReferenceServer(apply_delay_ms=-1)
    with pytest.raises(ValueError, match="--list-delay-ms -5: must be 0 or more"):
        ReferenceServer(list_delay_ms=-5)
