"""Run the conformance suite in a child pytest against a target file; read back its verdicts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
# child runs load it as a plugin (`-p`) by module name, so the repository root is on their PYTHONPATH
MATRIX_SELECT_PLUGIN = "tests.cases._matrix_select"
PYTHON = sys.executable
INNER_TIMEOUT_S = 300.0
OUTPUT_TAIL_CHARS = 3000


@dataclass
class InnerRun:
    """What one child run of the suite produced: exit code, verdicts per requirement, and its output."""

    exit_code: int
    verdicts: dict[str, str]  # requirement id -> pass | fail | not-verified | not-applicable
    levels: dict[str, str]  # requirement id -> doc | graph
    failing_cases: dict[str, list[str]]  # requirement id -> failing case node ids
    messages: dict[str, str]  # failing case node id -> its (redacted) message
    output: str
    duration_s: float
    requests: int | None = None
    certification: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)  # check (check_of) -> outcome over its items

    @property
    def failing_checks(self) -> frozenset[str]:
        """The checks (check_of names) with a failing item."""
        return frozenset(check for check, outcome in self.checks.items() if outcome == "fail")

    @property
    def failing(self) -> frozenset[str]:
        """The requirement ids whose verdict is fail."""
        return frozenset(rid for rid, verdict in self.verdicts.items() if verdict == "fail")

    def with_verdict(self, verdict: str) -> list[str]:
        """The requirement ids with this verdict, in catalog order."""
        return [rid for rid, seen in self.verdicts.items() if seen == verdict]

    def tail(self) -> str:
        """The end of the child's output (for assertion messages)."""
        return self.output[-OUTPUT_TAIL_CHARS:]


def child_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The parent's environment without pytest/xdist/suite variables that would leak into the child."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("PYTEST_", "GRAPH_CONFORMANCE_", "COV_CORE"))}
    # bytecode may be written: pytest then caches its assertion rewrite of the suite and of the plugins' whole
    # packages (schemathesis: ~370 modules, ~5 s per child) instead of redoing it in every child run
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    python_path = [str(REPO_ROOT), environment.get("PYTHONPATH", "")]
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, python_path))
    environment.update(extra or {})
    return environment


