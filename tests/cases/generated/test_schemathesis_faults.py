"""The Schemathesis cases pass on the reference server and fail, family by family and action by action, on the
faults they own.

Each run is a child pytest of conformance/cases/generated/test_schemathesis.py alone, against a fresh
ReferenceServer with one fault, on the /me/events route of every action (a fault acts on every route of its
actions alike), with a fixed seed and one fuzzed example; the runs go three at a time. Each route's cases are
sent once and judged by every family, so these runs also show that one family's finding never fails another
family's requirement, nor another action's.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests._inner_run import (
    MATRIX_SELECT_PLUGIN,
    PYTHON,
    REPO_ROOT,
    cases_command,
    child_environment,
    reference_target,
    run_child,
)

CASES_FILE = REPO_ROOT / "conformance" / "cases" / "generated" / "test_schemathesis.py"
SEED = 20261123
RUN_TIMEOUT_S = 240.0
PARALLEL_RUNS = 3
CLEAN = "clean"
CANCEL_TESTS = frozenset({
    "test_no_server_error", "test_status_and_body_conform", "test_errors_use_graph_envelope",
    "test_wrong_comment_types_rejected", "test_unknown_parameters_rejected",
    "test_valid_bodies_accepted", "test_auth_is_enforced",
    "test_other_methods_rejected",
})
ANSWERS = ("accept", "tentativelyAccept", "decline")
REMINDERS = ("snoozeReminder", "dismissReminder")
COMMON_TESTS = frozenset({"test_no_server_error", "test_errors_use_graph_envelope",
                          "test_other_methods_rejected", "test_status_and_body_conform",
                          "test_auth_is_enforced"})
# the test functions with an item on each action's /me/events route (a family has items on an action only
# where the catalog has its requirement for that action: no wrong-type one but cancel's, no valid-comment one
# but cancel's, no unknown member for dismissReminder, which takes no body)
ACTION_TESTS: dict[str, frozenset[str]] = {
    "cancel": CANCEL_TESTS,
    **dict.fromkeys(ANSWERS, COMMON_TESTS | {"test_unknown_parameters_rejected"}),
    "forward": COMMON_TESTS | {"test_unknown_parameters_rejected"},
    "snoozeReminder": COMMON_TESTS | {"test_unknown_parameters_rejected"},
    "dismissReminder": COMMON_TESTS,
}
ENVELOPED = ("cancel", *ANSWERS, "forward", "snoozeReminder")
ALL_TESTS = frozenset(f"{name}[{action}]" for action, names in ACTION_TESTS.items() for name in names)


def on(actions: tuple[str, ...] | str, *names: str) -> frozenset[str]:
    """`test_x[accept]`, ...: the test functions `names` on the routes of `actions`."""
    return frozenset(f"{name}[{action}]" for action in ((actions,) if isinstance(actions, str) else actions)
                     for name in names)


# fault -> the Schemathesis test functions (per action) that must fail on a server with only that fault
FAILING_TESTS: dict[str, frozenset[str]] = {
    CLEAN: frozenset(),
    "comment-500-non-ascii": on("cancel", "test_no_server_error", "test_valid_bodies_accepted"),
    "comment-500-long": on("cancel", "test_no_server_error", "test_valid_bodies_accepted"),
    "body-on-202": on("cancel", "test_status_and_body_conform"),
    # every action's error answers (dismissReminder's cases, which take no body, draw none but its 405s)
    "error-no-content-type": on(ENVELOPED, "test_errors_use_graph_envelope"),
    "error-envelope-missing": on(ENVELOPED, "test_errors_use_graph_envelope"),
    "lenient-body": on("cancel", "test_wrong_comment_types_rejected"),
    "unknown-parameter-accepted": on("cancel", "test_unknown_parameters_rejected"),
    "auth-ignored": on(tuple(ACTION_TESTS), "test_auth_is_enforced"),  # the server's, on every action
    "other-methods-500": on("cancel", "test_other_methods_rejected", "test_no_server_error"),
    "route-missing-me-events": frozenset(),  # only CANCEL-ROUTE-ME-EVENTS (a hand-written case) fails
    "answer-status-200": on(ANSWERS, "test_status_and_body_conform"),
    "answer-body-on-202": on(ANSWERS, "test_status_and_body_conform"),
    "answer-auth-ignored": on(ANSWERS, "test_auth_is_enforced"),
    "forward-auth-ignored": on("forward", "test_auth_is_enforced"),
    "reminder-status-204": on(REMINDERS, "test_status_and_body_conform"),
    "reminder-auth-ignored": on(REMINDERS, "test_auth_is_enforced"),
}
# fault -> the test functions that must end not-verified (not fail, not pass) on the affected route; the
# reference server still answers other methods there with 405, so test_other_methods_rejected passes
NOT_VERIFIED_TESTS: dict[str, frozenset[str]] = {
    "route-missing-me-events": on("cancel", *CANCEL_TESTS - {
        "test_no_server_error", "test_errors_use_graph_envelope", "test_other_methods_rejected"}),
}


@dataclass(frozen=True)
class CasesRun:
    """One child run: which test functions failed, passed or were skipped, its exit code and its output."""

    failed: frozenset[str]
    passed: frozenset[str]
    skipped: dict[str, str]  # test function -> the skip message of one of its items
    exit_code: int
    output: str


def _outcomes(junit_file: Path) -> tuple[frozenset[str], frozenset[str], dict[str, str]]:
    """(failed, passed, skipped) `test_function[action]` names from a JUnit file (route items fold in)."""
    if not junit_file.exists():
        return frozenset(), frozenset(), {}
    failed: set[str] = set()
    seen: set[str] = set()
    skipped: dict[str, str] = {}
    for testcase in ElementTree.parse(junit_file).getroot().iter("testcase"):
        function, _, route = testcase.get("name", "").partition("[")
        name = f"{function}[{route.rstrip(']').rsplit('/', 1)[-1]}]"
        seen.add(name)
        if testcase.find("failure") is not None or testcase.find("error") is not None:
            failed.add(name)
        elif (skip := testcase.find("skipped")) is not None:
            skipped[name] = skip.get("message", "")
    return frozenset(failed), frozenset(seen - failed - set(skipped)), skipped


def run_cases(fault: str, work_dir: Path) -> CasesRun:
    """Run the Schemathesis cases against a fresh reference server with `fault` (or none)."""
    faults = () if fault == CLEAN else (fault,)
    with reference_target(work_dir, name=fault, faults=faults) as (_server, target_file):
        junit_file = work_dir / f"{fault}.xml"
        command = [
            PYTHON, "-m", "pytest", str(CASES_FILE), "-q", "-p", "no:cacheprovider",
            "--target", str(target_file),
            "--reports-dir", str(work_dir / f"reports-{fault}"), "--junitxml", str(junit_file),
            "--st-examples", "1", "--st-seed", str(SEED),
            "-p", MATRIX_SELECT_PLUGIN, "--matrix-st-families", "me-events",
        ]
        completed = subprocess.run(command, cwd=REPO_ROOT, env=child_environment(), capture_output=True,
                                   text=True, timeout=RUN_TIMEOUT_S, check=False)
    failed, passed, skipped = _outcomes(junit_file)
    return CasesRun(failed, passed, skipped, completed.returncode, completed.stdout + completed.stderr)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, CasesRun]]:
    """Every run of FAILING_TESTS, three at a time."""
    work_dir = tmp_path_factory.mktemp("schemathesis-faults")
    with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:
        results = pool.map(lambda fault: run_cases(fault, work_dir), FAILING_TESTS)
        yield dict(zip(FAILING_TESTS, results, strict=True))


@pytest.mark.parametrize("fault", list(FAILING_TESTS))
def test_fault_fails_exactly_its_check_families(fault: str, runs: dict[str, CasesRun]) -> None:
    """On each fault, exactly the test functions whose checks see it fail, on its actions; the others pass."""
    run = runs[fault]
    seen = run.failed | run.passed | set(run.skipped)
    assert seen == ALL_TESTS, f"not every test function ran:\n{run.output[-3000:]}"
    assert run.failed == FAILING_TESTS[fault], (
        f"{fault}: expected {sorted(FAILING_TESTS[fault])} to fail, got {sorted(run.failed)}\n"
        f"{run.output[-3000:]}"
    )
    assert run.exit_code == (1 if FAILING_TESTS[fault] else 0), run.output[-3000:]
    not_verified = NOT_VERIFIED_TESTS.get(fault, frozenset())
    assert set(run.skipped) == not_verified, f"{fault}: skipped {sorted(run.skipped)}\n{run.output[-3000:]}"
    for name in not_verified:
        assert "not-verified" in run.skipped[name] and "CANCEL-ROUTE-ME-EVENTS" in run.skipped[name], (
            f"{name}: {run.skipped[name]!r} should be not-verified and name the route requirement"
        )


def test_failures_print_seed_and_curl_without_the_token(runs: dict[str, CasesRun]) -> None:
    """A failing example names its requirement, the seed to rerun it and a curl line with `$TOKEN`."""
    output = runs["body-on-202"].output
    assert "[CANCEL-202-EMPTY]" in output
    assert "[ACCEPT-202-EMPTY]" in runs["answer-body-on-202"].output
    assert "[SNOOZE-200-EMPTY]" in runs["reminder-status-204"].output
    assert f"rerun with --st-seed {SEED}" in output
    assert 'reproduce: curl -X POST -H "Authorization: Bearer $TOKEN"' in output
    assert "eyJ" not in output, "a JWT leaked into the output"


def test_run_summary_counts_cases_and_requests(runs: dict[str, CasesRun]) -> None:
    """The terminal summary reports the seed, the examples per operation and how many requests were sent."""
    summary = [line for line in runs[CLEAN].output.splitlines() if line.startswith("schemathesis: ")]
    assert summary, runs[CLEAN].output[-3000:]
    assert f"seed {SEED}" in summary[0] and "1 fuzzed examples on the first route" in summary[0]
    requests = int(summary[0].split(" generated cases, ", 1)[1].split(" requests", 1)[0])
    assert requests > 0


def test_cli_config_is_not_read_by_the_suite() -> None:
    """The suite builds its Schemathesis config in code: the repo's CLI toml (404 allowed) never applies."""
    from conformance.cases.generated._schema import GenerationPlan, suite_config

    config = suite_config(GenerationPlan(mode="all", phases=("examples",), max_examples=1, seed=1))
    assert config.config_path is None
    statuses = config.projects.default.checks.positive_data_acceptance.expected_statuses
    assert statuses == ["2xx"]



@pytest.mark.parametrize("examples", ["0", "-3"])
def test_st_examples_below_one_is_refused_in_one_line(tmp_path: Path, examples: str) -> None:
    """`--st-examples 0` ends the run before it starts: one `graph-conformance:` line and exit 2."""
    completed = run_child(cases_command("-q", "--st-examples", examples), tmp_path, timeout_s=60.0)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 2, output[-2000:]
    assert f"graph-conformance: --st-examples {examples}: give a positive number" in output
    assert "Traceback" not in output and "UsageError" not in output and "INTERNALERROR" not in output
    assert len(output.strip().splitlines()) == 1, output[-2000:]
