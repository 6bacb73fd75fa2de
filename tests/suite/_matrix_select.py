"""Child-run plugin (`-p _matrix_select`): keep the Schemathesis cases of some route families only.

A fault switch acts on every route alike, or (route-missing-*) on one route family, so in matrix runs the
Schemathesis cases of one route per principal plus the fault's own family see everything the other families
would; the hand-written cases still run in full.
"""

from __future__ import annotations

import re

import pytest

SCHEMATHESIS_MODULE = "test_schemathesis.py"
_OPERATION = re.compile(r"\[(?:[A-Z]+) (/[^\]]*)\]")


def route_family(path_template: str) -> str:
    """`/users/{user-id}/calendar/events/{event-id}/cancel` -> `users-calendar-events`."""
    literal = [segment for segment in path_template.strip("/").split("/")
               if segment and not segment.startswith("{") and segment != "cancel"]
    return "-".join(literal).lower()


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--matrix-st-families a,b`: the route families whose Schemathesis cases run (default: all)."""
    parser.addoption("--matrix-st-families", default="", metavar="FAMILIES",
                     help="comma-separated route families (e.g. me-events) whose Schemathesis cases run")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect Schemathesis items of other route families."""
    wanted = {family for family in str(config.getoption("matrix_st_families")).split(",") if family}
    if not wanted:
        return
    kept, dropped = [], []
    for item in items:
        operation = _OPERATION.search(item.nodeid)
        is_other = (SCHEMATHESIS_MODULE in item.nodeid and operation is not None
                    and route_family(operation[1]) not in wanted)
        (dropped if is_other else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
