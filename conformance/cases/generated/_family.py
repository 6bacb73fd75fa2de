"""The families of Schemathesis checks: which generated cases each judges, and the requirement it lands on.

Every generated request is sent once and judged by every family that applies to it; each family is still its
own test function (one pytest item per route), so its verdict lands on its own requirement ids: the
cross-action GRAPH-* conventions (`action: common`) on every action's routes, the others on the route's own
action's requirements (CANCEL-202-EMPTY, <PREFIX>-202-EMPTY or -200-EMPTY, ...). A family whose requirement
the catalog does not have for an action has no item on that action's routes (see `Family.ids_for`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from schemathesis import Case

from conformance.cases.generated._actions import CANCEL, ActionInfo
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
    WRONG_MEMBER_TYPE,
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
    requirement_ids: tuple[str, ...] = ()  # the same for every action (the GRAPH-* conventions)
    ids_by_action: Callable[[ActionInfo], tuple[str, ...]] | None = None  # else: the action's own ids
    skips_server_errors: bool = False  # a 5xx is GRAPH-NO-SERVER-ERROR's matter, not this family's
    needs_success: bool = False  # judged only on a 2xx answer (ignored_auth probes only after a success)
    about_answer: bool = False  # its requirement is the answer itself (a 4xx, a 405): no answer fails it
    about_members: bool = False  # judges bodies' members: nothing to judge for an action taking no body

    @property
    def ids(self) -> tuple[str, ...]:
        """The requirement ids a failure of this family fails on cancel's routes."""
        return self.ids_for(CANCEL_ACTION)

    def ids_for(self, action: ActionInfo) -> tuple[str, ...]:
        """The requirement ids a failure of this family fails on `action`'s routes (none: no item there)."""
        if self.ids_by_action is not None:
            return self.ids_by_action(action)
        return self.requirement_ids or requirements_of(self.checks)

    def applies_to(self, action: ActionInfo, catalog: Collection[str]) -> bool:
        """Whether the family has items on `action`'s routes: its requirement is in the catalog, and a family
        about body members has members to judge."""
        ids = self.ids_for(action)
        if not ids or not all(requirement_id in catalog for requirement_id in ids):
            return False
        return not self.about_members or bool(action.members)

    @property
    def route_independent(self) -> bool:
        """Whether its checks hold for any answer, also a 404 from a route the server does not serve."""
        return all(check.__name__ in ROUTE_INDEPENDENT_CHECKS for check in self.checks)


CANCEL_ACTION = ActionInfo(CANCEL, "CANCEL", "202")


def _success_ids(action: ActionInfo) -> tuple[str, ...]:
    """CANCEL-202-EMPTY, <PREFIX>-202-EMPTY or -200-EMPTY, ...: the documented success, no body."""
    return (f"{action.prefix}-{action.success}-EMPTY",)


def _wrong_type_ids(action: ActionInfo) -> tuple[str, ...]:
    """Cancel's GRAPH-400-COMMENT-TYPE; another action's GRAPH-<PREFIX>-400-MEMBER-TYPE (in the catalog)."""
    if action.name == CANCEL:
        return ("GRAPH-400-COMMENT-TYPE",)
    return (f"GRAPH-{action.prefix}-400-MEMBER-TYPE",)


def _comment_ids(action: ActionInfo) -> tuple[str, ...]:
    """What a valid comment accepted (2xx) shows: CANCEL-COMMENT-STRING.

    The other actions have none: a generated success there is no check of its own. (An answer's
    <P>-COMMENT-OPTIONAL is judged by its hand-written cases: this family judges only bodies that carry a
    comment, so it could never see a server requiring one.)"""
    return ("CANCEL-COMMENT-STRING",) if action.name == CANCEL else ()


def _auth_ids(action: ActionInfo) -> tuple[str, ...]:
    """CANCEL-AUTH-REQUIRED, <PREFIX>-AUTH-REQUIRED, ...: `Authorization: Bearer {token}. Required.`"""
    return (f"{action.prefix}-AUTH-REQUIRED",)


def _only_flaw(flaw: str) -> Callable[[Case], bool]:
    return lambda case: body_flaws(case) == {flaw} and is_body_mutation(case)


NO_SERVER_ERROR_FAMILY = Family("test_no_server_error", NO_SERVER_ERROR, lambda case: True)
STATUS_FAMILY = Family("test_status_and_body_conform", STATUS_AND_BODY, is_positive, skips_server_errors=True,
                       ids_by_action=_success_ids)
ENVELOPE_FAMILY = Family(
    "test_errors_use_graph_envelope", ERROR_ENVELOPE,
    lambda case: is_negative(case) and phase_of(case) == "coverage",
)
WRONG_TYPE_FAMILY = Family(
    "test_wrong_comment_types_rejected", MALFORMED_REJECTED, _only_flaw(WRONG_MEMBER_TYPE),
    about_answer=True, about_members=True, ids_by_action=_wrong_type_ids,
)
UNKNOWN_PARAMETER_FAMILY = Family(
    "test_unknown_parameters_rejected", MALFORMED_REJECTED, _only_flaw(UNKNOWN_PARAMETER),
    ("GRAPH-400-UNKNOWN-PARAMETER",), about_answer=True, about_members=True,
)
VALID_FAMILY = Family(
    "test_valid_bodies_accepted", VALID_ACCEPTED,
    lambda case: is_positive(case) and carries_one_comment(case), ids_by_action=_comment_ids,
)
# ignored_auth re-sends a case twice (no token, a bad one); the plan picks the few cases it judges
AUTH_FAMILY = Family("test_auth_is_enforced", AUTH_ENFORCED, is_positive, needs_success=True,
                     ids_by_action=_auth_ids)
METHODS_FAMILY = Family(
    "test_other_methods_rejected", OTHER_METHODS_REJECTED, is_other_method_probe, about_answer=True
)

FAMILIES: tuple[Family, ...] = (
    NO_SERVER_ERROR_FAMILY, STATUS_FAMILY, ENVELOPE_FAMILY, WRONG_TYPE_FAMILY, UNKNOWN_PARAMETER_FAMILY,
    VALID_FAMILY, AUTH_FAMILY, METHODS_FAMILY,
)
