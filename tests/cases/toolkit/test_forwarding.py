"""The forwarding toolkit's pure parts (no server): the forward's body and an event's attendee addresses."""

from __future__ import annotations

from typing import Any, cast

from conformance.cases.toolkit import forwarding
from conformance.target.client import Graph


class _Identity:
    def __init__(self, address: str) -> None:
        self.address = address


class _Graph:
    def identity(self, role: str) -> _Identity:
        return _Identity(f"{role}@contoso.test")


def test_the_body_names_each_recipient_and_the_comment_as_the_page_spells_them() -> None:
    body = forwarding.forward_body(cast(Graph, _Graph()), ["attendee", "attendee2"], "")
    assert body == {
        "ToRecipients": [{"emailAddress": {"address": "attendee@contoso.test"}},
                         {"emailAddress": {"address": "attendee2@contoso.test"}}],
        "Comment": "",
    }


def test_attendee_addresses_are_lower_cased_and_malformed_entries_skipped() -> None:
    event: dict[str, Any] = {"attendees": [
        {"emailAddress": {"address": "Megan@Contoso.test"}},
        {"emailAddress": {"name": "no address"}},
        "not an attendee",
        {"emailAddress": {"address": 42}},
    ]}
    assert forwarding.attendee_addresses(event) == {"megan@contoso.test"}
    assert forwarding.attendee_addresses({}) == set()
