"""Installed beside pytest-base-url, the suite leaves other projects' test runs alone."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

OTHER_PROJECT_TEST = '''
import schemathesis.checks


def test_reads_the_base_url(base_url):
    assert base_url == "http://127.0.0.1:9/app"


def test_schemathesis_has_only_its_own_checks():
    import conformance.cases.generated._checks  # imported: still registers nothing globally

    assert "accepted_has_empty_body" not in schemathesis.checks.CHECKS.get_all_names()
'''
SUITE_OUTPUT = ("graph-conformance:", "conformant", "footprint:", "schemathesis:", "reports:", "run id")


def _other_project(tmp_path: Path) -> Path:
    project = tmp_path / "web-tests"
    project.mkdir()
    (project / "test_app.py").write_text(OTHER_PROJECT_TEST, encoding="utf-8")
    (project / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n", encoding="utf-8")
    return project


@pytest.mark.parametrize("extra", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_another_projects_base_url_run_is_untouched(tmp_path: Path, extra: list[str]) -> None:
    """This interpreter's environment (the project's .venv: the suite, pytest-base-url, xdist,
    Schemathesis) runs another project's `pytest --base-url http://127.0.0.1:9/app`: it passes, the suite
    says nothing."""
    assert importlib.util.find_spec("pytest_base_url"), "the environment must have pytest-base-url"

    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("PYTEST_", "GRAPH_CONFORMANCE_", "PYTHONPATH"))}
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--base-url", "http://127.0.0.1:9/app", *extra],
        cwd=_other_project(tmp_path), env=environment, capture_output=True, text=True, timeout=120,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    assert "2 passed" in output, output[-3000:]
    lines = [line for line in output.splitlines() if not line.startswith("plugins:")]  # pytest's own list
    said = [line for line in lines if any(marker in line for marker in SUITE_OUTPUT)]
    assert not said, said
    assert not (tmp_path / "web-tests" / "reports").exists()
