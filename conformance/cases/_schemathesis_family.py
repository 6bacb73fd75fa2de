"""A family of Schemathesis checks: its own schema (modes, phases, examples), one pytest item per route.

The schema is loaded when the test module is imported, so `schema.parametrize()` makes one item per operation
and xdist spreads them; the run's seed and examples are set by the options plugin just before the items are
built (`pytest_pycollect_makeitem`), the target's base URL is given with every call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from schemathesis.specs.openapi.schemas import OpenApiSchema

from conformance.cases import _schemathesis_schema
from conformance.cases._schemathesis_options import FAMILY_ATTRIBUTE, LOOPBACK_EXAMPLES

FEW_EXAMPLES = 2  # families that need a couple of successes per route (ignored_auth also re-sends each twice)
TestFunction = TypeVar("TestFunction", bound=Callable[..., Any])


@dataclass(frozen=True)
class CheckFamily:
    """The generated cases of one family of checks; `examples_share` 0 means a fixed few per route."""

    schema: OpenApiSchema
    examples_share: float

    def fuzzed_examples(self, per_operation: int) -> int:
        """Fuzzed examples per operation for this family, given the run's examples per operation."""
        if self.examples_share == 0:
            return FEW_EXAMPLES
        return max(1, round(per_operation * self.examples_share))

    def tune(self, *, seed: int, per_operation: int) -> None:
        """Set the run's seed and examples (called before the family's items are built)."""
        _schemathesis_schema.tune(self.schema, seed=seed, max_examples=self.fuzzed_examples(per_operation))

    def cases(self) -> Callable[[TestFunction], TestFunction]:
        """Decorator: one pytest item per operation of the description, tuned by the options plugin."""
        parametrize = self.schema.parametrize()

        def mark(test: TestFunction) -> TestFunction:
            marked = parametrize(test)
            setattr(marked, FAMILY_ATTRIBUTE, self)
            return marked

        return mark


def check_family(
    description: dict[str, Any], mode: str, phases: tuple[str, ...], examples_share: float
) -> CheckFamily:
    """The schema of one family of checks over `description`, with default seed and examples."""
    family = CheckFamily(_schemathesis_schema.load_cancel_schema(
        _schemathesis_schema.GenerationPlan(mode=mode, phases=phases, max_examples=1, seed=0), description
    ), examples_share)
    family.tune(seed=0, per_operation=LOOPBACK_EXAMPLES)
    return family
