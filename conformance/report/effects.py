"""What the run learned about the target's asynchronous effects: per kind, latencies seen and the bound used.

Each wait reports on its case's item (user property `EFFECT_PROPERTY`, which crosses xdist): the bound it
used (seconds, origin declared/default/learned, the target-file key raising it), the latency of what it
found, or that it ran out. The reports fold them per kind.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance.target.polling import Effect, seconds

_ORDER = {effect.value: index for index, effect in enumerate(Effect)}


@dataclass
class EffectRow:
    """One kind of effect in this run: latencies seen, the longest bound used and where it came from."""

    kind: str
    latencies: list[float] = field(default_factory=list)  # measured (a first look long after: not)
    seen: int = 0
    bound_s: float | None = None
    origin: str = ""
    key: str = ""
    ran_out: int = 0

    def add(self, entry: dict[str, Any]) -> None:
        """Fold one reported entry (a bound used, a latency seen, a run-out)."""
        if isinstance(entry.get("latency_s"), int | float):
            self.latencies.append(float(entry["latency_s"]))
        if entry.get("seen") or isinstance(entry.get("latency_s"), int | float):
            self.seen += 1
        if entry.get("ran_out"):
            self.ran_out += 1
        bound = entry.get("bound_s")
        if isinstance(bound, int | float) and (self.bound_s is None or bound > self.bound_s):
            self.bound_s, self.origin = float(bound), str(entry.get("origin", ""))
            self.key = str(entry.get("key", ""))

    def as_dict(self) -> dict[str, Any]:
        """The row as certification.json gives it (seconds rounded to the millisecond)."""
        ordered = sorted(self.latencies)

        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 3)

        return {
            "kind": self.kind,
            "seen": self.seen,
            "measured": len(ordered),
            "min_s": rounded(ordered[0] if ordered else None),
            "median_s": rounded(statistics.median(ordered) if ordered else None),
            "max_s": rounded(ordered[-1] if ordered else None),
            "bound_s": rounded(self.bound_s),
            "origin": self.origin,
            "key": self.key,
            "ran_out": self.ran_out,
        }

    def summary(self) -> str:
        """`notice: 19 seen, 0.002/0.004/0.01 s (min/median/max), bound 30 s (default, effects.notice_s)`."""
        row = self.as_dict()
        seen = f"{row['seen']} seen" if row["seen"] else "none seen"
        if row["measured"]:
            spread = "/".join(seconds(row[name]) for name in ("min_s", "median_s", "max_s"))
            seen += f", {spread} (min/median/max of {row['measured']} measured)"
        bound = "" if self.bound_s is None else f"bound {seconds(self.bound_s)} ({self.origin}, {self.key})"
        ran_out = f", ran out {self.ran_out}x" if self.ran_out else ""
        return f"{self.kind}: {seen}, {bound}{ran_out}".rstrip(", ")


def brief(rows: Iterable[EffectRow]) -> str:
    """One line: `applied 35 seen (slowest 0.2 s) / 30 s default; notice 2 seen / 120 s declared, ran out`."""
    parts = []
    for row in rows:
        slowest = f" (slowest {seconds(max(row.latencies))})" if row.latencies else ""
        bound = f" / {seconds(row.bound_s)} {row.origin}" if row.bound_s is not None else ""
        parts.append(f"{row.kind} {row.seen} seen{slowest}{bound}{', ran out' if row.ran_out else ''}")
    return "; ".join(parts)


def effect_rows(entries: Iterable[dict[str, Any]]) -> list[EffectRow]:
    """The reported entries folded per kind, in the order of conformance.target.polling.Effect."""
    rows: dict[str, EffectRow] = {}
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("kind"), str):
            rows.setdefault(entry["kind"], EffectRow(entry["kind"])).add(entry)
    return sorted(rows.values(), key=lambda row: _ORDER.get(row.kind, len(_ORDER)))
