"""The gate: why a run is not conformant (empty = green), and the exit code that follows from it."""

from __future__ import annotations

from collections.abc import Sequence

from conformance.outcomes import ExitCode
from conformance.report.baseline import KnownFailure, apply_baseline
from conformance.report.model import FAIL, NOT_APPLICABLE, NOT_VERIFIED, RunResult, is_selected

CERTIFICATION_PROFILE = "core"  # a certified product may not declare these profiles unsupported


def certification_problems(run: RunResult) -> list[str]:
    """Why a run cannot certify: failing, not-verified or (core) not-applicable `doc` requirements."""
    problems: list[str] = []
    for verdict in run.verdicts:
        requirement = verdict.requirement
        if requirement.level != "doc" or not is_selected(requirement, run.actions):
            continue  # a requirement of an action the product does not implement is not certified
        if verdict.verdict in (FAIL, NOT_VERIFIED):
            problems.append(f"{requirement.id}: {verdict.verdict} (a documented requirement)")
        elif verdict.verdict == NOT_APPLICABLE and requirement.profile == CERTIFICATION_PROFILE:
            problems.append(
                f"{requirement.id}: not-applicable, but profile '{CERTIFICATION_PROFILE}' "
                "cannot be declared unsupported"
            )
    return problems


def gate_problems(
    run: RunResult,
    baseline: list[KnownFailure] | None,
    baseline_path: str | None,
    unreachable: str = "",
    other_failures: Sequence[str] = (),
) -> list[str]:
    """Why the run is not conformant (empty = green); a certification is judged on doc requirements."""
    if run.certify:
        problems = certification_problems(run)
    elif baseline is not None and baseline_path:
        problems = apply_baseline(run.verdicts, baseline, baseline_path)
    else:
        problems = [f"{verdict.requirement.id}: fails" for verdict in run.verdicts if verdict.verdict == FAIL]
    if unreachable:
        problems.append(f"the target stopped answering; the run is incomplete: {unreachable}")
    if other_failures:
        problems.append(
            f"{len(other_failures)} failing test(s) outside the conformance cases, e.g. {other_failures[0]}"
        )
    return problems


def exit_code(exitstatus: int, problems: Sequence[str]) -> int:
    """2/3 set by the suite plugin (usage, unreachable) win; else 0 conformant, 1 not."""
    if exitstatus in (ExitCode.USAGE, ExitCode.TARGET_UNREACHABLE):
        return int(exitstatus)
    return int(ExitCode.NOT_CONFORMANT if problems else ExitCode.CONFORMANT)
