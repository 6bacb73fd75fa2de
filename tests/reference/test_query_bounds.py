"""Oversized query options get Graph's 400, never a 500, and no one request stalls the server for others."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from conformance.reference.serve import ReferenceServer
from tests.reference._graph_client import GraphClient

EVENTS_IN_MAILBOX = 600  # as in the probe that found the stall
HUGE_NUMBER = "9" * 5000  # beyond Python's 4,300-digit int-conversion limit
ORDERBY_KEYS = 10_000  # an 80 KB URL: `subject,` 10,000 times


@pytest.fixture(scope="module")
def crowded() -> Iterator[GraphClient]:
    """A server of its own whose organizer has 600 events."""
    with ReferenceServer() as server:
        graph = GraphClient(server)
        graph.token("organizer")
        body = {"subject": "crowded", "start": {"dateTime": "2031-01-01T09:00:00", "timeZone": "UTC"},
                "end": {"dateTime": "2031-01-01T10:00:00", "timeZone": "UTC"}}
        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(pool.map(lambda _: graph.request("POST", "/me/events", json=body).status_code,
                                     range(EVENTS_IN_MAILBOX)))
        assert set(statuses) == {201}
        yield graph


@pytest.mark.parametrize("option", ["$top", "$skip"])
def test_a_number_beyond_any_limit_is_a_400(crowded: GraphClient, option: str) -> None:
    """`$top`/`$skip` with 5,000 digits (or a non-ASCII digit) answers 400 with the envelope, never 500."""
    for value in (HUGE_NUMBER, "2147483648", "\u00b2"):
        answer = crowded.request("GET", "/me/events", params={option: value})
        assert answer.status_code == 400, (value[:20], answer.status_code, answer.text[:300])
        assert answer.json()["error"]["code"] == "BadRequest"


def test_the_servers_own_next_link_stays_answerable(crowded: GraphClient) -> None:
    """Following @odata.nextLink page after page never meets a 500 (the largest $top Graph allows)."""
    link: str | None = crowded.server.base_url + "/me/events?$top=1000&$skip=0"
    pages = 0
    while link and pages < 5:
        answer = crowded.session.get(link, headers={"Authorization": f"Bearer {crowded.token('organizer')}"},
                                     timeout=10)
        assert answer.status_code == 200, answer.text[:300]
        link, pages = answer.json().get("@odata.nextLink"), pages + 1
    assert link is None


def test_heavy_requests_do_not_stall_another_clients_me(crowded: GraphClient) -> None:
    """While one client sends a 10,000-key $orderby and 5,000-digit $top/$skip, another's GET /me answers
    within 1 s each time; the heavy ones get a 400."""
    orderby = ",".join(["subject"] * ORDERBY_KEYS)
    heavy_answers: list[int] = []

    def heavy() -> None:
        other = GraphClient(crowded.server)
        for params in ({"$orderby": orderby}, {"$top": HUGE_NUMBER}, {"$skip": HUGE_NUMBER}) * 2:
            heavy_answers.append(other.request("GET", "/me/events", params=params).status_code)

    sender = threading.Thread(target=heavy)
    sender.start()
    slowest = 0.0
    while sender.is_alive():
        started = time.monotonic()
        assert crowded.request("GET", "/me").status_code == 200
        slowest = max(slowest, time.monotonic() - started)
        time.sleep(0.02)
    sender.join()
    assert heavy_answers == [400] * 6  # the app's own answer: MAX_ORDERBY_KEYS, MAX_COUNT
    assert slowest < 1.0, f"GET /me took {slowest:.2f} s while the heavy requests ran"
