"""The route-missing switches of every action but cancel (its own are in faults.py): one per route family
its page lists, answering 404 there like an unknown segment: each <PREFIX>-ROUTE-* has a switch failing it
alone."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from conformance.reference.faults import FaultDefinition, route_line

if TYPE_CHECKING:
    from conformance.reference.actions import Action

# What a missing route leaves not-verified besides failing its own ROUTE-* requirement: the behavioural cases
# act on /me/events (each action declares what they check: Action.checked, Action.graph_checked); the
# generated families run on the representative routes (me-events, users-calendargroups-calendars-events,
# groups-events); the application's cases on /users/{id}/events.
_EVERY_ROUTE = ("202-EMPTY", "200-EMPTY", "AUTH-REQUIRED")
PERMISSIONS = ("AUTH-REQUIRED", "PERM-DELEGATED-WORK", "PERM-DELEGATED-PERSONAL")  # PERM-REQUIRED: elsewhere
# the generated unknown-parameter family judges a narrowed row's action (one taking a body) on /me/events
UNKNOWN_PARAMETER = "GRAPH-400-UNKNOWN-PARAMETER"
_REPRESENTATIVE = ("users-calendargroups-calendars-events", "groups-events")  # the generated families' others
# a narrowed row's common probes act on its action's /me/events route (those that need it served) ...
_COMMON_ON_ME_EVENTS = ("GRAPH-400-MALFORMED-ID", "GRAPH-400-MALFORMED-JSON", "GRAPH-403-ACCESS-DENIED",
                        "GRAPH-404-UNKNOWN-ID", "GRAPH-400-UNKNOWN-PARAMETER")
# ... and the segment-case probe on its calendargroups routes
_SEGMENTS = {"me-calendargroups-calendars-events", "users-calendargroups-calendars-events"}


def _blocks(action: Action, family: str) -> frozenset[str]:
    """What a missing route leaves not-verified (measured on the matrix rows)."""
    prefix, known = action.prefix, action.checked
    # the contract's success case runs on every route: each missing one leaves it not-verified
    success = [suffix for suffix in ("202-EMPTY", "200-EMPTY") if suffix in known]
    if family == "me-events":
        return frozenset((*(f"{prefix}-{suffix}" for suffix in known), *action.graph_checked,
                          *_COMMON_ON_ME_EVENTS))
    suffixes = [suffix for suffix in _EVERY_ROUTE if suffix in known] if family in _REPRESENTATIVE else []
    # so does the unknown-parameter family on the other representative routes (none without body members)
    judged = UNKNOWN_PARAMETER in action.graph_checked
    graph = [UNKNOWN_PARAMETER] if family in _REPRESENTATIVE and judged else []
    if family == "users-events":
        suffixes += ["PERM-APPLICATION"]
    segments = ("GRAPH-SEGMENTS-CASE-INSENSITIVE",) if family in _SEGMENTS else ()
    return frozenset((*(f"{prefix}-{suffix}" for suffix in (*suffixes, *success)), *graph, *segments))


def route_missing_definitions(actions: Iterable[Action]) -> Iterator[tuple[str, FaultDefinition]]:
    """(name, definition) of each action's route-missing switches."""
    for action in actions:
        for family in action.families if action.prefix else ():
            line = route_line(family, action.name)
            yield action.route_missing(family), FaultDefinition(
                f"the {line} route answers 404",
                {f"{action.prefix}-ROUTE-{family.upper()}": f"POST {line}"},
                blocks=_blocks(action, family),
                actions=(action.name,),
            )
