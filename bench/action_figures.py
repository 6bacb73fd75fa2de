"""Per action: requirements (doc / graph), hand-written case functions, fault switches, and a narrowed run.

`python -m bench.action_figures` prints one row per action of the catalog (and `common`): its requirements
per level (openapi/requirements.yaml), the hand-written case functions checking them (conformance/cases
test_*.py, by their `requirement` marks; a function checking several actions' requirements counts for each),
the fault switches of the reference server changing it (FaultDefinition.actions; gaps apart), and the
footprint of a run narrowed to it (`--actions A`, from its certification.json). `--no-runs` skips the runs.
Figures for the README and the session note, computed, never typed in.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bench.suite_runs import SuiteRun, run_suite
from conformance.reference.faults import DEFINITIONS
from conformance.spec.catalog import COMMON_ACTION, load_catalog
from conformance.target.actions import action_of, catalog_actions

CASES_DIR = Path(__file__).resolve().parents[1] / "conformance" / "cases"


def requirement_counts() -> dict[str, Counter[str]]:
    """action -> level -> requirements of the catalog."""
    counts: dict[str, Counter[str]] = {}
    for requirement in load_catalog().values():
        counts.setdefault(action_of(requirement), Counter())[str(requirement.level)] += 1
    return counts


def _marks(value: Any) -> Iterator[Any]:
    """The marks on a case function, and those of its parametrize values (pytest.param(..., marks=...))."""
    for mark in getattr(value, "pytestmark", []):
        yield mark
        if mark.name == "parametrize" and len(mark.args) > 1:
            for param in mark.args[1]:
                yield from getattr(param, "marks", ())


def _case_functions() -> Iterator[tuple[str, list[str]]]:
    """(module:function, the requirement ids it names) of each hand-written case function."""
    for path in sorted(CASES_DIR.glob("test_*.py")):
        module = importlib.import_module(f"conformance.cases.{path.stem}")
        for name, value in vars(module).items():
            if name.startswith("test_") and inspect.isfunction(value):
                ids = [str(rid) for mark in _marks(value) if mark.name == "requirement" for rid in mark.args]
                yield f"{path.stem}:{name}", ids


def case_counts() -> Counter[str]:
    """action -> hand-written case functions naming a requirement of it."""
    by_id = {rid: action_of(requirement) for rid, requirement in load_catalog().items()}
    counts: Counter[str] = Counter()
    for _, ids in _case_functions():
        for action in {by_id[rid] for rid in ids if rid in by_id}:
            counts[action] += 1
    return counts


def fault_counts(actions: Iterable[str]) -> dict[str, tuple[int, int]]:
    """action -> (fault switches changing it, gap switches); a switch of every action counts for each."""
    counts = {action: [0, 0] for action in actions}
    for definition in DEFINITIONS.values():
        for action in definition.actions or tuple(counts):
            if action in counts:
                counts[action][1 if definition.gap else 0] += 1
    return {action: (faults, gaps) for action, (faults, gaps) in counts.items()}


def footprint_text(run: SuiteRun) -> str:
    """`exit 0, 8.4 s, 198 requests, 28 events, 38 messages`."""
    found = run.footprint
    messages = (found.get("meeting_messages") or {}).get("total")
    return (f"exit {run.exit_code}, {run.wall_s:.1f} s, {found.get('requests')} requests, "
            f"{found.get('events_created')} events, {messages} messages")


def main(argv: list[str] | None = None) -> int:
    """Print the table; with runs, one narrowed run per action (about 10-20 s each, one at a time)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--no-runs", action="store_true", help="skip the narrowed runs (no footprint)")
    args = parser.parse_args(argv)
    levels, cases = requirement_counts(), case_counts()
    actions = catalog_actions(action_of(requirement) for requirement in load_catalog().values())
    faults = fault_counts(actions)
    print("| action | requirements doc / graph | hand-written case functions | fault switches (+ gaps) | "
          "run narrowed to it |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="action-figures-") as work:
        for action in (*actions, COMMON_ACTION):
            level = levels.get(action, Counter())
            switches = f"{faults[action][0]} (+ {faults[action][1]})" if action in faults else "-"
            if args.no_runs or action == COMMON_ACTION:
                footprint = "-" if action == COMMON_ACTION else "(not run)"
            else:
                footprint = footprint_text(run_suite(["--actions", action], Path(work), action))
            print(f"| {action} | {level['doc']} / {level['graph']} | {cases[action]} | {switches} | "
                  f"{footprint} |", flush=True)
    print("common: the conventions of every action's routes; their probes act on the first selected action. "
          "A switch of every action (FaultDefinition.actions empty) counts for each.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
