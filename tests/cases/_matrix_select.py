"""Child-run plugin (`-p tests.cases._matrix_select`): run the Schemathesis cases on some route families only.

A fault switch acts on every route alike (per token kind), or (route-missing-*) on one route family, so in
light child runs (the network-fault and Schemathesis-fault tests; the mutant matrix runs every route) the
Schemathesis cases of a few families see what the others would; the hand-written cases still run in full.
The Schemathesis cases are one pytest item per check family with one subtest per operation, so
the operations are cut from the OpenAPI description they load, not deselected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def route_family(path_template: str) -> str:
    """`/users/{user-id}/calendar/events/{event-id}/cancel` -> `users-calendar-events` (any action's)."""
    literal = [segment for segment in path_template.strip("/").split("/")[:-1]
               if segment and not segment.startswith("{")]
    return "-".join(literal).lower()


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--matrix-st-families a,b`: the route families whose Schemathesis cases run (default: all)."""
    parser.addoption("--matrix-st-families", default="", metavar="FAMILIES",
                     help="comma-separated route families (e.g. me-events) whose Schemathesis cases run")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Before the cases are imported, make the description reader keep only the wanted families' paths."""
    wanted = {family for family in str(config.getoption("matrix_st_families")).split(",") if family}
    if not wanted:
        return
    from conformance.cases.generated import _schema  # imported here, once the options are known

    read_description = _schema.read_description

    def read_selected(path: Path | None = None) -> dict[str, Any]:
        description = read_description(path)
        paths = {path: item for path, item in description["paths"].items() if route_family(path) in wanted}
        if not paths:
            raise pytest.UsageError(f"--matrix-st-families {sorted(wanted)}: no such path in the description")
        return {**description, "paths": paths}

    _schema.read_description = read_selected
