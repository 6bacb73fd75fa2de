"""Microsoft's Python SDK (msgraph-sdk) drives the reference server through a meeting's whole life.

What the suite calls right must be what real applications send and read: the SDK builds every request (its
bodies, its URLs) and parses every answer into its models; the scenarios (tests/sdk/_lifecycle.py) assert on
what the SDK reads back. Each runs in a child process against a fresh reference server on 127.0.0.1.
"""

from __future__ import annotations

import sys

import pytest

from tests._inner_run import REPO_ROOT, run_child

SDK_TIMEOUT_S = 180


def run_scenario(scenario: str, *faults: str) -> tuple[int, str]:
    """`python -m tests.sdk._lifecycle SCENARIO FAULT...`: its exit code and output."""
    completed = run_child([sys.executable, "-m", "tests.sdk._lifecycle", scenario, *faults], REPO_ROOT,
                          timeout_s=SDK_TIMEOUT_S)
    return completed.returncode, completed.stdout + completed.stderr


@pytest.mark.parametrize("scenario", ["cancelled-meeting", "whole-life"])
def test_the_sdk_reads_back_what_the_reference_server_did(scenario: str) -> None:
    """Created with an attendee and cancelled; answered, forwarded, reminded, dismissed and cancelled."""
    code, output = run_scenario(scenario)
    assert code == 0 and f"{scenario}: every assertion holds" in output, output[-4000:]


@pytest.mark.parametrize("fault", ["answer-comment-dropped", "forward-no-request", "snooze-ignored"])
def test_a_server_breaking_the_lifecycle_fails_the_sdk_scenario(fault: str) -> None:
    """The scenario can fail: a server dropping an answer's comment, a forward, or a snooze."""
    code, output = run_scenario("whole-life", fault)
    assert code == 1 and "AssertionError" in output, output[-4000:]
