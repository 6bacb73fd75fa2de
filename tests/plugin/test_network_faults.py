"""Network faults the suite must survive without a false failure or a crash, or end on with a clear error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conformance.reference.serve import ReferenceServer
from tests._inner_run import MATRIX_SELECT_PLUGIN, InnerRun, run_suite, write_target
from tests.plugin._chaos_proxy import (
    HTML_PAGE,
    INVALID_JSON,
    PASS,
    RESET,
    STALL,
    THROTTLE,
    THROTTLE_FRACTIONAL,
    THROTTLE_NO_RETRY_AFTER,
    UNAVAILABLE,
    ChaosPlan,
    ChaosProxy,
    Chooser,
)

# hand-written cases in full, Schemathesis on one operation with one fuzzed example: the suite's whole client
LIGHT_SUITE = ["-p", MATRIX_SELECT_PLUGIN, "--matrix-st-families", "me-events"]
LIGHT_ST_EXAMPLES = 1
POLLING = {"timeout_s": 10.0, "interval_s": 0.2}
# a failure must be a ConformanceFailure ([REQUIREMENT-ID] ...) or a typed suite error, never a bare exception
BARE_EXCEPTIONS = re.compile(r"^E\s+(?:\w+\.)*(JSONDecodeError|KeyError|TypeError|AttributeError|IndexError|"
                             r"ValueError|UnboundLocalError|ReadTimeout|ConnectionError|ChunkedEncodingError)\b",
                             re.MULTILINE)


@contextmanager
def chaos_target(tmp_path: Path, chooser: Chooser | None, *, timeouts: dict[str, float] | None = None,
                 **server_options: Any) -> Iterator[tuple[Path, ChaosProxy | None]]:
    """A reference server, optionally behind a chaos proxy, and a target file whose base_url uses it."""
    with ReferenceServer(**server_options) as server:
        document = server.target_document()
        overrides: dict[str, Any] = {"polling": POLLING}
        if timeouts:
            overrides["timeouts"] = timeouts
        if chooser is None:
            yield write_target(document, tmp_path / "target.yaml", **overrides), None
            return
        proxy = ChaosProxy(server.root_url, chooser, stall_s=60.0)
        with proxy.running():
            overrides["base_url"] = f"{proxy.root_url}/v1.0"  # tokens still come straight from the server
            yield write_target(document, tmp_path / "target.yaml", **overrides), proxy


def run_light(target_file: Path, tmp_path: Path, *extra: str, timeout_s: float = 240.0) -> InnerRun:
    """The suite (light: Schemathesis on one operation) against a target file."""
    return run_suite(target_file, tmp_path / "reports", st_examples=LIGHT_ST_EXAMPLES,
                     extra_args=[*LIGHT_SUITE, *extra], timeout_s=timeout_s)


def assert_clean_pass(run: InnerRun) -> None:
    """No requirement failed, the run exited 0, and it produced its report."""
    assert run.verdicts, f"no certification.json was written (exit {run.exit_code})\n{run.tail()}"
    failing = {rid: run.failing_cases.get(rid, []) for rid in sorted(run.failing)}
    first = next(iter(run.messages.values()), "")
    assert run.exit_code == 0 and not failing, (
        f"false failures (exit {run.exit_code}): {failing}\nfirst message:\n{first[-3000:]}\n{run.tail()}"
    )


@pytest.mark.parametrize(
    "actions",
    [
        pytest.param((THROTTLE, THROTTLE_FRACTIONAL, THROTTLE_NO_RETRY_AFTER), id="429-retry-after-variants"),
        pytest.param((UNAVAILABLE,), id="503-with-retry-after"),
    ],
)
def test_suite_survives_throttling_storms(tmp_path: Path, actions: tuple[str, ...]) -> None:
    plan = ChaosPlan(actions=actions, fraction=0.2, limit=30, seed=7, after=3)
    with chaos_target(tmp_path, plan) as (target_file, proxy):
        run = run_light(target_file, tmp_path)
    assert proxy is not None
    injected = {action: proxy.injected[action] for action in actions}
    assert all(injected.values()), f"the proxy injected too little to prove anything: {injected}"
    assert_clean_pass(run)


def test_suite_survives_the_servers_own_throttling(tmp_path: Path) -> None:
    with chaos_target(tmp_path, None, throttle=True, rate_limit=40.0) as (target_file, _):
        run = run_light(target_file, tmp_path, "-n", "2")
    assert_clean_pass(run)


def test_suite_survives_300_ms_latency(tmp_path: Path) -> None:
    with chaos_target(tmp_path, None, latency_ms=300) as (target_file, _):
        run = run_suite(target_file, tmp_path / "reports",
                        extra_args=["-k", "attendee or comment_reaches or deleted", "-n", "4"])
    assert run.exit_code == 0 and run.verdicts and not run.failing, f"{sorted(run.failing)}\n{run.tail()}"
    assert run.with_verdict("pass"), "no requirement was verified under latency"


def test_suite_waits_for_attendee_messages_that_arrive_late(tmp_path: Path) -> None:
    with chaos_target(tmp_path, None, message_delay_ms=1500) as (target_file, _):
        run = run_suite(target_file, tmp_path / "reports",
                        extra_args=["-k", "comment or attendee or occurrence", "-n", "4"])
    late = {"CANCEL-SENDS-MESSAGE", "CANCEL-COMMENT-DELIVERED", "GRAPH-ATTENDEE-COPY-CANCELLED",
            "GRAPH-OCCURRENCE-NOTIFIES"}
    assert run.exit_code == 0 and not run.failing, f"{sorted(run.failing)}\n{run.tail()}"
    missing = late - set(run.with_verdict("pass"))
    assert not missing, f"not verified with late messages: {sorted(missing)}"


def test_suite_survives_connection_resets_mid_run(tmp_path: Path) -> None:
    plan = ChaosPlan(actions=(RESET,), fraction=0.05, limit=3, seed=11, after=20)
    with chaos_target(tmp_path, plan) as (target_file, proxy):
        run = run_light(target_file, tmp_path)
    assert proxy is not None and proxy.injected[RESET] == 3, f"resets injected: {proxy and proxy.injected}"
    assert_clean_pass(run)


@pytest.mark.parametrize("workers", [pytest.param((), id="serial"), pytest.param(("-n", "2"), id="xdist")])
def test_stalled_target_ends_the_run_with_a_clear_error(tmp_path: Path, workers: tuple[str, ...]) -> None:
    def stall_after_40(number: int, method: str, path: str) -> str:
        return STALL if number > 40 else PASS

    with chaos_target(tmp_path, stall_after_40, timeouts={"connect": 2, "read": 1}) as (target_file, _):
        run = run_light(target_file, tmp_path, *workers, timeout_s=150.0)
    assert run.exit_code == 3, f"expected exit 3 (target unreachable), got {run.exit_code}\n{run.tail()}"
    assert run.duration_s < 90, f"the run went on for {run.duration_s:.0f} s after the target stalled"
    assert not run.failing, f"a lost target is no evidence against the server: {sorted(run.failing)}"
    assert re.search(r"time[sd]? ?out|does not answer|not answer", run.output, re.IGNORECASE), run.tail()
    assert "INTERNALERROR" not in run.output, run.tail()
    assert "Traceback (most recent call last)" not in run.output, run.tail()


def test_garbage_answers_fail_checks_with_clear_messages(tmp_path: Path) -> None:
    plan = ChaosPlan(actions=(HTML_PAGE, INVALID_JSON), fraction=0.1, limit=8, seed=5, after=10)
    with chaos_target(tmp_path, plan) as (target_file, proxy):
        run = run_light(target_file, tmp_path)
    assert proxy is not None and proxy.injected[HTML_PAGE] + proxy.injected[INVALID_JSON] == 8
    assert run.exit_code in (0, 1) and run.verdicts, f"the suite crashed (exit {run.exit_code})\n{run.tail()}"
    assert "INTERNALERROR" not in run.output, run.tail()
    bare = {nodeid: found[0] for nodeid, message in run.messages.items()
            if (found := BARE_EXCEPTIONS.findall(message))}
    assert not bare, f"cases that failed on a bare exception instead of a clear check failure: {bare}"


def test_one_kind_of_request_never_answered_does_not_end_the_run(tmp_path: Path) -> None:
    """Cancels on the calendarGroups/{id} routes never get an answer; every other request does."""
    def stall_calendar_group_cancels(number: int, method: str, path: str) -> str:
        stalled = method == "POST" and "/calendargroups/" in path.lower() and path.endswith("/cancel")
        return STALL if stalled else PASS

    with chaos_target(tmp_path, stall_calendar_group_cancels, timeouts={"connect": 2, "read": 1}) as (
        target_file, proxy
    ):
        run = run_suite(target_file, tmp_path / "reports", extra_args=["-k", "test_routes"], timeout_s=200.0)
    assert proxy is not None and proxy.injected[STALL] >= 2, f"stalls injected: {proxy and proxy.injected}"
    assert run.exit_code in (0, 1), f"one unanswered kind of request ended the run (exit {run.exit_code})\n" \
                                    f"{run.tail()}"
    assert run.duration_s < 150, f"the run took {run.duration_s:.0f} s"
    assert run.verdicts, f"no report was written\n{run.tail()}"
    others = {rid: verdict for rid, verdict in run.verdicts.items()
              if rid.startswith("CANCEL-ROUTE-") and "CALENDARGROUPS" not in rid}
    assert others and all(verdict == "pass" for verdict in others.values()), others
    stalled = {rid: run.verdicts[rid] for rid in run.verdicts if "CALENDARGROUPS" in rid}
    assert stalled and all(verdict in ("fail", "not-verified") for verdict in stalled.values()), stalled
    assert "INTERNALERROR" not in run.output and "Traceback (most recent call last)" not in run.output
