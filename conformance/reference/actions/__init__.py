"""The event actions the server answers, one module each: adding an action is adding its module here.

An action module declares `ACTION` (its route suffix as the page spells it, its handler, whether it is also
routed under /groups); any module of this package may declare `FAULT_DEFINITIONS`, its fault switches (a
`StrEnum` of names and a `FaultDefinition` each), which conformance.reference.faults collects, or a function
`fault_definitions()` returning them (for switches shared by the actions that register with its module).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.responses import Response

    from conformance.reference.call import Call
    from conformance.reference.faults import FaultDefinition


@dataclass(frozen=True)
class Action:
    """One event action: POST .../events/{id}/<name>."""

    name: str  # the route's last segment as the page spells it, e.g. "cancel"
    handler: Callable[[Call], Response]
    groups: bool = False  # also routed under /groups/{id}/events and /groups/{id}/calendar/events
    auth_ignored: str = ""  # the fault switch under which a request without a token is served anyway
    prefix: str = ""  # its requirement ids' prefix (ACCEPT, ...): then a route-missing switch per route
    # what a missing /me/events route leaves not-verified: the suffixes of its requirement ids its /me/events
    # cases check (e.g. "202-EMPTY"), and the graph requirements judged for it on that route alone
    checked: tuple[str, ...] = ()
    graph_checked: tuple[str, ...] = ()

    @property
    def families(self) -> tuple[str, ...]:
        """The route families its page lists (e.g. me-events), as in its <PREFIX>-ROUTE-* requirement ids."""
        return tuple(family for family in PAGE_FAMILIES if self.groups or not family.startswith("groups-"))

    def route_missing(self, family: str) -> str:
        """The switch that takes the route family away (404), e.g. route-missing-accept-me-events."""
        return f"route-missing-{self.prefix.lower()}-{family}" if self.prefix else ""


# the route families of the family's pages: cancel's less the legacy calendargroup (cancel keeps its own)
PAGE_FAMILIES = (
    "me-events", "users-events", "groups-events", "me-calendar-events", "users-calendar-events",
    "groups-calendar-events", "me-calendars-events", "users-calendars-events",
    "me-calendargroups-calendars-events", "users-calendargroups-calendars-events",
)


@cache
def _modules() -> tuple[ModuleType, ...]:
    return tuple(
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name)
    )


@cache
def registry() -> dict[str, Action]:
    """Every registered action by name."""
    found: dict[str, Action] = {}
    for module in _modules():
        action = getattr(module, "ACTION", None)
        if isinstance(action, Action):
            found[action.name] = action
    return found


@cache
def by_segment() -> dict[str, Action]:
    """Every registered action by its route segment in lower case (segments match regardless of case)."""
    return {name.lower(): action for name, action in registry().items()}


def action_fault_definitions() -> dict[str, FaultDefinition]:
    """The fault switches every module of this package declares, and a route-missing one per action route."""
    from conformance.reference.actions.route_switches import route_missing_definitions

    found: dict[str, FaultDefinition] = dict(route_missing_definitions(registry().values()))
    for module in _modules():
        definitions: Mapping[str, FaultDefinition] = getattr(module, "FAULT_DEFINITIONS", {})
        shared = getattr(module, "fault_definitions", None)
        if callable(shared):
            definitions = {**definitions, **shared()}
        for name, definition in definitions.items():
            if str(name) in found:
                raise RuntimeError(f"fault switch {name!r} is defined twice")
            found[str(name)] = definition
    return found
