"""A fake Schemathesis Case: what the check families and selectors read of one (body, path, metadata)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from schemathesis import Case
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario, TestPhase

from conformance.cases.generated import _schema
from conformance.cases.generated._schema import PLACEHOLDER_PATH_VALUES

PINNED = {"event-id": PLACEHOLDER_PATH_VALUES["event-id"]}
NO_META = object()
CANCEL_DESCRIPTION = _schema.read_description(_schema.description_path())
CANCEL_PATH = "/me/events/{event-id}/cancel"


def fake_case(
    body: Any = None,
    *,
    mode: GenerationMode = GenerationMode.POSITIVE,
    phase: TestPhase = TestPhase.COVERAGE,
    scenario: CoverageScenario | None = None,
    path: dict[str, str] | None = None,
    meta: object = None,
    description: dict[str, Any] | None = None,
    path_template: str = CANCEL_PATH,
) -> Case:
    """What the selectors read of a Case: its body, path parameters, generation metadata and operation."""
    data = SimpleNamespace() if scenario is None else CoveragePhaseData(scenario, "fake", None, None, None)
    made = SimpleNamespace(generation=SimpleNamespace(mode=mode),
                           phase=SimpleNamespace(name=phase, data=data))
    chosen = None if meta is NO_META else made
    operation = SimpleNamespace(path=path_template,
                                schema=SimpleNamespace(raw_schema=description or CANCEL_DESCRIPTION))
    return cast(Case, SimpleNamespace(body=body, meta=chosen, _meta=chosen, operation=operation,
                                      path_parameters=PINNED if path is None else path))
