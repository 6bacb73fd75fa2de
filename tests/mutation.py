"""`make mutation`: run mutmut over the verdict-deciding modules, print the score and every surviving mutant.

The modules and the test selection are pyproject.toml's [tool.mutmut]. A survivor is explained when
docs/mutation-equivalents.md lists it: keyed by the mutated function and the lines the mutation changes (not
by mutmut's numbers, which shift whenever a function gains or loses a mutant), so the list survives edits
elsewhere in the modules. Exit 0 when at least MIN_SCORE of the mutants are killed and every survivor is
explained; 1 otherwise.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = REPO_ROOT / "docs" / "mutation-equivalents.md"
MUTANTS_DIR = REPO_ROOT / "mutants"
MIN_SCORE = 0.90
KILLED = frozenset({"killed", "timeout", "caught by type check", "segfault"})
_RESULT = re.compile(r"^\s*(?P<name>\S+): (?P<status>.+?)\s*$")
_NAME = re.compile(r"^(?P<module>.+)\.(?:xǁ(?P<cls>[^ǁ]+)ǁ|x_)(?P<function>.+?)__mutmut_\d+$")


@dataclass(frozen=True)
class Change:
    """A mutation as the lines it removes and adds, whitespace-trimmed, in its function (module.function)."""

    function: str
    removed: tuple[str, ...]
    added: tuple[str, ...]


@dataclass(frozen=True)
class Equivalent:
    """A listed survivor: the change and why no test can tell it from the original."""

    change: Change
    why: str


def function_of(mutant: str) -> str:
    """`conformance.report.model.x_build_verdicts__mutmut_3` -> `conformance.report.model.build_verdicts`."""
    match = _NAME.match(mutant)
    if match is None:
        return mutant
    owner = f"{match['cls']}." if match["cls"] else ""
    return f"{match['module']}.{owner}{match['function']}"


def change_of(function: str, diff: str) -> Change:
    """The change a unified diff shows (header lines left out)."""
    removed, added = [], []
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("-"):
            removed.append(line[1:].strip())
        elif line.startswith("+"):
            added.append(line[1:].strip())
    return Change(function, tuple(line for line in removed if line), tuple(line for line in added if line))


def parse_equivalents(text: str) -> list[Equivalent]:
    """The entries of docs/mutation-equivalents.md: `### module.function`, then `- from:`, `- to:`, `- why:`.

    Raises ValueError naming the line of an entry that is incomplete or of a line it does not understand.
    """
    entries: list[Equivalent] = []
    function, why, start = "", "", 0
    removed: list[str] = []
    added: list[str] = []

    def close(number: int) -> None:
        if not function:
            return
        if not (removed or added) or not why:
            raise ValueError(
                f"line {start}: the entry for {function} needs `- from:`/`- to:` lines and `- why:`")
        entries.append(Equivalent(Change(function, tuple(removed), tuple(added)), why))

    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("### "):
            close(number)
            function, removed, added, why, start = line[4:].strip().strip("`"), [], [], "", number
        elif line.startswith("#"):  # another heading ends the entries' section
            close(number)
            function = ""
        elif function and line.startswith("- from:"):
            removed.append(_code(line, "- from:"))
        elif function and line.startswith("- to:"):
            added.append(_code(line, "- to:"))
        elif function and line.startswith("- why:"):
            why = line.removeprefix("- why:").strip()
        elif function and line.strip():
            raise ValueError(f"line {number}: expected `- from:`, `- to:` or `- why:` in {function}'s entry")
    close(0)
    return entries


def _code(line: str, prefix: str) -> str:
    """The code after `- from:` / `- to:`, unwrapped from its backticks (`` ` `` or ``` `` ```)."""
    text = line.removeprefix(prefix).strip()
    for fence in ("``", "`"):
        if len(text) >= 2 * len(fence) and text.startswith(fence) and text.endswith(fence):
            return text[len(fence):-len(fence)].strip()
    return text


def mutmut(*args: str, log: Path | None = None) -> str:
    """Run the venv's mutmut in the repository; its output (or, with `log`, write it there)."""
    command = [str(Path(sys.executable).with_name("mutmut")), *args]
    if log is None:
        return subprocess.run(command, cwd=REPO_ROOT, check=True, capture_output=True, text=True).stdout
    with log.open("w", encoding="utf-8") as sink:
        subprocess.run(command, cwd=REPO_ROOT, check=True, stdout=sink, stderr=subprocess.STDOUT)
    return ""


def results() -> dict[str, str]:
    """Every mutant mutmut knows, with its status."""
    found: dict[str, str] = {}
    for line in mutmut("results", "--all", "true").splitlines():
        match = _RESULT.match(line)
        if match and "__mutmut_" in match["name"]:
            found[match["name"]] = match["status"]
    return found


def main(argv: list[str] | None = None) -> int:
    """Run (unless --report-only), then report; the exit code says whether the bar is met."""
    parser = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__)
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--report-only", action="store_true", help="report the last run's results")
    options = parser.parse_args(argv)
    started = time.monotonic()
    if not options.report_only:
        shutil.rmtree(MUTANTS_DIR, ignore_errors=True)  # a fresh run: no result cached from other sources
        MUTANTS_DIR.mkdir()
        log = MUTANTS_DIR / "run.log"
        print(f"mutation: running mutmut over [tool.mutmut] only_mutate ({options.jobs} at once); "
              "log: mutants/run.log")
        try:
            mutmut("run", "--max-children", str(options.jobs), log=log)
        except subprocess.CalledProcessError:
            print(log.read_text(encoding="utf-8")[-3000:])
            print("mutation: mutmut failed (its log's end is above)")
            return 1
    statuses = results()
    if not statuses:
        print("mutation: no mutant results (run without --report-only first)")
        return 1
    equivalents = parse_equivalents(EQUIVALENTS.read_text(encoding="utf-8"))
    listed = {entry.change: entry for entry in equivalents}
    killed = sum(status in KILLED for status in statuses.values())
    survivors = sorted(name for name, status in statuses.items() if status not in KILLED)
    explained: list[tuple[str, Equivalent]] = []
    unexplained: list[tuple[str, str, Change]] = []
    for name in survivors:
        change = change_of(function_of(name), mutmut("show", name))
        if change in listed:
            explained.append((name, listed[change]))
        else:
            unexplained.append((name, statuses[name], change))
    used = {entry.change for _, entry in explained}
    stale = [entry for entry in equivalents if entry.change not in used]
    total = len(statuses)
    score = killed / total
    print(f"mutation: {total} mutants, {killed} killed ({score:.1%}), {len(survivors)} survived: "
          f"{len(explained)} listed as equivalent in {EQUIVALENTS.relative_to(REPO_ROOT)}, "
          f"{len(unexplained)} unexplained; by status: {dict(Counter(statuses.values()))}")
    if total > len(explained):
        print(f"mutation: {killed / (total - len(explained)):.1%} of the non-equivalent mutants killed")
    for name, status, change in unexplained:
        print(f"\nUNEXPLAINED {name} ({status}) in {change.function}:")
        print("\n".join([*(f"  - {line}" for line in change.removed),
                         *(f"  + {line}" for line in change.added)]))
    for name, entry in explained:
        print(f"equivalent: {name}: {entry.why}")
    for entry in stale:
        print(f"note: listed equivalent no longer survives (remove it?): {entry.change.function}: "
              f"{' / '.join(entry.change.added) or '(lines removed)'}")
    print(f"mutation: {time.monotonic() - started:.0f} s")
    if unexplained or score < MIN_SCORE:
        print(f"mutation: FAILED (need >= {MIN_SCORE:.0%} killed and every survivor listed as equivalent)")
        return 1
    print(f"mutation: ok: {score:.1%} killed; "
          f"{'all survivors listed as equivalent' if survivors else 'no survivor'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
