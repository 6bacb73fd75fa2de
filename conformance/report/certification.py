"""certification.json: the machine-readable verdicts of a run, validated against the published schema."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from conformance.report.gate import CERTIFICATION_PROFILE as CERTIFICATION_PROFILE  # verify.py reads it here
from conformance.report.gate import certification_problems
from conformance.report.model import RunResult, count_verdicts
from conformance.report.prerequisites import blocked_by
from conformance.target.actions import COMMON
from conformance.target.redact import redact_value

SCHEMA_PATH = Path(__file__).with_name("certification.schema.json")
FORMAT = "graph-conformance/certification"
FORMAT_VERSION = 3  # 2: case counts, blocking prerequisites, footprint; 3: verdicts per action


@cache
def certification_schema() -> dict[str, Any]:
    """The published JSON Schema of certification.json."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def _case_entry(case: Any) -> dict[str, Any]:
    """A case as it appears under a requirement."""
    return {
        "nodeid": case.nodeid,
        "outcome": case.outcome,
        "phase": case.phase,
        "message": case.message,
        "duration_s": round(case.duration_s, 3),
        "worker": case.worker,
        "footprint": {
            name: value for name, value in case.footprint.as_property().items() if name != "per_second"
        },
        "exchanges": case.exchanges,
    }


def build_certification(run: RunResult, digests: dict[str, Any]) -> dict[str, Any]:
    """The certification document of a run (redacted)."""
    requirements = []
    for verdict in run.verdicts:
        info = verdict.requirement
        requirements.append(
            {
                "id": info.id,
                "action": info.action,
                "level": info.level,
                "profile": info.profile,
                "sentence": info.sentence,
                "source": info.source,
                "section": info.section,
                "evidence": info.evidence,
                "verdict": verdict.verdict,
                "duration_s": round(verdict.duration_s, 3),
                "request_ids": verdict.request_ids,
                "baseline": {"reason": verdict.baseline_reason, "link": verdict.baseline_link}
                if verdict.baseline_reason
                else None,
                "case_counts": verdict.case_counts,
                "blocked_by": blocked_by(run.prerequisites, info.id),
                "cases": [_case_entry(case) for case in verdict.cases],
            }
        )
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "run_id": run.run_id,
        "suite_version": run.suite_version,
        "mode": "certification" if run.certify else "conformance",
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "duration_s": round(run.duration_s, 3),
        "target": {
            "name": run.target_name,
            "base_url": run.base_url,
            "unsupported_profiles": list(run.unsupported_profiles),
            "actions": [entry.action for entry in run.by_action if entry.selected and entry.action != COMMON],
        },
        "product": run.product,
        "digests": digests,
        "summary": {
            "doc": count_verdicts(run.verdicts, "doc"),
            "graph": count_verdicts(run.verdicts, "graph"),
            "all": count_verdicts(run.verdicts),
            "cases": len(run.cases),
            "requests": run.request_count,
        },
        "result": {
            "conformant": run.conformant,
            "certified": (not certification_problems(run)) if run.certify else None,
            "exit_code": run.exit_code,
            "problems": list(run.gate_problems),
        },
        "footprint": run.footprint.as_dict() if run.footprint is not None else None,
        "prerequisites": [row.as_dict() for row in run.prerequisites],
        "effects": [row.as_dict() for row in run.effects],
        "actions": [entry.as_dict() for entry in run.by_action],
        "requirements": requirements,
    }
    return redact_value(document)  # type: ignore[no-any-return]


def validate_certification(document: Any) -> list[str]:
    """Schema violations of a certification document (empty when it is valid)."""
    validator = jsonschema.Draft202012Validator(certification_schema())
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=str)
    ]
