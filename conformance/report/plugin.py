"""The report plugin: options, result collection, report writing and the conformance exit code."""

from __future__ import annotations

import os
import secrets
import shlex
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import conformance
from conformance._stash import CATALOG_INI, RUN_CONTEXT_KEY
from conformance.errors import ConformanceError
from conformance.outcomes import ExitCode
from conformance.report.baseline import KnownFailure, load_baseline
from conformance.report.collect import ResultCollector
from conformance.report.effects import brief, effect_rows
from conformance.report.gate import exit_code, gate_problems
from conformance.report.model import NOT_APPLICABLE, NOT_VERIFIED, RunResult, build_verdicts
from conformance.report.prerequisites import prerequisite_rows
from conformance.report.product import load_product
from conformance.report.requirements import description_digests, load_requirements
from conformance.report.rundir import write_run


@dataclass
class ReportState:
    """What the plugin keeps between configure and sessionfinish."""

    collector: ResultCollector
    started: float = field(default_factory=time.time)
    product: dict[str, str] | None = None
    baseline: list[KnownFailure] | None = None
    run_dir: Path | None = None
    run: RunResult | None = None
    error: str = ""
    target_unreachable: str = ""


STATE_KEY = pytest.StashKey[ReportState]()
_OPTIONS_KEY = pytest.StashKey[tuple[dict[str, str] | None, list[KnownFailure] | None]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """--certify, --product, --baseline, --reports-dir."""
    group = parser.getgroup("graph-conformance reports")
    group.addoption(
        "--reports-dir",
        default="reports",
        metavar="DIR",
        help="where reports/<run-id>/ and reports/latest go (default: reports, relative to the start dir)",
    )
    group.addoption(
        "--certify",
        action="store_true",
        default=False,
        help="certification run: every doc requirement must pass; writes a verifiable bundle",
    )
    group.addoption(
        "--product", metavar="FILE", help="with --certify: product.yaml (name, version, vendor, url)"
    )
    group.addoption(
        "--baseline",
        metavar="FILE",
        help="known failures (YAML): listed failures keep the gate green; stale entries fail it",
    )
    parser.addini(CATALOG_INI, "requirement catalog file (default: the generated openapi/requirements.yaml)")


class UsageError(Exception):
    """A bad report option: one `graph-conformance: ...` line and exit 2."""


def _usage_error(message: str) -> None:
    """Stop with exit code 2 and a message (one line from pytest_cmdline_main; pytest.exit on a worker)."""
    raise UsageError(message)


def _catalog_path(config: pytest.Config) -> str | None:
    """The ini-configured catalog file, resolved against the rootdir."""
    value = str(config.getini(CATALOG_INI) or "")
    return str(config.rootpath / value) if value else None


def _refuse_deselection(config: pytest.Config) -> None:
    """A certification run must run every requirement: -k, -m, --deselect (and --lf, --sw) are refused."""
    used = [
        name
        for name, value in (
            ("-k", config.option.keyword),
            ("-m", config.option.markexpr),
            ("--deselect", config.option.deselect),
            ("--last-failed", getattr(config.option, "lf", False)),
            ("--stepwise", getattr(config.option, "stepwise", False)),
        )
        if value
    ]
    if used:
        _usage_error(
            f"--certify runs every doc requirement; {', '.join(used)} would deselect some. "
            "Remove them (or drop --certify for a partial run)."
        )


def _checked_options(config: pytest.Config) -> tuple[dict[str, str] | None, list[KnownFailure] | None]:
    """The product and the baseline the options name, validated; UsageError for a bad combination."""
    options = config.option
    product = baseline = None
    try:
        if options.certify:
            _refuse_deselection(config)
            if not options.product:
                _usage_error("--certify needs --product product.yaml (name, version, vendor, url)")
            if options.baseline:
                _usage_error("--certify does not accept --baseline: a certification cannot excuse failures")
            product = load_product(options.product)
        elif options.product:
            _usage_error("--product is only used with --certify")
        if options.baseline:
            baseline = load_baseline(options.baseline, load_requirements(_catalog_path(config)))
    except ConformanceError as error:
        raise UsageError(str(error)) from None
    return product, baseline


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """Check the report options before pytest configures anything: a mistake is one line and exit 2.

    (A `pytest.exit` from pytest_configure would print `Exit: ...` instead.)
    """
    if config.option.help or config.option.version:
        return None
    try:
        config.stash[_OPTIONS_KEY] = _checked_options(config)
    except UsageError as error:
        sys.stderr.write(f"graph-conformance: {' '.join(str(error).split())}\n")  # one line
        return int(ExitCode.USAGE)
    return None


def pytest_configure(config: pytest.Config) -> None:
    """Start collecting results with the options pytest_cmdline_main checked (a worker checks them here)."""
    collector = ResultCollector(config)
    state = ReportState(collector=collector)
    config.stash[STATE_KEY] = state
    config.pluginmanager.register(collector, "graph_conformance_report_collector")
    checked = config.stash.get(_OPTIONS_KEY, None)
    if checked is None:
        try:
            checked = _checked_options(config)
        except UsageError as error:
            pytest.exit(f"graph-conformance: {error}", returncode=ExitCode.USAGE)
    state.product, state.baseline = checked


def _run_info(config: pytest.Config, state: ReportState) -> dict[str, Any]:
    """The suite plugin's run info (controller, else a worker's), with fallbacks."""
    context = config.stash.get(RUN_CONTEXT_KEY, None)
    info = context.info() if context is not None else None
    info = dict(info) if isinstance(info, dict) else dict(state.collector.worker_run_info)
    started = datetime.fromtimestamp(state.started, UTC)
    info.setdefault("run_id", f"gc-{started:%Y%m%d-%H%M}-{secrets.token_hex(2)}")
    info.setdefault("target_name", "unknown target")
    info.setdefault("base_url", "")
    info.setdefault("unsupported_profiles", [])
    info.setdefault("actions", [])
    info.setdefault("suite_version", conformance.__version__)
    return info


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """When conformance cases ran: judge, write reports (controller only), set the exit status."""
    config = session.config
    state = config.stash.get(STATE_KEY, None)
    if state is None or hasattr(config, "workerinput") or not state.collector.cases:
        return
    options = config.option
    try:
        catalog = load_requirements(_catalog_path(config))
    except ConformanceError as error:
        state.error = str(error)
        session.exitstatus = ExitCode.USAGE
        return
    info = _run_info(config, state)
    cases = state.collector.results()
    context = config.stash.get(RUN_CONTEXT_KEY, None)
    finished = time.time()
    run = RunResult(
        run_id=str(info["run_id"]),
        target_name=str(info["target_name"]),
        base_url=str(info["base_url"]),
        suite_version=str(info["suite_version"]),
        started_at=datetime.fromtimestamp(state.started, UTC).isoformat(timespec="seconds"),
        finished_at=datetime.fromtimestamp(finished, UTC).isoformat(timespec="seconds"),
        duration_s=finished - state.started,
        verdicts=build_verdicts(catalog, cases, info["unsupported_profiles"], info["actions"] or None),
        cases=cases,
        unsupported_profiles=list(info["unsupported_profiles"]),
        actions=list(info["actions"]) or None,
        request_count=context.request_count if context is not None else None,
        certify=bool(options.certify),
        product=state.product,
        footprint=state.collector.footprint(),
        prerequisites=prerequisite_rows(cases),
        effects=effect_rows(entry for case in cases for entry in case.effects),
    )
    if int(session.exitstatus) == ExitCode.TARGET_UNREACHABLE:
        reason = context.target_unreachable if context is not None else ""
        state.target_unreachable = str(reason or "the run stopped with exit code 3")
    run.baseline = str(options.baseline or "")
    run.gate_problems = gate_problems(run, state.baseline, options.baseline, state.target_unreachable,
                                      state.collector.other_failures)
    run.exit_code = exit_code(int(session.exitstatus), run.gate_problems)
    reports_dir = Path(options.reports_dir)
    if not reports_dir.is_absolute():
        reports_dir = config.invocation_params.dir / reports_dir
    try:
        state.run_dir = write_run(
            run,
            reports_dir,
            description_digests(_catalog_path(config)),
            step_summary=os.environ.get("GITHUB_STEP_SUMMARY"),
        )
    except (ConformanceError, OSError) as error:
        state.error = f"could not write the reports into {reports_dir}: {error}"
        run.exit_code = ExitCode.USAGE
    state.run = run
    session.exitstatus = run.exit_code


def preflight_suggestion(run: RunResult, config: pytest.Config) -> str:
    """When most requirements that ran are not-verified: the preflight command for the same target."""
    ran = [verdict for verdict in run.verdicts if verdict.cases and verdict.verdict != NOT_APPLICABLE]
    not_verified = sum(verdict.verdict == NOT_VERIFIED for verdict in ran)
    if not ran or not_verified * 2 <= len(ran):
        return ""
    command = ["graph-conformance", "preflight"]
    for option, name in (("--target", "target"), ("--base-url", "base_url")):
        value = config.getoption(name, None)
        if value:
            command += [option, shlex.quote(str(value))]
    return (
        f"{not_verified} of {len(ran)} requirements that ran are not-verified: the target may lack what the "
        f"suite needs besides cancel. Run `{' '.join(command)}` to see which prerequisite and how to fix it."
    )


def action_line(run: RunResult) -> str:
    """`cancel pass (50 pass) · accept not-applicable (not selected)`: each action's verdict in one line."""
    parts = []
    for entry in run.by_action:
        counts = ", ".join(f"{count} {name}" for name, count in entry.counts["all"].items() if count)
        parts.append(f"{entry.action} {entry.verdict} ({counts if entry.selected else 'not selected'})")
    return " · ".join(parts)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Say where the reports are and why the gate is red."""
    state = config.stash.get(STATE_KEY, None)
    if state is None or (state.run is None and not state.error):
        return
    terminalreporter.section("graph-conformance")
    if state.error:
        terminalreporter.write_line(f"error: {state.error}", red=True)
    run = state.run
    if run is None:
        return
    counts: dict[str, int] = {}
    for verdict in run.verdicts:
        counts[verdict.verdict] = counts.get(verdict.verdict, 0) + 1
    summary = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
    terminalreporter.write_line(
        f"{run.headline} (exit {run.exit_code}): {summary}", green=run.conformant, red=not run.conformant
    )
    terminalreporter.write_line(f"actions: {action_line(run)}")
    for problem in run.gate_problems[:20]:
        terminalreporter.write_line(f"  - {problem}")
    for row in run.prerequisites:
        if row.failed:
            blocked = f"; blocked {len(row.blocked)} requirement(s)" if row.blocked else ""
            terminalreporter.write_line(
                f"prerequisite {row.id} ({row.title}) failed in {row.failed} case(s){blocked}: {row.detail}",
                yellow=True,
            )
    suggestion = preflight_suggestion(run, config)
    if suggestion:
        terminalreporter.write_line(suggestion, yellow=True, bold=True)
    if run.footprint is not None:
        terminalreporter.write_line(f"footprint: {run.footprint.summary()}")
    if run.effects:
        terminalreporter.write_line(f"effects (seen / bound): {brief(run.effects)}")
    if state.run_dir is not None:
        terminalreporter.write_line(
            f"reports: {state.run_dir} (index.html, junit.xml, certification.json, "
            f"summary.md{', bundle/' if run.certify else ''})"
        )