def run_child(command: Sequence[str], cwd: Path, *, extra_environ: dict[str, str] | None = None,
              timeout_s: float = INNER_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    """Run a child in `cwd` with the child environment; its exit code and text output (no check=True)."""
    return subprocess.run(list(command), cwd=cwd, env=child_environment(extra_environ), capture_output=True,
                          text=True, timeout=timeout_s, check=False)


def pytest_command(*args: str) -> list[str]:
    """`python -m pytest -p no:cacheprovider ARGS` with this interpreter."""
    return [PYTHON, "-m", "pytest", "-p", "no:cacheprovider", *args]


def cases_command(*args: str) -> list[str]:
    """The conformance cases as a user runs them from anywhere: `pytest --pyargs conformance.cases ARGS`."""
    return pytest_command("--pyargs", "conformance.cases", *args)


def suite_command(target_file: Path, reports_dir: Path, *, st_examples: int | None = None,
                  workers: int | None = None, extra_args: Sequence[str] = ()) -> list[str]:
    """The child command: the suite as a user runs it, against a target file, reports into reports_dir."""
    command = cases_command("-q", "--target", str(target_file), "--reports-dir", str(reports_dir))
    if st_examples is not None:
        command += ["--st-examples", str(st_examples)]
    if workers:
        command += ["-n", str(workers)]
    return command + list(extra_args)


def write_target(document: dict[str, Any], path: Path, **overrides: Any) -> Path:
    """Write a target document (optionally with top-level keys replaced) as YAML."""
    path.write_text(yaml.safe_dump({**document, **overrides}, sort_keys=False), encoding="utf-8")
    return path


def read_certification(reports_dir: Path, *, newer_than: float = 0.0) -> dict[str, Any]:
    """The newest certification.json under reports_dir written after `newer_than` (epoch seconds), or {}."""
    written = [path for path in reports_dir.glob("*/certification.json")
               if path.stat().st_mtime >= newer_than]
    found = sorted(written, key=lambda path: path.stat().st_mtime)
    if not found:
        return {}
    document: dict[str, Any] = json.loads(found[-1].read_text(encoding="utf-8"))
    return document


def run_suite(target_file: Path, reports_dir: Path, *, st_examples: int | None = None,
              workers: int | None = None, extra_args: Sequence[str] = (),
              timeout_s: float = INNER_TIMEOUT_S) -> InnerRun:
    """Run the suite once in a child process and collect what it reported."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    command = suite_command(target_file, reports_dir, st_examples=st_examples, workers=workers,
                            extra_args=extra_args)
    started, started_at = time.monotonic(), time.time()
    try:
        completed = subprocess.run(command, cwd=REPO_ROOT, env=child_environment(), capture_output=True,
                                   text=True, timeout=timeout_s, check=False)
        exit_code, output = completed.returncode, completed.stdout + completed.stderr
    except subprocess.TimeoutExpired as expired:
        exit_code = -1
        output = f"{_text(expired.stdout)}{_text(expired.stderr)}\n[child killed after {timeout_s:.0f} s]"
    certification = read_certification(reports_dir, newer_than=started_at - 1)
    return parse_run(exit_code, output, certification, time.monotonic() - started)


def check_of(nodeid: str, requirement_id: str) -> str:
    """The check a case item belongs to: `REQUIREMENT-ID:test_function` (parameters and module dropped).

    A check is one case function judging one requirement; its parametrized items (routes, probes) are its
    examples. The name stays stable while parameters change, and it is what matrix rows expect to fail.
    """
    return f"{requirement_id}:{nodeid.rsplit('::', 1)[-1].split('[', 1)[0]}"


def fold_outcomes(outcomes: Sequence[str]) -> str:
    """A check's outcome from its items': fail wins, then not-verified, then not-applicable, else pass."""
    for decisive in ("fail", "not-verified"):
        if decisive in outcomes:
            return decisive
    return "not-applicable" if outcomes and set(outcomes) == {"not-applicable"} else "pass"


def parse_run(exit_code: int, output: str, certification: dict[str, Any], duration_s: float) -> InnerRun:
    """Fold a certification document into an InnerRun."""
    verdicts: dict[str, str] = {}
    levels: dict[str, str] = {}
    failing_cases: dict[str, list[str]] = {}
    messages: dict[str, str] = {}
    items: dict[str, list[str]] = {}
    for requirement in certification.get("requirements", []):
        rid = requirement["id"]
        verdicts[rid], levels[rid] = requirement["verdict"], requirement.get("level", "")
        for case in requirement.get("cases", []):
            items.setdefault(check_of(case["nodeid"], rid), []).append(str(case.get("outcome")))
            if case.get("outcome") == "fail":
                failing_cases.setdefault(rid, []).append(case["nodeid"])
                messages[case["nodeid"]] = case.get("message", "")
    requests = certification.get("summary", {}).get("requests")
    checks = {check: fold_outcomes(outcomes) for check, outcomes in items.items()}
    return InnerRun(exit_code, verdicts, levels, failing_cases, messages, output, duration_s, requests,
                    certification, checks)


def _text(stream: str | bytes | None) -> str:
    if isinstance(stream, bytes):
        return stream.decode("utf-8", "replace")
    return stream or ""


@contextmanager
def reference_target(tmp_dir: Path, *, name: str = "target", target_overrides: dict[str, Any] | None = None,
                     **server_options: Any) -> Iterator[tuple[Any, Path]]:
    """An in-process ReferenceServer with these options, and a target file (top-level keys replaced)."""
    from conformance.reference.serve import ReferenceServer

    with ReferenceServer(**server_options) as server:
        target_file = tmp_dir / f"{name}.yaml"
        write_target(server.target_document(), target_file, **(target_overrides or {}))
        yield server, target_file

