"""The families of Schemathesis checks: which generated cases each judges, and the requirement it lands on.

Every generated request is sent once and judged by every family that applies to it; each family is still its
own test function (one pytest item per route), so its verdict lands on its own requirement ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from schemathesis import Case

from conformance.cases.generated._checks import (
    AUTH_ENFORCED,
    ERROR_ENVELOPE,
    MALFORMED_REJECTED,
    NO_SERVER_ERROR,
    OTHER_METHODS_REJECTED,
    ROUTE_INDEPENDENT_CHECKS,
    STATUS_AND_BODY,
    VALID_ACCEPTED,
    CheckFunction,
    requirements_of,
)
from conformance.cases.generated._select import (
    UNKNOWN_PARAMETER,
    WRONG_COMMENT_TYPE,
    body_flaws,
    carries_one_comment,
    is_body_mutation,
    is_negative,
    is_other_method_probe,
    is_positive,
    phase_of,
)


@dataclass(frozen=True)
class Family:
    """A family of checks: the test function it reports through, its checks, ids, and the cases it judges."""

    name: str
    checks: tuple[CheckFunction, ...]
    judges: Callable[[Case], bool]
    requirement_ids: tuple[str, ...] = ()
    skips_server_errors: bool = False  # a 5xx is GRAPH-NO-SERVER-ERROR's matter, not this family's
    needs_success: bool = False  # judged only on a 2xx answer (ignored_auth probes only after a success)
    about_answer: bool = False  # its requirement is the answer itself (a 4xx, a 405): no answer fails it

    @property
    def ids(self) -> tuple[str, ...]:
        """The requirement ids a failure of this family fails."""
        return self.requirement_ids or requirements_of(self.checks)

    @property
    def route_independent(self) -> bool:
        """Whether its checks hold for any answer, also a 404 from a route the server does not serve."""
        return all(check.__name__ in ROUTE_INDEPENDENT_CHECKS for check in self.checks)


def _only_flaw(flaw: str) -> Callable[[Case], bool]:
    return lambda case: body_flaws(case) == {flaw} and is_body_mutation(case)


NO_SERVER_ERROR_FAMILY = Family("test_no_server_error", NO_SERVER_ERROR, lambda case: True)
STATUS_FAMILY = Family("test_status_and_body_conform", STATUS_AND_BODY, is_positive, skips_server_errors=True)
ENVELOPE_FAMILY = Family(
    "test_errors_use_graph_envelope", ERROR_ENVELOPE,
    lambda case: is_negative(case) and phase_of(case) == "coverage",
)
WRONG_TYPE_FAMILY = Family(
    "test_wrong_comment_types_rejected", MALFORMED_REJECTED, _only_flaw(WRONG_COMMENT_TYPE),
    ("GRAPH-400-COMMENT-TYPE",), about_answer=True,
)
UNKNOWN_PARAMETER_FAMILY = Family(
    "test_unknown_parameters_rejected", MALFORMED_REJECTED, _only_flaw(UNKNOWN_PARAMETER),
    ("GRAPH-400-UNKNOWN-PARAMETER",), about_answer=True,
)
VALID_FAMILY = Family(
    "test_valid_bodies_accepted", VALID_ACCEPTED, lambda case: is_positive(case) and carries_one_comment(case)
)
# ignored_auth re-sends a case twice (no token, a bad one); the plan picks the few cases it judges
AUTH_FAMILY = Family("test_auth_is_enforced", AUTH_ENFORCED, is_positive, needs_success=True)
METHODS_FAMILY = Family(
    "test_other_methods_rejected", OTHER_METHODS_REJECTED, is_other_method_probe, about_answer=True
)

FAMILIES: tuple[Family, ...] = (
    NO_SERVER_ERROR_FAMILY, STATUS_FAMILY, ENVELOPE_FAMILY, WRONG_TYPE_FAMILY, UNKNOWN_PARAMETER_FAMILY,
    VALID_FAMILY, AUTH_FAMILY, METHODS_FAMILY,
)
