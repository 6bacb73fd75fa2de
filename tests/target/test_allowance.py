"""The Allowance: what each request costs, refused before sending, given back when nothing was spent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.errors import BudgetExhausted
from conformance.target.allowance import CLEANUP_REQUESTS, Allowance, Cost, new_share_file, remove_share_file
from conformance.target.config import Budget

BASE = "http://h/v1.0"
TWO_ATTENDEES = json.dumps({"attendees": [{"emailAddress": {"address": f"a{n}@x.test"}} for n in range(2)]})


def test_an_event_with_attendees_pays_for_its_invitations_and_its_notices_up_front() -> None:
    """Creating pays 1 event, 2 invitations + 2 notices and its clean-up; cancel and delete: no message."""
    allowance = Allowance(Budget(events=1, messages=4, requests=1 + CLEANUP_REQUESTS + 1))
    created = allowance.take("POST", f"{BASE}/me/events", TWO_ATTENDEES)
    allowance.settle(created, 201, b'{"id": "E1"}')
    assert allowance.spent() == Cost(requests=1 + CLEANUP_REQUESTS, events=1, messages=4)
    allowance.settle(allowance.take("POST", f"{BASE}/me/events/E1/cancel", "{}"), 202)
    with allowance.cleaning():
        allowance.settle(allowance.take("DELETE", f"{BASE}/me/events/E1"), 204)
    assert allowance.spent() == Cost(requests=1 + CLEANUP_REQUESTS + 1, events=1, messages=4)
    refused = r"budget: POST /v1.0/me/events would bring the run to .*events 2 of 1"
    with pytest.raises(BudgetExhausted, match=refused):
        allowance.take("POST", f"{BASE}/me/events", "{}")
    assert allowance.spent().events == 1  # refused: nothing taken


def test_a_refused_creation_gives_back_all_but_its_request() -> None:
    """A 4xx to a create spent one request and nothing else."""
    allowance = Allowance(Budget(events=1))
    allowance.settle(allowance.take("POST", f"{BASE}/me/events", TWO_ATTENDEES), 400, b"{}")
    assert allowance.spent() == Cost(requests=1)
    assert allowance.room().events == 1


def test_an_occurrence_cancel_pays_for_the_notices_the_series_attendees_get() -> None:
    """An id the suite did not create costs the attendees a read showed (else the most seen), once."""
    allowance = Allowance(Budget(messages=3))
    listing = json.dumps({"value": [{"id": "O1", "attendees": [{}, {}, {}], "isOrganizer": True}]})
    allowance.settle(allowance.take("GET", f"{BASE}/me/events/S/instances"), 200, listing)
    allowance.settle(allowance.take("POST", f"{BASE}/me/events/O1/cancel"), 202)
    assert allowance.spent().messages == 3
    with pytest.raises(BudgetExhausted, match="meeting messages 6 of 3"):
        allowance.take("POST", f"{BASE}/me/events/UNSEEN/cancel")  # counted as the most attendees seen


def test_forwards_and_answers_pay_for_their_messages_refused_ones_give_them_back() -> None:
    """A forward to K: 2K + 1 (requests now, notices at removal, the organizer's notice); an answer: its
    response unless sendResponse is false; a 4xx gives the messages back."""
    allowance = Allowance(Budget(messages=6))
    two = json.dumps({"ToRecipients": [{"emailAddress": {"address": f"r{n}@x.test"}} for n in range(2)]})
    allowance.settle(allowance.take("POST", f"{BASE}/me/events/C/forward", two), 400, b"{}")
    assert allowance.spent() == Cost(requests=1)
    allowance.settle(allowance.take("POST", f"{BASE}/me/events/C/forward", two), 202)
    allowance.settle(allowance.take("POST", f"{BASE}/me/events/C/decline", '{"sendResponse": false}'), 202)
    assert allowance.spent().messages == 5
    allowance.settle(allowance.take("POST", f"{BASE}/me/events/C/accept", "{}"), 202)
    with pytest.raises(BudgetExhausted, match="meeting messages 7 of 6"):
        allowance.take("POST", f"{BASE}/me/events/C/tentativelyAccept", '{"sendResponse": true}')


def test_processes_sharing_a_file_share_one_count(tmp_path: Path) -> None:
    """Two Allowances on one share file (two xdist workers) never take more than the budget together."""
    path = new_share_file(str(tmp_path))
    first, second = Allowance(Budget(requests=3), path), Allowance(Budget(requests=3), path)
    first.take("GET", f"{BASE}/me")
    second.take("GET", f"{BASE}/me")
    first.take("GET", f"{BASE}/me")
    with pytest.raises(BudgetExhausted, match="requests 4 of 3"):
        second.take("GET", f"{BASE}/me")
    assert not second.take_retry()
    assert second.spent() == Cost(requests=3)
    remove_share_file(path)
    assert not Path(path).exists()
