"""The requirement tables of docs/INTERFACES.md, generated from the catalog (never a hand-kept copy)."""

from __future__ import annotations

from collections.abc import Iterable

from conformance.errors import SpecParseError
from conformance.spec.catalog import Requirement
from conformance.spec.routes import ROUTE_SECTION

INTERFACES_DOC = "docs/INTERFACES.md"
BEGIN = "<!-- BEGIN requirement tables: generated from the catalog by `graph-conformance generate` -->"
END = "<!-- END requirement tables -->"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def requirement_tables(requirements: Iterable[Requirement]) -> str:
    """Two Markdown tables (doc level, graph level): id, profile and what each requirement holds."""
    rows = list(requirements)
    doc = [r for r in rows if r.level == "doc"]
    graph = [r for r in rows if r.level == "graph"]
    lines = [
        f"doc level (stated on the page): {len(doc)} requirements",
        "",
        "| id | profile | statement (routes) or check |",
        "|---|---|---|",
        *(
            f"| {r.id} | {r.profile} | {_cell(r.sentence if r.section == ROUTE_SECTION else r.check)} |"
            for r in doc
        ),
        "",
        f"graph level (conventions of the real service, with public evidence): {len(graph)} requirements",
        "",
        "| id | profile | check | evidence |",
        "|---|---|---|---|",
        *(
            f"| {r.id} | {r.profile} | {_cell(r.check)} | [evidence](../openapi/{r.evidence}), <{r.source}> |"
            for r in graph
        ),
    ]
    return "\n".join(lines)


def with_tables(document: str, tables: str) -> str:
    """The document with the text between its BEGIN/END markers replaced by `tables`."""
    head, begin, rest = document.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise SpecParseError(
            f"no requirement-table markers: put {BEGIN!r} and {END!r} where the tables go",
            file=INTERFACES_DOC,
        )
    return f"{head}{BEGIN}\n{tables}\n{END}{tail}"
