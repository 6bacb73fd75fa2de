"""202 means "later": against a reference server that finishes its work after answering, no false verdict.

Matrix-style rows (tests/_inner_run.py): the suite runs against `graph-conformance serve --apply-delay-ms`,
`--message-delay-ms` and `--list-delay-ms` servers with the default effect bounds (30 s), and passes every
requirement, serially and under `-n 4`; a server that is late AND breaks an effect fails exactly what it
breaks. How long such runs take is measured in bench/ (e), never here.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance.reference.faults import DEFINITIONS
from tests._inner_run import InnerRun, reference_target, run_suite

ST_EXAMPLES = 1  # the Schemathesis cases need no fuzzing here: the rows are about waiting
ROW_WORKERS = 2  # inner runs at once (the machine has 2 cores)
INNER_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Row:
    """A late reference server (its ServerSettings options), how the suite runs, what must fail."""

    name: str
    server: dict[str, Any]
    workers: int | None = None
    effects: dict[str, float] = field(default_factory=dict)  # declared effect bounds (default: none)
    fault: str | None = None

    @property
    def expected_failing(self) -> frozenset[str]:
        """What must fail: the fault's requirements, else nothing."""
        return frozenset(DEFINITIONS[self.fault].breaks) if self.fault else frozenset()


ALL_KINDS = ("applied", "occurrence", "series_lists", "copy_cancelled", "notice", "deleted_items")
LATE_ROWS = [
    Row("effects 2 s late", {"apply_delay_ms": 2000}),
    Row("effects and mail 5 s late, -n 4", {"apply_delay_ms": 5000, "message_delay_ms": 5000}, workers=4),
    Row("effects 10 s late", {"apply_delay_ms": 10000}),
    Row("mail listed 3 s late", {"list_delay_ms": 3000}),
]
BROKEN_ROWS = [  # short declared bounds: a broken effect costs seconds, not the default 30 s
    Row("effects 2 s late, never applied", {"apply_delay_ms": 2000},
        effects={f"{kind}_s": 6.0 for kind in ALL_KINDS}, fault="event-left-in-place"),
    Row("mail 3 s late, no notice", {"message_delay_ms": 3000},
        effects={f"{kind}_s": 8.0 for kind in ALL_KINDS}, fault="no-cancellation-message"),
    Row("mail listed 3 s late, a notice for an empty comment", {"list_delay_ms": 3000},
        effects={f"{kind}_s": 8.0 for kind in ALL_KINDS}, fault="empty-comment-sends-notice"),
    Row("effects 2 s late, a refused cancel cancels late", {"apply_delay_ms": 2000},
        effects={f"{kind}_s": 6.0 for kind in ALL_KINDS}, fault="refused-yet-cancelled"),
]


def run_row(row: Row, work_dir: Path) -> InnerRun:
    """The suite once against a fresh late reference server."""
    name = row.name.replace(" ", "-").replace(",", "")
    faults = (row.fault,) if row.fault else ()
    overrides = {"effects": row.effects} if row.effects else None
    with reference_target(work_dir, name=name, faults=faults, target_overrides=overrides, **row.server) as (
        _server, target_file,
    ):
        return run_suite(target_file, work_dir / f"reports-{name}", st_examples=ST_EXAMPLES,
                         workers=row.workers, timeout_s=INNER_TIMEOUT_S)


def run_rows(rows: list[Row], work_dir: Path) -> dict[str, InnerRun]:
    """Every row, ROW_WORKERS at a time."""
    with ThreadPoolExecutor(max_workers=ROW_WORKERS) as pool:
        runs = pool.map(lambda row: run_row(row, work_dir), rows)
        return {row.name: run for row, run in zip(rows, runs, strict=True)}


def describe(row: Row, run: InnerRun) -> str:
    """What went wrong with a row: its verdicts that are off, each failing case's message."""
    off = {rid: verdict for rid, verdict in run.verdicts.items()
           if (verdict == "fail") != (rid in row.expected_failing) or verdict == "not-verified"}
    messages = "\n".join(f"  {nodeid}: {message.splitlines()[0] if message else ''}"
                         for nodeid, message in run.messages.items())
    return f"{row.name}: exit {run.exit_code}, off {off}\n{messages}\n{run.tail()}"


def test_late_servers_pass_every_requirement_serially_and_in_parallel(tmp_path: Path) -> None:
    runs = run_rows(LATE_ROWS, tmp_path)
    for row in LATE_ROWS:
        run = runs[row.name]
        assert run.exit_code == 0 and run.verdicts, describe(row, run)
        assert set(run.verdicts.values()) == {"pass"}, describe(row, run)
        kinds = {effect["kind"]: effect for effect in run.certification["effects"]}
        assert kinds["applied"]["seen"] and kinds["applied"]["origin"] in ("default", "learned"), kinds


@pytest.mark.parametrize("row", BROKEN_ROWS, ids=[row.name for row in BROKEN_ROWS])
def test_late_servers_that_break_an_effect_fail_exactly_what_they_break(row: Row, tmp_path: Path) -> None:
    run = run_row(row, tmp_path)
    assert run.exit_code == 1 and run.failing == row.expected_failing, describe(row, run)
    waits = [message for cases in run.failing_cases.values() for nodeid in cases
             if "waited" in (message := run.messages[nodeid])]
    assert all("the declared bound of effect" in text and "raises it" in text for text in waits), waits
