"""The HTML report is self-contained and renders its matrix in a real headless browser (Debian's chromium)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.report._inner_project import InnerProject, run_dir_of

pytest_plugins = ["pytester"]

BROWSER_TIMEOUT_S = 90
EXPECTED_COUNTS = {"pass": "2", "fail": "1", "not-verified": "2", "not-applicable": "1"}


def _chromium() -> str:
    """The chromium binary; skip (locally) or fail (CI=true) with a clear message when it is absent."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    message = (
        "chromium is not installed: run `make browser` (apt-get install chromium) to run the HTML report test"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI=true, so its absence is a failure")
    pytest.skip(message)


def _browser(binary: str, profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run headless chromium once, isolated and offline."""
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        *arguments,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S, check=False)


def _text(dom: BeautifulSoup, selector: str) -> str:
    """The text of the element `selector` selects (failing the test when there is none)."""
    element = dom.select_one(selector)
    assert element is not None, f"no element {selector!r} in the rendered page"
    return element.get_text()


@pytest.fixture
def report_html(inner_project: InnerProject) -> Path:
    """The index.html of a mixed inner run."""
    pytester = inner_project()
    pytester.runpytest()
    return run_dir_of(pytester.path) / "index.html"


def test_html_report_is_self_contained(report_html: Path) -> None:
    soup = BeautifulSoup(report_html.read_text(encoding="utf-8"), "html.parser")
    assert soup.find("script", src=True) is None and soup.find("link", rel="stylesheet") is None
    assert soup.find("style") is not None and soup.find("script") is not None
    assert len(soup.select("#matrix tr.req")) == 6
    matrix = soup.select_one("#matrix")
    assert matrix is not None and matrix["data-rendered"] == "false"  # JS flips it
    evidence = soup.select_one('tr.evidence[data-for="TEST-PASS-ONE"]')
    assert evidence is not None and "curl -i -X POST" in evidence.get_text()
    assert "Authorization: Bearer $TOKEN" in evidence.get_text()
    assert [
        row.get_text(" ", strip=True) for row in soup.select("#route-matrix tr.route-row td:first-child")
    ] == ["POST /me/events/{id}/cancel", "other cancel paths (malformed ids, unknown segments)"]


def test_matrix_renders_in_headless_chromium(report_html: Path, tmp_path: Path) -> None:
    binary = _chromium()
    dump = _browser(binary, tmp_path / "profile-dom", "--dump-dom", report_html.as_uri())
    assert dump.returncode == 0, dump.stderr[-2000:]
    dom = BeautifulSoup(dump.stdout, "html.parser")
    matrix = dom.select_one("#matrix")
    assert matrix is not None and matrix["data-rendered"] == "true", "the report's script did not run"
    assert len(dom.select("#matrix tr.req")) == 6
    assert {verdict: _text(dom, f"#count-{verdict}") for verdict in EXPECTED_COUNTS} == EXPECTED_COUNTS
    assert _text(dom, "#visible-count") == "showing 6 of 6 requirements"
    screenshot = report_html.with_name("index.png")
    shot = _browser(
        binary,
        tmp_path / "profile-shot",
        f"--screenshot={screenshot}",
        "--window-size=1280,1400",
        "--hide-scrollbars",
        report_html.as_uri(),
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 20_000
    print(f"HTML report screenshot: {screenshot}")
