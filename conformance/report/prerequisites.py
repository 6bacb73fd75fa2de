"""The prerequisites table: per prerequisite, the cases it worked, failed or fell back in; what it blocked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.outcomes import NOT_VERIFIED
from conformance.report.evidence import curl_line, excerpt_exchange
from conformance.report.model import CaseResult
from conformance.target.prerequisites import CATALOG, FAILED, FALLBACK, OK
from conformance.target.redact import redact_text

_WORST_FIRST = (FAILED, FALLBACK, OK)


@dataclass
class PrerequisiteRow:
    """One prerequisite across the run's cases (each case counted once, by its worst record)."""

    id: str
    title: str
    worked: int = 0
    failed: int = 0
    fallbacks: int = 0
    fallbacks_used: list[str] = field(default_factory=list)  # what was used instead, each named once
    detail: str = ""  # the first failure's one line
    fix: str = ""  # how a vendor fixes it
    exchange: dict[str, Any] | None = None  # the first failing exchange, redacted and bounded
    curl: str = ""
    blocked: list[str] = field(default_factory=list)  # requirement ids of not-verified cases it failed in

    def as_dict(self) -> dict[str, Any]:
        """The row as the JSON certification report publishes it."""
        return {
            "id": self.id,
            "title": self.title,
            "worked": self.worked,
            "failed": self.failed,
            "fallbacks": self.fallbacks,
            "fallbacks_used": list(self.fallbacks_used),
            "detail": self.detail,
            "fix": self.fix,
            "exchange": self.exchange,
            "curl": self.curl,
            "blocked": list(self.blocked),
        }


def records_of(user_properties: Iterable[Any], name: str) -> list[dict[str, Any]]:
    """The prerequisite records among (name, value) user properties."""
    records: list[dict[str, Any]] = []
    for entry in user_properties:
        if not (isinstance(entry, tuple | list) and len(entry) == 2 and entry[0] == name):
            continue
        if isinstance(entry[1], Mapping) and isinstance(entry[1].get("id"), str):
            records.append(dict(entry[1]))
    return records


def _text(value: Any) -> str:
    """A record field as one redacted line."""
    return redact_text(" ".join(str(value or "").split()))


def _worst_by_id(records: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """A case's records grouped by prerequisite id, worst status first within each group."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        grouped.setdefault(str(record["id"]), []).append(record)
    for group in grouped.values():
        group.sort(key=_severity)
    return grouped


def _severity(record: Mapping[str, Any]) -> int:
    """0 for failed, 1 for fallback, 2 for ok (or anything else)."""
    status = record.get("status")
    return _WORST_FIRST.index(status) if status in _WORST_FIRST else len(_WORST_FIRST) - 1


def _row_for(rows: dict[str, PrerequisiteRow], prerequisite_id: str, title: str) -> PrerequisiteRow:
    """The row of `prerequisite_id`, created on first use with the catalog's title when it has one."""
    if prerequisite_id not in rows:
        known = CATALOG.get(prerequisite_id)
        rows[prerequisite_id] = PrerequisiteRow(prerequisite_id, known.title if known else title)
    return rows[prerequisite_id]


def prerequisite_rows(cases: Iterable[CaseResult]) -> list[PrerequisiteRow]:
    """The table rows in catalog order (unknown ids after, by id)."""
    rows: dict[str, PrerequisiteRow] = {}
    for case in cases:
        for prerequisite_id, records in _worst_by_id(case.prerequisites).items():
            worst = records[0]
            row = _row_for(rows, prerequisite_id, _text(worst.get("title")))
            status = worst.get("status")
            if status == FAILED:
                row.failed += 1
                if not row.detail:
                    row.detail, row.fix = _text(worst.get("detail")), _text(worst.get("fix"))
                    exchange = worst.get("exchange")
                    if isinstance(exchange, Mapping):
                        row.exchange = excerpt_exchange(exchange)
                        row.curl = redact_text(curl_line(exchange))
                if case.outcome == NOT_VERIFIED:
                    row.blocked += [rid for rid in case.requirement_ids if rid not in row.blocked]
            elif status == FALLBACK:
                row.fallbacks += 1
                used = _text(worst.get("fallback"))
                if used and used not in row.fallbacks_used:
                    row.fallbacks_used.append(used)
            else:
                row.worked += 1
    order = {prerequisite_id: index for index, prerequisite_id in enumerate(CATALOG)}
    return sorted(rows.values(), key=lambda row: (order.get(row.id, len(order)), row.id))


def blocked_by(case_rows: Iterable[PrerequisiteRow], requirement_id: str) -> list[str]:
    """The prerequisites that blocked a requirement (failed in one of its not-verified cases)."""
    return [row.id for row in case_rows if requirement_id in row.blocked]
