"""The action of a generated case is read from its description once, and never from another description."""

from __future__ import annotations

import pytest

from conformance.cases.generated import _actions, _select
from tests.cases.generated._descriptions import description
from tests.cases.generated._fake_case import fake_case

ACCEPT_PATH = "/me/events/{event-id}/accept"


def test_a_description_is_read_once_per_path(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[str] = []

    def counted(raw: dict[str, object], path: str) -> _actions.ActionInfo:
        reads.append(path)
        return _actions.action_info(raw, path)

    monkeypatch.setattr(_select, "action_info", counted)
    monkeypatch.setattr(_select, "_ACTIONS", {})
    raw = description()
    case = fake_case({}, description=raw, path_template=ACCEPT_PATH)
    assert _select.action_of(case).prefix == "ACCEPT"
    assert _select.action_of(case) is _select.action_of(case)
    assert reads == [ACCEPT_PATH]
    snooze = fake_case({}, description=raw, path_template="/me/events/{event-id}/snoozeReminder")
    assert _select.action_of(snooze).success == "200"
    assert reads == [ACCEPT_PATH, "/me/events/{event-id}/snoozeReminder"]


def test_a_stale_entry_of_another_description_under_the_same_id_is_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = description()
    stale = _actions.ActionInfo("stale", "STALE", "299")
    monkeypatch.setattr(_select, "_ACTIONS", {(id(raw), ACCEPT_PATH): ({"gone": True}, stale)})
    assert _select.action_of(fake_case({}, description=raw, path_template=ACCEPT_PATH)).prefix == "ACCEPT"
