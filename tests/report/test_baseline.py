"""Known-failures baseline: listed failures keep the gate green, new ones and stale entries turn it red."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.report.baseline import load_baseline
from conformance.report.model import RequirementInfo
from tests.report._inner_project import InnerProject, certification_of
from tests.report._refusals import refusal

pytest_plugins = ["pytester"]

ENTRY = "  - requirement: {rid}\n    reason: vendor bug 42\n    link: https://tracker.example.com/42\n"


def _baseline(pytester: pytest.Pytester, *ids: str) -> str:
    path = pytester.path / "baseline.yaml"
    path.write_text("known_failures:\n" + "".join(ENTRY.format(rid=rid) for rid in ids), encoding="utf-8")
    return str(path)


def test_listed_failure_keeps_the_gate_green(inner_project: InnerProject) -> None:
    pytester = inner_project()
    result = pytester.runpytest("--baseline", _baseline(pytester, "TEST-FAIL-ONE"))
    assert result.ret == 0, result.stdout.str()
    failing = next(e for e in certification_of(pytester.path)["requirements"] if e["id"] == "TEST-FAIL-ONE")
    assert failing["verdict"] == "fail"
    assert failing["baseline"] == {"reason": "vendor bug 42", "link": "https://tracker.example.com/42"}
    headline = f"conformant with 1 known failure (baseline {pytester.path / 'baseline.yaml'})"
    assert f"{headline}; " in result.stdout.str()  # green only thanks to the baseline, said so
    summary = (pytester.path / "reports" / "latest" / "summary.md").read_text(encoding="utf-8")
    assert headline in summary and "⚠️" in summary.splitlines()[0]


def test_new_failure_turns_the_gate_red(inner_project: InnerProject) -> None:
    pytester = inner_project()
    result = pytester.runpytest("--baseline", _baseline(pytester, "TEST-NA-ONE"))
    assert result.ret == 1
    assert certification_of(pytester.path)["result"]["problems"] == [
        "TEST-FAIL-ONE: fails (not in the baseline)"
    ]


def test_listed_failure_that_passes_is_a_stale_baseline(inner_project: InnerProject) -> None:
    pytester = inner_project()
    result = pytester.runpytest(
        "--baseline", _baseline(pytester, "TEST-FAIL-ONE", "TEST-PASS-ONE")
    )
    assert result.ret == 1
    problems = certification_of(pytester.path)["result"]["problems"]
    assert len(problems) == 1 and "TEST-PASS-ONE" in problems[0] and "stale baseline" in problems[0]
    result.stdout.fnmatch_lines(["*stale baseline*"])


def test_invalid_baseline_stops_the_run_with_exit_2_naming_the_entry(inner_project: InnerProject) -> None:
    pytester = inner_project()
    path = pytester.path / "baseline.yaml"
    path.write_text(
        "known_failures:\n  - requirement: TEST-FAIL-ONE\n    reason: because\n", encoding="utf-8"
    )
    result = pytester.runpytest_subprocess("--baseline", str(path), timeout=60)
    assert result.ret == 2
    result.stderr.fnmatch_lines(["*--baseline*entry 1 (TEST-FAIL-ONE)*'link' is a required property*"])


BAD_BASELINES = {
    "not-a-mapping": ("- TEST-A\n", "is not of type 'object'"),
    "bad-link": (
        "known_failures:\n  - {requirement: TEST-A, reason: why not, link: ftp://x}\n",
        "entry 1 (TEST-A) field 'link'",
    ),
    "unknown-id": (
        "known_failures:\n  - {requirement: TEST-ZZ, reason: why not, link: https://x.example}\n",
        "entry 1 (TEST-ZZ): no such requirement",
    ),
    "twice": (
        "known_failures:\n  - {requirement: TEST-A, reason: why not, link: https://x.example}\n"
        "  - {requirement: TEST-A, reason: why not, link: https://x.example}\n",
        "entry 2 (TEST-A): listed twice",
    ),
    "unreadable": ("known_failures: [\n", "cannot be read"),
}


@pytest.mark.parametrize("text, message", BAD_BASELINES.values(), ids=BAD_BASELINES.keys())
def test_load_baseline_names_the_problem(tmp_path: Path, text: str, message: str) -> None:
    requirements = {"TEST-A": RequirementInfo("TEST-A")}
    path = tmp_path / "baseline.yaml"
    assert message in refusal(lambda name: load_baseline(name, requirements), path, text, "--baseline")
