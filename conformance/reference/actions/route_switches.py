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
# act on /me/events; the generated families run on the representative routes (me-events,
# users-calendargroups-calendars-events, groups-events); the application's cases on /users/{id}/events.
_EVERY_ROUTE = ("202-EMPTY", "200-EMPTY", "AUTH-REQUIRED")
_PERMISSIONS = ("AUTH-REQUIRED", "PERM-DELEGATED-WORK", "PERM-DELEGATED-PERSONAL")  # PERM-REQUIRED: elsewhere
_ANSWER = (
    "202-EMPTY", *_PERMISSIONS, "CONTENT-TYPE", "COMMENT-OPTIONAL", "SENDS-RESPONSE", "SEND-RESPONSE-DEFAULT",
    "NO-RESPONSE", "COMMENT-DELIVERED", "ATTENDEE-STATUS", "ORGANIZER-SEES",
)
_PROPOSING = (*_ANSWER, "PROPOSAL-NOT-ALLOWED", "PROPOSAL-NEEDS-RESPONSE", "PROPOSAL-DELIVERED")
_ON_ME_EVENTS = {  # the suffixes of each action's requirement ids its /me/events cases check
    "ACCEPT": _ANSWER,
    "TENTATIVE": _PROPOSING,
    "DECLINE": _PROPOSING,
    "FORWARD": ("202-EMPTY", *_PERMISSIONS, "CONTENT-TYPE", "COMMENT-EMPTY", "RECIPIENTS-RECEIVE",
                "ORGANIZER-NOTIFIED", "ORGANIZER-COPY-ADDED"),
    "SNOOZE": ("200-EMPTY", *_PERMISSIONS, "CONTENT-TYPE", "REMINDER-MOVED"),
    "DISMISS": ("200-EMPTY", *_PERMISSIONS, "REMINDER-GONE"),
}
# the generated unknown-parameter family judges a narrowed row's action on its /me/events route only
_GRAPH_ON_ME_EVENTS: dict[str, tuple[str, ...]] = {
    prefix: ("GRAPH-400-UNKNOWN-PARAMETER",) for prefix in _ON_ME_EVENTS if prefix != "DISMISS"
}
_GRAPH_ON_ME_EVENTS["SNOOZE"] += ("GRAPH-SNOOZE-TIME-REQUIRED",)
_REPRESENTATIVE = ("users-calendargroups-calendars-events", "groups-events")  # the generated families' others
# a narrowed row's common probes act on its action's /me/events route (those that need it served) ...
_COMMON_ON_ME_EVENTS = ("GRAPH-400-MALFORMED-ID", "GRAPH-400-MALFORMED-JSON", "GRAPH-403-ACCESS-DENIED",
                        "GRAPH-404-UNKNOWN-ID", "GRAPH-400-UNKNOWN-PARAMETER")
# ... and the segment-case probe on its calendargroups routes
_SEGMENTS = {"me-calendargroups-calendars-events", "users-calendargroups-calendars-events"}


def _blocks(prefix: str, family: str) -> frozenset[str]:
    """What a missing route leaves not-verified (measured on the matrix rows)."""
    known = _ON_ME_EVENTS.get(prefix, ())
    # the contract's success case runs on every route: each missing one leaves it not-verified
    success = [suffix for suffix in ("202-EMPTY", "200-EMPTY") if suffix in known]
    if family == "me-events":
        return frozenset((*(f"{prefix}-{suffix}" for suffix in known), *_GRAPH_ON_ME_EVENTS.get(prefix, ()),
                          *_COMMON_ON_ME_EVENTS))
    suffixes = [suffix for suffix in _EVERY_ROUTE if suffix in known] if family in _REPRESENTATIVE else []
    # so does the unknown-parameter family on the other representative routes (dismiss has no members)
    graph = _GRAPH_ON_ME_EVENTS.get(prefix, ())[:1] if family in _REPRESENTATIVE else ()
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
                blocks=_blocks(action.prefix, family),
                actions=(action.name,),
            )
