"""The forwarding toolkit's pure parts (no server): the forward's body and an event's attendee addresses."""

from __future__ import annotations

from typing import Any, cast

import pytest

from conformance.cases.toolkit import forwarding
from conformance.cases.toolkit.arrange import Arranger
from conformance.errors import MissingIdentity
from conformance.target.client import Graph
from conformance.target.prerequisites import PrerequisiteFailed, PrerequisiteLog
from conformance.target.provision import ProvisionedEvent


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


class _Target:
    attendee_roles = ("attendee", "attendee2", "attendee3")


class _Arranger:
    def __init__(self, configured: set[str]) -> None:
        self.target = _Target()
        self.graph = _Graph()
        self.configured = configured
        self.log = PrerequisiteLog()
        self.graph.as_ = self._as  # type: ignore[attr-defined]

    def _as(self, role: str) -> object:
        if role not in self.configured:
            raise MissingIdentity(role)
        return object()


def _event(*invited: str) -> ProvisionedEvent:
    return ProvisionedEvent(id="E1", subject="Sync", ical_uid=None, owner_role="organizer",
                            owner_user_id="u1", attendee_roles=invited)


def test_recipients_are_the_uninvited_attendees_the_last_configured_first() -> None:
    arrange = cast(Arranger, _Arranger({"attendee", "attendee2", "attendee3"}))
    assert forwarding.recipients(arrange, _event("attendee")) == ["attendee3", "attendee2"]
    assert forwarding.recipients(arrange, _event("attendee"), at_most=1) == ["attendee3"]


def test_no_uninvited_attendee_with_a_token_fails_forward_recipient() -> None:
    arrange = cast(Arranger, _Arranger({"attendee"}))
    with pytest.raises(PrerequisiteFailed) as failed:
        forwarding.recipients(arrange, _event("attendee"))
    assert failed.value.prerequisite_id == "FORWARD-RECIPIENT"
