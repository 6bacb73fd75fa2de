"""A target file's budget caps the whole run, counted outside the suite: a proxy counts the requests, the
reference server's own tables the events created and the meeting messages delivered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.reference.serve import ReferenceServer
from conformance.reference.store import Store
from tests._inner_run import run_suite, write_target
from tests.plugin._chaos_proxy import PASS, ChaosProxy


def _server_counts(store: Store) -> tuple[int, int]:
    """(events the organizers of the server own, meeting messages in any inbox): seeded ones included."""
    events = store.one("SELECT COUNT(*) FROM events WHERE is_organizer = 1")[0]
    messages = store.one("SELECT COUNT(*) FROM messages WHERE folder = 'inbox'")[0]
    return int(events), int(messages)


@pytest.mark.parametrize(("budget", "workers"), [
    ({"events": 5, "messages": 2, "requests": 50}, None),
    ({"events": 5, "messages": 2, "requests": 50}, 2),  # two processes share the one count
    ({"events": 30, "messages": 5, "requests": 300}, None),  # room for events with attendees
], ids=["tight", "tight-xdist", "with-attendees"])
def test_a_run_never_spends_beyond_its_budget(
    tmp_path: Path, budget: dict[str, int], workers: int | None
) -> None:
    """At most `requests` requests reach the server, `events` events and `messages` messages are made; what
    did not fit is not-verified naming the budget, and nothing fails."""
    with ReferenceServer() as server:
        proxy = ChaosProxy(server.root_url, lambda number, method, path: PASS)
        events_before, messages_before = _server_counts(server.store)
        with proxy.running():
            document: dict[str, Any] = {**server.target_document(), "base_url": f"{proxy.root_url}/v1.0",
                                        "budget": budget}
            target_file = write_target(document, tmp_path / "target.yaml")
            run = run_suite(target_file, tmp_path / "reports", workers=workers)
            sent = proxy.requests
        events_after, messages_after = _server_counts(server.store)
    assert sent <= budget["requests"], (sent, run.tail())
    assert events_after - events_before <= budget["events"], run.tail()
    assert messages_after - messages_before <= budget["messages"], run.tail()
    assert run.exit_code == 0 and not run.failing, run.tail()  # no false failure
    assert run.with_verdict("not-verified"), run.tail()  # ... and no false pass of what was not checked
    cases = [case for requirement in run.certification.get("requirements", [])
             for case in requirement.get("cases", [])]
    cut = {case["nodeid"]: case.get("message", "") for case in cases
           if case.get("outcome") == "not-verified" and "budget" in case.get("message", "")}
    assert cut, run.tail()
    hand_written = [nodeid for nodeid in cut if "test_schemathesis" not in nodeid]
    assert hand_written, list(cut)[:5]  # the hand-written cases are held to the budget too
    assert "budget exceeded" not in run.output, run.tail()
