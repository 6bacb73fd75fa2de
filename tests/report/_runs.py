"""A RunResult built from a catalog and cases, for the report writers' tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.report.model import CaseResult, RequirementInfo, RunResult, build_verdicts


def run_of(catalog: Mapping[str, RequirementInfo], cases: list[CaseResult], **fields: Any) -> RunResult:
    """A finished one-second run of `cases` against `catalog` (other RunResult fields by keyword)."""
    return RunResult(
        run_id="gc-1",
        target_name="t",
        base_url="http://127.0.0.1:1/v1.0",
        suite_version="0",
        started_at="2026-01-01T00:00:00+00:00",
        finished_at="2026-01-01T00:00:01+00:00",
        duration_s=1.0,
        verdicts=build_verdicts(catalog, cases),
        cases=cases,
        **fields,
    )
