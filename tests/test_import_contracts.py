"""The import layering (pyproject.toml [tool.importlinter]) holds, and a break of it is caught."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False, env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"})


def test_every_import_contract_is_kept() -> None:
    """reference imports nothing of the suite; spec and target no pytest; cases no report/plugin internals."""
    completed = _lint(REPO_ROOT)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    assert "BROKEN" not in completed.stdout and "Contracts: 4 kept, 0 broken" in completed.stdout


def test_a_case_importing_the_reports_breaks_a_contract(tmp_path: Path) -> None:
    """The same contracts on a copy of the package where a case imports conformance.report: broken."""
    shutil.copytree(REPO_ROOT / "conformance", tmp_path / "conformance",
                    ignore=shutil.ignore_patterns("__pycache__", "_data"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    case = tmp_path / "conformance" / "cases" / "test_comment.py"
    case.write_text("import conformance.report.model  # noqa\n" + case.read_text(encoding="utf-8"))
    completed = _lint(tmp_path)
    assert completed.returncode != 0
    assert "conformance.cases.test_comment -> conformance.report.model" in completed.stdout, completed.stdout
