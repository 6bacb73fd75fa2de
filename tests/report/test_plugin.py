"""The report plugin in an inner pytest run: the four reports, verdicts, exit codes, secrets, step summary."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conformance.report.certification import validate_certification
from tests.report._inner_project import KNOWN_SECRETS, InnerProject, certification_of, run_dir_of, verdicts_of

pytest_plugins = ["pytester"]


def test_mixed_run_writes_four_reports_with_per_requirement_verdicts(inner_project: InnerProject) -> None:
    pytester = inner_project()
    result = pytester.runpytest()
    assert result.ret == 1, result.stdout.str()
    run_dir = run_dir_of(pytester.path)
    assert sorted(path.name for path in run_dir.iterdir()) == [
        "certification.json",
        "index.html",
        "junit.xml",
        "summary.md",
    ]
    document = certification_of(pytester.path)
    assert validate_certification(document) == []
    assert verdicts_of(document) == {
        "TEST-PASS-ONE": "pass",
        "TEST-FAIL-ONE": "fail",
        "TEST-NA-ONE": "not-applicable",
        "TEST-NV-ONE": "not-verified",
        "TEST-NOCASE": "not-verified",
        "TEST-MIXED": "pass",
    }
    failing = next(entry for entry in document["requirements"] if entry["id"] == "TEST-FAIL-ONE")
    assert failing["sentence"] == "An attendee gets HTTP 400 Bad Request."
    assert failing["cases"][0]["exchanges"][0]["status"] == 202
    assert failing["request_ids"] == ["rid-0"]
    assert "expected 400, got 202" in failing["cases"][0]["message"]
    assert document["result"] == {
        "conformant": False,
        "certified": None,
        "exit_code": 1,
        "problems": ["TEST-FAIL-ONE: fails"],
    }
    result.stdout.fnmatch_lines(["*NOT conformant (exit 1)*", "*reports: *index.html*"])


def test_junit_has_one_testcase_per_requirement(inner_project: InnerProject) -> None:
    pytester = inner_project()
    pytester.runpytest()
    root = ET.parse(run_dir_of(pytester.path) / "junit.xml").getroot()
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert set(cases) == {
        "TEST-PASS-ONE",
        "TEST-FAIL-ONE",
        "TEST-NA-ONE",
        "TEST-NV-ONE",
        "TEST-NOCASE",
        "TEST-MIXED",
    }
    assert cases["TEST-FAIL-ONE"].find("failure") is not None
    assert cases["TEST-NV-ONE"].find("skipped").get("type") == "not-verified"  # type: ignore[union-attr]
    assert cases["TEST-NA-ONE"].find("skipped").get("type") == "not-applicable"  # type: ignore[union-attr]
    assert cases["TEST-PASS-ONE"].find("failure") is None and cases["TEST-PASS-ONE"].find("skipped") is None
    assert root.get("tests") == "6" and root.get("failures") == "1" and root.get("skipped") == "3"


def test_markdown_summary_names_the_failure_and_goes_to_the_step_summary(
    inner_project: InnerProject, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    step_summary = tmp_path / "step_summary.md"
    step_summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    pytester = inner_project()
    pytester.runpytest()
    summary = (run_dir_of(pytester.path) / "summary.md").read_text(encoding="utf-8")
    assert "NOT conformant" in summary and "`TEST-FAIL-ONE`" in summary and "`TEST-NV-ONE`" in summary
    appended = step_summary.read_text(encoding="utf-8")
    assert appended.startswith("earlier step\n") and summary.strip() in appended


def test_all_passing_run_is_conformant_with_exit_0(inner_project: InnerProject) -> None:
    pytester = inner_project(failing=False)
    result = pytester.runpytest()
    assert result.ret == 0, result.stdout.str()
    assert certification_of(pytester.path)["result"]["conformant"] is True


def test_run_without_conformance_cases_writes_no_reports(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    result = pytester.runpytest()
    assert result.ret == 0
    assert not (pytester.path / "reports").exists()


def test_reports_dir_option_and_latest_moves_to_the_newest_run(inner_project: InnerProject) -> None:
    pytester = inner_project(failing=False)
    pytester.runpytest("--reports-dir", "out/rep")
    first = (pytester.path / "out" / "rep" / "latest").resolve()
    pytester.runpytest("--reports-dir", "out/rep")
    second = (pytester.path / "out" / "rep" / "latest").resolve()
    assert first != second and first.is_dir() and second.is_dir()
    assert (second / "index.html").is_file()
    assert not list((pytester.path / "out" / "rep").glob(".latest*")), "temporary symlink left behind"


def test_no_known_secret_appears_in_any_report_file(inner_project: InnerProject) -> None:
    pytester = inner_project()
    pytester.runpytest()
    files = [path for path in (pytester.path / "reports").rglob("*") if path.is_file()]
    assert len(files) == 4
    for path in files:
        text = path.read_text(encoding="utf-8")
        for secret in KNOWN_SECRETS:
            assert secret not in text, f"{secret[:12]}... leaked into {path.name}"
    assert "[REDACTED]" in (run_dir_of(pytester.path) / "index.html").read_text(encoding="utf-8")


def test_exit_status_3_set_by_the_suite_is_kept(inner_project: InnerProject) -> None:
    pytester = inner_project(failing=False)
    pytester.makepyfile(conftest_extra="")
    pytester.path.joinpath("conftest.py").write_text(
        pytester.path.joinpath("conftest.py").read_text()
        + (
            "\n@pytest.hookimpl(tryfirst=True)\n"
            "def pytest_sessionfinish(session, exitstatus):\n    session.exitstatus = 3\n"
        ),
        encoding="utf-8",
    )
    result = pytester.runpytest()
    assert result.ret == 3
    assert certification_of(pytester.path)["result"]["exit_code"] == 3


def test_failing_non_conformance_test_keeps_the_gate_red(inner_project: InnerProject) -> None:
    pytester = inner_project(failing=False)
    pytester.makepyfile(test_helper="def test_helper_breaks():\n    assert 1 == 2\n")
    result = pytester.runpytest()
    assert result.ret == 1
    assert "outside the conformance cases" in certification_of(pytester.path)["result"]["problems"][0]


def test_xdist_controller_alone_writes_with_worker_evidence(inner_project: InnerProject) -> None:
    pytester = inner_project()
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", timeout=120)
    assert result.ret == 1, result.stdout.str()
    assert len([path for path in (pytester.path / "reports").iterdir() if not path.is_symlink()]) == 1
    document = certification_of(pytester.path)
    assert verdicts_of(document)["TEST-FAIL-ONE"] == "fail"
    cases = [case for entry in document["requirements"] for case in entry["cases"]]
    assert len(cases) == 6
    assert {case["worker"] for case in cases} <= {"gw0", "gw1"} and all(case["worker"] for case in cases)
    passing = next(entry for entry in document["requirements"] if entry["id"] == "TEST-PASS-ONE")
    assert passing["cases"][0]["exchanges"][0]["url"].endswith("/me/events/AAMk%2Fabc%3D/cancel")
