"""Which rows of the mutant matrix prove which checks: the checks no row fails, and those never failed alone.

A row proves each check it expects to fail: a check made too loose would pass there and the row would no
longer match. A check no row fails is proven by nothing. A check that is never the only failing check of a
row is proven too, but only beside others; each row it fails must then say why several checks see its fault
(`overlap` in the fault's definition), so the sharing is a stated fact, not an accident. The same check
of sibling actions (accept's, decline's and tentativelyAccept's copy of one case) counts as one: a switch
breaking the three answers alike fails each copy alone in its action.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping

from conformance.spec.catalog import load_catalog
from tests.cases._row_expectations import ROW_DEFINITIONS


@functools.cache
def _action_names() -> tuple[frozenset[str], re.Pattern[str]]:
    """The catalog's requirement prefixes (CANCEL, ACCEPT, ...) and a pattern of its actions' snake names."""
    catalog = load_catalog()
    prefixes = frozenset(rid.split("-", 1)[0] for rid in catalog if not rid.startswith("GRAPH-"))
    snakes = {re.sub(r"(?<!^)(?=[A-Z])", "_", requirement.action).lower() for requirement in catalog.values()}
    longest_first = "|".join(sorted(map(re.escape, snakes), key=len, reverse=True))
    return prefixes, re.compile(rf"(?<=_)(?:{longest_first})(?=_|$)")


def sibling_requirement(requirement_id: str) -> str:
    """A requirement id without its action: `ACCEPT-X`, `GRAPH-DECLINE-X` -> `*-X`, `GRAPH-*-X`."""
    prefixes, _ = _action_names()
    parts = requirement_id.split("-")
    at = 1 if parts[0] == "GRAPH" and len(parts) > 2 else 0
    if parts[at] in prefixes:
        parts[at] = "*"
    return "-".join(parts)


def sibling_check(check: str) -> str:
    """A check without its action: `ACCEPT-X:test_accept_y`, `DECLINE-X:test_decline_y` -> `*-X:test_*_y`."""
    _, snakes = _action_names()
    requirement, _, function = check.partition(":")
    return f"{sibling_requirement(requirement)}:{snakes.sub('*', function)}"


def unfailed_checks(failing_by_row: Mapping[str, Iterable[str]], checks: Iterable[str]) -> list[str]:
    """The checks no row fails (sorted)."""
    failed = {check for failing in failing_by_row.values() for check in failing}
    return sorted(set(checks) - failed)


def rows_failing(failing_by_row: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """check -> the rows that fail it."""
    rows: dict[str, list[str]] = {}
    for row, failing in failing_by_row.items():
        for check in failing:
            rows.setdefault(check, []).append(row)
    return rows


def alone_in(failing_by_row: Mapping[str, Iterable[str]],
             same: Callable[[str], str] = str) -> dict[str, list[str]]:
    """check -> the rows where it is the only failing check (or, with `same`, where every failing check is
    the same as it)."""
    alone: dict[str, list[str]] = {}
    for row, failing in failing_by_row.items():
        failing_set = set(failing)
        if len({same(check) for check in failing_set}) == 1:
            for check in failing_set:
                alone.setdefault(check, []).append(row)
    return alone


def unexplained_overlaps(failing_by_row: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """check never failed alone (its siblings aside) -> the rows failing it whose fault definition does not
    explain the overlap."""
    alone = alone_in(failing_by_row, sibling_check)
    unexplained: dict[str, list[str]] = {}
    for check, rows in rows_failing(failing_by_row).items():
        if alone.get(check):
            continue
        silent = [row for row in rows if row in ROW_DEFINITIONS and not ROW_DEFINITIONS[row].overlap]
        if silent:
            unexplained[check] = sorted(silent)
    return unexplained


def _standing(alone: list[str] | None, shared: list[str] | None) -> str:
    """How one check is proven: alone in some rows, beside others in some, or by none."""
    if alone:
        return f"alone in {', '.join(sorted(alone))}"
    return f"never alone; shared in {', '.join(sorted(shared))}" if shared else "FAILED BY NO ROW"


def format_check_report(failing_by_row: Mapping[str, Iterable[str]], checks: Iterable[str]) -> str:
    """Per check: the rows where it alone fails, else the rows it shares (with their overlap notes)."""
    every = sorted(set(checks))
    alone, rows = alone_in(failing_by_row, sibling_check), rows_failing(failing_by_row)
    unfailed = unfailed_checks(failing_by_row, every)
    lines = [f"Checks (a case function judging a requirement): {len(every)}, failed by some row: "
             f"{len(every) - len(unfailed)}"]
    lines += [f"  {check:80} {_standing(alone.get(check), rows.get(check))}" for check in every]
    lines += ["", "Checks failed by no row: " + (", ".join(unfailed) if unfailed else "none")]
    unexplained = unexplained_overlaps(failing_by_row)
    lines.append("Shared checks whose rows do not explain the overlap: "
                 + ("; ".join(f"{check} in {', '.join(rows)}" for check, rows in sorted(unexplained.items()))
                    if unexplained else "none"))
    return "\n".join(lines)
