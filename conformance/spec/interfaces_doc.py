"""The requirement tables of docs/INTERFACES.md, generated from the catalog (never a hand-kept copy)."""

from __future__ import annotations

from collections.abc import Iterable

from conformance.errors import SpecParseError
from conformance.spec.catalog import COMMON_ACTION, Requirement
from conformance.spec.routes import ROUTE_SECTION

INTERFACES_DOC = "docs/INTERFACES.md"
BEGIN = "<!-- BEGIN requirement tables: generated from the catalog by `graph-conformance generate` -->"
END = "<!-- END requirement tables -->"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _doc_table(rows: list[Requirement]) -> list[str]:
    return [
        f"doc level (stated on the page): {len(rows)} requirements",
        "",
        "| id | profile | statement (routes) or check |",
        "|---|---|---|",
        *(
            f"| {r.id} | {r.profile} | {_cell(r.sentence if r.section == ROUTE_SECTION else r.check)} |"
            for r in rows
        ),
        "",
    ]


def _graph_table(rows: list[Requirement]) -> list[str]:
    return [
        f"graph level (conventions of the real service, with public evidence): {len(rows)} requirements",
        "",
        "| id | profile | check | evidence |",
        "|---|---|---|---|",
        *(
            f"| {r.id} | {r.profile} | {_cell(r.check)} | [evidence](../openapi/{r.evidence}), <{r.source}> |"
            for r in rows
        ),
        "",
    ]


def requirement_tables(requirements: Iterable[Requirement]) -> str:
    """Per action (catalog order, `common` last): a doc-level and a graph-level table of its requirements."""
    by_action: dict[str, list[Requirement]] = {}
    for requirement in requirements:
        by_action.setdefault(requirement.action, []).append(requirement)
    if COMMON_ACTION in by_action:
        by_action[COMMON_ACTION] = by_action.pop(COMMON_ACTION)
    lines: list[str] = []
    for action, rows in by_action.items():
        doc = [r for r in rows if r.level == "doc"]
        graph = [r for r in rows if r.level == "graph"]
        title = "common: the conventions every action's routes keep" if action == COMMON_ACTION else action
        lines += [f"#### {title} ({len(doc)} doc, {len(graph)} graph)", ""]
        lines += _doc_table(doc) if doc else []
        lines += _graph_table(graph) if graph else []
    return "\n".join(lines).rstrip("\n")


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
