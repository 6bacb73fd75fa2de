"""index.html: a self-contained report for people (matrix, filters, expandable evidence with curl lines)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import jinja2

from conformance.report.evidence import OTHER_ROUTE, classify_route, curl_line, documented_routes
from conformance.report.model import (
    FAIL,
    NOT_APPLICABLE,
    NOT_VERIFIED,
    PASS,
    VERDICTS,
    RunResult,
    count_verdicts,
)
from conformance.report.prerequisites import blocked_by
from conformance.target.redact import redact_text

_IDENTITY_ORDER = (
    "organizer",
    "organizer_minimal",
    "attendee",
    "attendee2",
    "readonly",
    "application",
    "personal",
    "anonymous",
    "invalid",
)


@dataclass
class RouteCell:
    """What one route saw under one token kind: response statuses and the outcome of the cases behind them."""

    statuses: Counter[int] = field(default_factory=Counter)
    outcomes: set[str] = field(default_factory=set)

    @property
    def verdict(self) -> str:
        """fail if any case behind the cell failed, else pass (or the single skip outcome)."""
        if FAIL in self.outcomes:
            return FAIL
        if PASS in self.outcomes:
            return PASS
        return next(iter(self.outcomes), NOT_VERIFIED)

    @property
    def label(self) -> str:
        """e.g. `202×3 400×1`."""
        return " ".join(f"{status}×{count}" for status, count in sorted(self.statuses.items()))


def route_matrix(run: RunResult) -> tuple[list[str], list[str], dict[tuple[str, str], RouteCell]]:
    """Rows (documented cancel routes, then other cancel paths), columns (token kinds) and their cells."""
    documented = documented_routes(verdict.requirement.sentence for verdict in run.verdicts)
    cells: dict[tuple[str, str], RouteCell] = {}
    for case in run.cases:
        for exchange in case.exchanges:
            route = classify_route(str(exchange.get("url", "")), documented)
            if route is None:
                continue
            identity = str(exchange.get("identity") or "unknown")
            cell = cells.setdefault((route, identity), RouteCell())
            if isinstance(exchange.get("status"), int):
                cell.statuses[exchange["status"]] += 1
            cell.outcomes.add(case.outcome)
    seen_routes = {route for route, _ in cells}
    order = [display for display, _ in documented] + [OTHER_ROUTE]
    routes = [route for route in order if route in seen_routes]
    routes += sorted(seen_routes - set(order), key=lambda route: (len(route), route))
    seen = {identity for _, identity in cells}
    identities = [name for name in _IDENTITY_ORDER if name in seen] + sorted(seen - set(_IDENTITY_ORDER))
    return routes, identities, cells


def _environment() -> jinja2.Environment:
    """The template environment (autoescaped HTML, package loader)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("conformance.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _requirement_rows(run: RunResult) -> list[dict[str, Any]]:
    """The template's view of each verdict, with the cases and a curl line per exchange."""
    rows = []
    for verdict in run.verdicts:
        cases = []
        for case in verdict.cases:
            exchanges = [dict(exchange, curl=curl_line(exchange)) for exchange in case.exchanges]
            cases.append(
                {
                    "nodeid": case.nodeid,
                    "outcome": case.outcome,
                    "message": case.message,
                    "duration_s": case.duration_s,
                    "phase": case.phase,
                    "exchanges": exchanges,
                }
            )
        rows.append(
            {
                "info": verdict.requirement,
                "verdict": verdict.verdict,
                "cases": cases,
                "duration_s": verdict.duration_s,
                "request_ids": verdict.request_ids,
                "baseline_reason": verdict.baseline_reason,
                "baseline_link": verdict.baseline_link,
                "case_summary": verdict.case_summary,
                "blocked_by": blocked_by(run.prerequisites, verdict.requirement.id),
                "source_is_url": verdict.requirement.source.startswith(("https://", "http://")),
            }
        )
    return rows


def render_html(run: RunResult) -> str:
    """The HTML text of the report."""
    routes, identities, cells = route_matrix(run)
    profiles = sorted({verdict.requirement.profile for verdict in run.verdicts})
    counts = {
        "doc": count_verdicts(run.verdicts, "doc"),
        "graph": count_verdicts(run.verdicts, "graph"),
        "all": count_verdicts(run.verdicts),
    }
    html = (
        _environment()
        .get_template("report.html.j2")
        .render(
            run=run,
            rows=_requirement_rows(run),
            groups=run.by_action,
            verdicts=VERDICTS,
            profiles=profiles,
            counts=counts,
            routes=routes,
            identities=identities,
            cells=cells,
            labels={
                PASS: "pass",
                FAIL: "fail",
                NOT_VERIFIED: "not verified",
                NOT_APPLICABLE: "not applicable",
            },
        )
    )
    return redact_text(html)
