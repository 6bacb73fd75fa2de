"""Child-run plugin (`-p tests.cases._matrix_select`): run the Schemathesis cases on some route families only.

A fault switch acts on every route alike (per token kind), or (route-missing-*) on one route family, so in
matrix runs the Schemathesis cases of a few families see what the others would; the hand-written cases still
run in full. The Schemathesis cases are one pytest item per check family with one subtest per operation, so
the operations are cut from the OpenAPI description they load, not deselected.
"""

from __future__ import annotations

from typing import Any

import pytest

SCHEMA_MODULE = "conformance.cases.generated._schema"


def route_family(path_template: str) -> str:
    """`/users/{user-id}/calendar/events/{event-id}/cancel` -> `users-calendar-events`."""
    literal = [segment for segment in path_template.strip("/").split("/")
               if segment and not segment.startswith("{") and segment != "cancel"]
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
    import importlib

    schema_module = importlib.import_module(SCHEMA_MODULE)
    read_description = schema_module.read_description  # an AttributeError: the suite moved it; follow it here

    def read_selected(*args: Any, **kwargs: Any) -> dict[str, Any]:
        description: dict[str, Any] = read_description(*args, **kwargs)
        paths = {path: item for path, item in description["paths"].items() if route_family(path) in wanted}
        if not paths:
            raise pytest.UsageError(f"--matrix-st-families {sorted(wanted)}: no such path in the description")
        return {**description, "paths": paths}

    schema_module.read_description = read_selected
