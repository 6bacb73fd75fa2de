"""Known-failures baseline (`--baseline FILE`): listed failures keep the gate green; it can only shrink."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from conformance._yaml import safe_load
from conformance.errors import TargetConfigError
from conformance.report.model import FAIL, PASS, RequirementInfo, RequirementVerdict

EXAMPLE = (
    "{known_failures: [{requirement: CANCEL-COMMENT-DELIVERED, reason: comments are not delivered yet, "
    "link: https://tracker.example.com/123}]}"
)

BASELINE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["known_failures"],
    "additionalProperties": False,
    "properties": {
        "known_failures": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["requirement", "reason", "link"],
                "additionalProperties": False,
                "properties": {
                    "requirement": {"type": "string", "pattern": "^[A-Z0-9]+(-[A-Z0-9]+)+$"},
                    "reason": {"type": "string", "minLength": 3},
                    "link": {"type": "string", "pattern": "^https?://[^\\s]+$"},
                },
            },
        }
    },
}


@dataclass(frozen=True)
class KnownFailure:
    """One expected failure: which requirement, why, and where it is tracked."""

    requirement: str
    reason: str
    link: str


def _describe(error: jsonschema.ValidationError, document: Any) -> str:
    """Name the baseline entry (number and requirement) a schema error is about."""
    path = list(error.absolute_path)
    if len(path) >= 2 and path[0] == "known_failures" and isinstance(path[1], int):
        entry = document["known_failures"][path[1]]
        name = entry.get("requirement", "?") if isinstance(entry, dict) else "?"
        field = f" field '{path[2]}'" if len(path) > 2 else ""
        return f"entry {path[1] + 1} ({name}){field}: {error.message}"
    return str(error.message)


def load_baseline(path: str, catalog: Mapping[str, RequirementInfo]) -> list[KnownFailure]:
    """Read and validate a baseline file; every problem names the entry and the fix."""
    file = Path(path)
    try:
        document = safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise TargetConfigError(f"--baseline {path}: cannot be read ({error})") from error
    errors = sorted(jsonschema.Draft202012Validator(BASELINE_SCHEMA).iter_errors(document), key=str)
    if errors:
        problems = "; ".join(_describe(error, document) for error in errors[:5])
        raise TargetConfigError(f"--baseline {path}: {problems}. Expected the form (YAML): {EXAMPLE}")
    known: list[KnownFailure] = []
    for number, entry in enumerate(document["known_failures"], start=1):
        requirement_id = entry["requirement"]
        if catalog and requirement_id not in catalog:
            raise TargetConfigError(
                f"--baseline {path}: entry {number} ({requirement_id}): no such requirement "
                "in the catalog; remove the entry or fix the id"
            )
        if any(item.requirement == requirement_id for item in known):
            raise TargetConfigError(
                f"--baseline {path}: entry {number} ({requirement_id}): listed twice; "
                "keep one entry per requirement"
            )
        known.append(KnownFailure(requirement_id, entry["reason"].strip(), entry["link"]))
    return known


def apply_baseline(
    verdicts: Iterable[RequirementVerdict], known: Iterable[KnownFailure], path: str
) -> list[str]:
    """Mark listed failures on their verdicts; return the gate problems (new failures, stale entries)."""
    listed = {item.requirement: item for item in known}
    problems: list[str] = []
    for verdict in verdicts:
        entry = listed.get(verdict.requirement.id)
        if verdict.verdict == FAIL and entry is not None:
            verdict.baseline_reason, verdict.baseline_link = entry.reason, entry.link
        elif verdict.verdict == FAIL:
            problems.append(f"{verdict.requirement.id}: fails (not in the baseline)")
        elif verdict.verdict == PASS and entry is not None:
            problems.append(
                f"{verdict.requirement.id}: passes now but is listed in the baseline {path} "
                "(stale baseline: remove the entry)"
            )
    return problems
