"""One route's generated cases, made once per process with a fixed seed (plan, budget, answers tests)."""

from __future__ import annotations

from functools import cache

from schemathesis import Case

from conformance.cases.generated import _schema
from conformance.cases.generated._plan import generate, load_schema

SEED = 20261201
FIRST_ROUTE = "POST /me/events/{event-id}/cancel"


@cache
def route_cases(label: str, fuzzing: bool, examples: int = 3) -> tuple[Case, ...]:
    """The cases Schemathesis generates for one route (cached: generation takes about a second)."""
    schema = load_schema(_schema.read_description(), SEED, fuzzing=fuzzing, examples=examples)
    return tuple(generate(schema, label))
