"""Write a run's reports into `reports/<run-id>/` and point `reports/latest` at it atomically."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from conformance.errors import TargetConfigError
from conformance.report.bundle import write_bundle
from conformance.report.certification import build_certification, validate_certification
from conformance.report.html import render_html
from conformance.report.junit import render_junit
from conformance.report.markdown import render_markdown
from conformance.report.model import RunResult
from conformance.target.redact import redact_text

LATEST = "latest"
HTML_FILE, JUNIT_FILE, CERTIFICATION_FILE, SUMMARY_FILE = (
    "index.html",
    "junit.xml",
    "certification.json",
    "summary.md",
)
BUNDLE_DIR = "bundle"
_SAFE_RUN_ID = re.compile(r"[^A-Za-z0-9._-]+")


def _write(path: Path, text: str) -> None:
    """Write a report file, redacted once more (defence in depth), via a temporary file and a rename."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(redact_text(text), encoding="utf-8")
    os.replace(temporary, path)


def point_latest(reports_dir: Path, run_dir: Path) -> None:
    """Replace the `latest` symlink atomically (a new link renamed over the old one)."""
    latest = reports_dir / LATEST
    if latest.exists() and not latest.is_symlink():
        raise TargetConfigError(
            f"{latest} exists and is not a symlink; remove it so reports can point it at the newest run"
        )
    temporary = reports_dir / f".{LATEST}.{os.getpid()}.tmp"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(run_dir.name, temporary, target_is_directory=True)
    os.replace(temporary, latest)


def write_run(
    run: RunResult,
    reports_dir: Path,
    digests: dict[str, dict[str, str | None]],
    step_summary: str | None = None,
) -> Path:
    """Write index.html, junit.xml, certification.json, summary.md (+ bundle/ when certifying)."""
    run_dir = reports_dir / (_SAFE_RUN_ID.sub("-", run.run_id) or "run")
    run_dir.mkdir(parents=True, exist_ok=True)
    certification = build_certification(run, digests)
    schema_problems = validate_certification(certification)
    if schema_problems:  # a bug in this package, never the user's input
        raise AssertionError(f"certification.json does not match its schema: {schema_problems[:3]}")
    junit_xml = render_junit(run)
    summary = render_markdown(run)
    _write(run_dir / CERTIFICATION_FILE, json.dumps(certification, indent=2, ensure_ascii=False) + "\n")
    _write(run_dir / JUNIT_FILE, junit_xml)
    _write(run_dir / SUMMARY_FILE, summary)
    _write(run_dir / HTML_FILE, render_html(run))
    if run.certify and run.product is not None:
        write_bundle(
            run_dir / BUNDLE_DIR,
            product=run.product,
            certification=certification,
            junit_xml=junit_xml,
            suite_version=run.suite_version,
            digests=digests,
        )
    point_latest(reports_dir, run_dir)
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as summary_file:
            summary_file.write(redact_text(summary) + "\n")
    return run_dir
