"""The Exchange-like sending limit: N meeting messages a minute per sender; the rest come late, none lost."""

from __future__ import annotations

import time

import pytest

from conformance.reference import mail
from conformance.reference.mail import SendLimit
from conformance.reference.serve import ReferenceServer
from tests.reference._graph_client import GraphClient, quote_id


def test_messages_past_the_limit_wait_for_the_window_in_order() -> None:
    limit = SendLimit(3)
    slots = [limit.slot("Adele@contoso.test", 100.0) for _ in range(7)]
    assert slots == [100.0, 100.0, 100.0, 160.0, 160.0, 160.0, 220.0]
    assert limit.slot("alex@contoso.test", 100.0) == 100.0  # per sender
    assert limit.slot("adele@contoso.test", 300.0) == 300.0  # the window has passed


def test_no_limit_delivers_at_once() -> None:
    assert [SendLimit(0).slot("a@b", 5.0) for _ in range(100)] == [5.0] * 100


def test_server_delivers_past_the_limit_late_and_loses_nothing(unique_subject: str) -> None:
    with ReferenceServer(send_limit=2) as server:
        graph = GraphClient(server)
        events = [graph.create_event(subject=f"{unique_subject} {index}") for index in range(3)]
        assert len(graph.messages("attendee", unique_subject)) == 2  # the third invitation waits
        stored = server.store.rows(
            "SELECT visible_at FROM messages WHERE doc LIKE ? ORDER BY visible_at", (f"%{unique_subject}%",)
        )
        assert len(stored) == 3 and stored[2]["visible_at"] - stored[0]["visible_at"] >= 59
        cancel_path = f"/me/events/{quote_id(events[0]['id'])}/cancel"
        cancel = graph.request("POST", cancel_path, json={"comment": "x"})
        assert cancel.status_code == 202  # the notice queues behind the invitations: the answer is not late
        assert graph.messages("attendee", f"Canceled: {unique_subject}") == []


def test_late_messages_arrive_once_the_window_passes(
    monkeypatch: pytest.MonkeyPatch, unique_subject: str
) -> None:
    monkeypatch.setattr(mail, "SEND_WINDOW_S", 1.0)
    with ReferenceServer(send_limit=1) as server:
        graph = GraphClient(server)
        event = graph.create_event(subject=unique_subject, attendees=("attendee", "attendee2"))
        graph.request("POST", f"/me/events/{quote_id(event['id'])}/cancel", json={"comment": "late"})
        arrived = [len(graph.messages(role, unique_subject)) for role in ("attendee", "attendee2")]
        assert sum(arrived) == 1  # one message a second from the organizer
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and sum(arrived) < 4:
            time.sleep(0.2)
            arrived = [len(graph.messages(role, unique_subject)) for role in ("attendee", "attendee2")]
        assert arrived == [2, 2]  # an invitation and a notice each, none lost
        notices = graph.messages("attendee2", f"Canceled: {unique_subject}")
        assert notices[0]["body"]["content"] == "late"


def test_serve_passes_send_limit_to_the_settings() -> None:
    with ReferenceServer(send_limit=30) as server:
        assert server.settings.send_limit == 30
        assert server.target_document()["polling"] == {"send_limit_per_minute": 30}
    with ReferenceServer() as server:
        assert "polling" not in server.target_document()
