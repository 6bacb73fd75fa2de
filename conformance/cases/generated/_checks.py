"""The Schemathesis checks the suite runs, each mapped to the requirement ids its verdict lands on.

Our own check (`accepted_has_empty_body`) is handed to each call (`validate_response(checks=...)`), never
registered in Schemathesis's global registry: other Schemathesis use in the same environment never runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)


def body_on_success(status_code: int, content: bytes) -> str | None:
    """Why an answer breaks the action's <P>-2xx-EMPTY: a body on a 2xx (its success declares none)."""
    if 200 <= status_code < 300 and content:
        shown = content[:200].decode("utf-8", "replace")
        return (
            f"Body on a success answer: {status_code} carried {len(content)} bytes "
            f"(`{shown}`); the page says the action returns its success with nothing in the body"
        )
    return None


def accepted_has_empty_body(ctx: Any, response: Any, case: Any) -> bool | None:
    """<P>-2xx-EMPTY (CANCEL-202-EMPTY, ...): a 2xx answer to the action has nothing in its body."""
    problem = body_on_success(response.status_code, response.content)
    if problem is not None:
        raise AssertionError(problem)
    return None


CheckFunction = Callable[..., Any]

# check name -> the requirement ids (docs/INTERFACES.md section 1) a failure of that check fails on cancel's
# routes; on another action's, its family's ids_for() names that action's own (see _family)
CHECK_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "not_a_server_error": ("GRAPH-NO-SERVER-ERROR",),
    "status_code_conformance": ("CANCEL-202-EMPTY",),
    "accepted_has_empty_body": ("CANCEL-202-EMPTY",),
    "content_type_conformance": ("GRAPH-ERROR-ENVELOPE",),
    "response_schema_conformance": ("GRAPH-ERROR-ENVELOPE",),
    "negative_data_rejection": ("GRAPH-400-COMMENT-TYPE", "GRAPH-400-UNKNOWN-PARAMETER"),
    "positive_data_acceptance": ("CANCEL-COMMENT-STRING",),
    "ignored_auth": ("CANCEL-AUTH-REQUIRED",),
    "unsupported_method": ("GRAPH-405-OTHER-METHODS",),
}

# checks whose verdict holds for any answer, also a 404 from a route the server does not serve; the others
# end not-verified on such a route (its CANCEL-ROUTE-* case fails instead)
ROUTE_INDEPENDENT_CHECKS = frozenset({"not_a_server_error", "content_type_conformance",
                                      "response_schema_conformance"})

# one family per test function: the checks it runs
NO_SERVER_ERROR: tuple[CheckFunction, ...] = (not_a_server_error,)
STATUS_AND_BODY: tuple[CheckFunction, ...] = (status_code_conformance, accepted_has_empty_body)
ERROR_ENVELOPE: tuple[CheckFunction, ...] = (content_type_conformance, response_schema_conformance)
MALFORMED_REJECTED: tuple[CheckFunction, ...] = (negative_data_rejection,)
VALID_ACCEPTED: tuple[CheckFunction, ...] = (positive_data_acceptance,)
AUTH_ENFORCED: tuple[CheckFunction, ...] = (ignored_auth,)
OTHER_METHODS_REJECTED: tuple[CheckFunction, ...] = (unsupported_method,)


def requirements_of(checks: tuple[CheckFunction, ...]) -> tuple[str, ...]:
    """The requirement ids a family of checks maps to, in order, without duplicates."""
    ids: list[str] = []
    for check in checks:
        for requirement_id in CHECK_REQUIREMENTS[check.__name__]:
            if requirement_id not in ids:
                ids.append(requirement_id)
    return tuple(ids)
