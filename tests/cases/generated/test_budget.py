"""A target's budget: read from the target file, counted from the exchanges, and honoured by the cases."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from conformance.cases.generated._plan import fit, plan, spends_event
from conformance.cases.generated.plugin import over_budget
from conformance.cases.toolkit.spending import Ledger, ledger_of, message_wait
from conformance.errors import TargetConfigError
from conformance.reference.serve import ReferenceServer
from conformance.target.allowance import Cost, describe
from conformance.target.config import DEFAULT_REMOTE_BUDGET, Budget, target_from_document
from conformance.target.footprint import Footprint as RunFootprint
from tests._inner_run import REPO_ROOT
from tests.cases.generated._generation import FIRST_ROUTE, route_cases

CASES_FILE = REPO_ROOT / "conformance" / "cases" / "generated" / "test_schemathesis.py"
MINIMAL = {"base_url": "http://127.0.0.1:1/v1.0",
           "identities": {"organizer": {"user_id": "u1", "token": {"kind": "literal", "value": "t"}}}}


def test_budget_is_read_from_the_target_file() -> None:
    """`budget` and `remote` land in the TargetConfig; without them nothing is limited."""
    target = target_from_document({**MINIMAL, "budget": {"events": 150, "messages": 100}, "remote": True},
                                  source="t.yaml", environ={})
    assert target.budget == Budget(events=150, messages=100)
    assert target.budget.limited and target.is_remote
    plain = target_from_document(MINIMAL, source="t.yaml", environ={})
    assert not plain.budget.limited and not plain.is_remote  # a loopback URL
    assert not plain.run_budget.limited  # nothing limits a loopback target by default
    remote = target_from_document({**MINIMAL, "remote": True}, source="t.yaml", environ={})
    assert remote.run_budget == DEFAULT_REMOTE_BUDGET  # a real tenant gets a default that fits a mailbox


@pytest.mark.parametrize("budget", [{"events": -1}, {"mails": 3}, {"requests": "many"}])
def test_a_wrong_budget_is_one_clear_error_naming_the_key(budget: dict[str, Any]) -> None:
    """A negative count, an unknown key or a non-number is refused with the key named."""
    with pytest.raises(TargetConfigError, match="budget"):
        target_from_document({**MINIMAL, "budget": budget}, source="t.yaml", environ={})


def test_the_ledger_counts_events_and_meeting_messages() -> None:
    """An event created with two attendees and cancelled with a comment: 2 invitations + 2 notices."""
    attendees = [{"emailAddress": {"address": f"a{n}@x.test"}} for n in range(2)]
    created = {"method": "POST", "url": "http://h/v1.0/me/events", "status": 201, "elapsed_ms": 60.0,
               "request_body": json.dumps({"attendees": attendees}),
               "response_body": '{"id": "E1"}'}
    cancelled = {"method": "POST", "url": "http://h/v1.0/me/events/E1/cancel", "status": 202,
                 "elapsed_ms": 40.0, "request_body": '{"comment": "bye"}'}
    ledger = Ledger()
    assert ledger.median_latency_ms is None
    ledger.add([created, cancelled])
    assert ledger.spent == Cost(requests=2, events=1, messages=4)
    assert ledger.median_latency_ms == 60.0  # answers this slow make a loopback target remote-like
    assert describe(Budget(events=10, requests=5)) == "events 10, requests 5"


def test_fitting_leaves_out_what_costs_events_and_keeps_what_does_not() -> None:
    """With no event to spend, the valid cases are left out and the rejected ones still go."""
    planned = plan(route_cases(FIRST_ROUTE, fuzzing=False), full=True)
    sent, left_out = fit(planned, Cost(requests=10**6, events=0, messages=0))
    assert left_out and all(spends_event(item.case) for item in left_out)
    assert sent and not any(spends_event(item.case) for item in sent)


def _skips(junit_file: Path) -> list[str]:
    return [skip.get("message", "") for skip in ElementTree.parse(junit_file).getroot().iter("skipped")]


def test_a_tight_budget_is_kept_and_what_it_cut_is_not_verified(tmp_path: Path) -> None:
    """A run allowed 4 events creates at most 4 and reports the cut cases as `not-verified: budget: ...`."""
    with ReferenceServer() as server:
        document = {**server.target_document(), "budget": {"events": 4}}
        target_file = tmp_path / "target.yaml"
        target_file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        junit_file = tmp_path / "junit.xml"
        completed = subprocess.run(
            [sys.executable, "-m", "pytest", str(CASES_FILE), "-q", "-p", "no:cacheprovider",
             "-p", "no:randomly", "--target", str(target_file), "--reports-dir", str(tmp_path / "reports"),
             "--junitxml", str(junit_file), "--st-seed", "7"],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=240, check=False,
        )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    budget_skips = [message for message in _skips(junit_file) if "not-verified: budget:" in message]
    assert budget_skips, output[-3000:]
    assert "left out by the target's budget" in output
    footprint = re.search(r"footprint: (\d+) requests, (\d+) events created", output)
    assert footprint is not None, output[-3000:]
    assert int(footprint.group(2)) <= 4, footprint.group(0)


def test_message_waits_grow_with_the_queue_the_sending_limit_builds() -> None:
    """At 30 a minute, the 100th message of a run 20 s old may come 180 - 20 s after the usual bound."""
    limited = target_from_document({**MINIMAL, "polling": {"timeout_s": 30, "send_limit_per_minute": 30}},
                                   source="t.yaml", environ={})
    assert limited.send_limit == 30
    assert limited.mail_wait_s(messages_sent=10, elapsed_s=5.0) == 30.0  # within the first minute's 30
    assert limited.mail_wait_s(messages_sent=100, elapsed_s=20.0) == 30.0 + 180.0 - 20.0
    assert limited.mail_wait_s(messages_sent=264, elapsed_s=10.0) > limited.mail_wait_max_s  # not-verified
    remote = target_from_document({**MINIMAL, "remote": True}, source="t.yaml", environ={})
    assert remote.send_limit == 30  # Exchange Online's limit unless the file says otherwise
    local = target_from_document(MINIMAL, source="t.yaml", environ={})
    assert local.send_limit == 0 and local.mail_wait_s(500, 0.0) == local.poll_timeout_s


def test_spending_beyond_the_budget_is_named_count_by_count() -> None:
    """The run's footprint against the file's budget: each count over its limit, none when within."""
    spent = RunFootprint(requests=800, events_created=149, invitations=131, notices=133)
    assert over_budget(Budget(events=150, messages=100, requests=1000), spent) == [
        "264 meeting messages (budget 100)"]
    assert over_budget(Budget(events=150), spent) == []


def test_the_ledger_is_fed_by_the_transcript_as_exchanges_are_recorded() -> None:
    """Every exchange the HTTP layer records counts at once (hand-written cases too); the first message's
    time is kept."""
    from conformance.target.exchange import Exchange
    from conformance.target.redact import Redactor
    from conformance.target.transcript import Transcript

    attendees = [{"emailAddress": {"address": "a@x.test"}}]
    created = Exchange.from_mapping({"method": "POST", "url": "http://h/v1.0/me/events", "status": 201,
                                     "sent_at": 1000.0, "request_body": json.dumps({"attendees": attendees}),
                                     "response_body": '{"id": "E1"}'})
    cancelled = Exchange.from_mapping({"method": "POST", "url": "http://h/v1.0/me/events/E1/cancel",
                                       "status": 202, "sent_at": 1010.0, "request_body": "{}"})
    config: Any = SimpleNamespace(stash=pytest.Stash())
    from conformance._stash import TRANSCRIPT_KEY

    transcript = config.stash[TRANSCRIPT_KEY] = Transcript(Redactor(()))
    ledger = ledger_of(config)
    assert ledger_of(config) is ledger and transcript.listeners == [ledger.record]  # subscribed once
    for exchange in (created, cancelled):
        for listener in transcript.listeners:
            listener(exchange)
    assert ledger.first_message_at == 1000.0
    assert ledger.spent == Cost(requests=2, events=1, messages=2)


def test_a_wait_beyond_the_cap_is_refused_with_the_reason_and_a_short_queue_is_waited_out() -> None:
    """message_wait reads the process's ledger and the running item's exchanges (the notice waits)."""
    limited = target_from_document({**MINIMAL, "polling": {"timeout_s": 30, "send_limit_per_minute": 30}},
                                   source="t.yaml", environ={})
    config = SimpleNamespace(stash=pytest.Stash())
    item: Any = SimpleNamespace(config=config, stash=pytest.Stash())
    assert message_wait(item, limited) == (30.0, None)
    attendees = [{"emailAddress": {"address": f"a{number}@x.test"}} for number in range(300)]
    created = {"method": "POST", "url": "http://h/v1.0/me/events", "status": 201, "sent_at": time.time(),
               "request_body": json.dumps({"attendees": attendees}), "response_body": '{"id": "E1"}'}
    ledger_of(item.config).add([created])
    wait_s, beyond = message_wait(item, limited)
    assert wait_s > limited.mail_wait_max_s
    assert beyond is not None and "300 meeting messages" in beyond and "mail_wait_max_s" in beyond
