"""Adding an action stays cheap: every file under conformance/ and openapi/ that names an action (its route
segment, its requirement prefix, its fault-name prefix) is one of that action's own files, a file of its
family, a generated artefact, or a shared file still listed (with its reason) in NOT_YET_MOVED."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("conformance", "openapi")
OVERLAYS = ROOT / "conformance" / "spec" / "actions"
BASE = "cancel"  # the suite's first action: its knowledge is the core's (routes, conventions, the matrix)
# generated from every overlay (`graph-conformance generate`): they name every action by construction
GENERATED = frozenset({"openapi/requirements.yaml", "openapi/graph-evidence.md"})
# files shared by the actions of one family, each naming its members (what they share is the family's)
ANSWERS = ("accept", "tentativelyAccept", "decline")
_ANSWER_FILES = frozenset({
    "conformance/reference/actions/answers.py",  # the answers' behaviour and their shared switches (answer-*)
    "conformance/cases/toolkit/answers.py",  # arranging an attendee's copy, reading the response message
    "conformance/cases/toolkit/answer_cases.py",  # the cases the three answers share, bound per module
    # each answer's overlay cites its siblings' sentences where the pages share them
    "conformance/spec/actions/accept.yaml", "conformance/spec/actions/tentativelyAccept.yaml",
    "conformance/spec/actions/decline.yaml",
})
FAMILY_FILES: dict[str, frozenset[str]] = {
    **dict.fromkeys(ANSWERS, _ANSWER_FILES),
    "forward": frozenset({
        "conformance/cases/toolkit/forward_action.py",  # forward's ActionContract
        "conformance/cases/toolkit/forwarding.py",  # forward's arrange/observe (recipients, organizer's copy)
    }),
}
# shared core files that still name an action: what they know, to be moved to the action's own files
# (each entry is debt; the test fails on any file not listed here that names an action)
_FOOTPRINT = ("the footprint's message counts (responses, forwarded; report fields) by route segment: a pure "
              "function of the exchanges, usable from bench/ and the report without the suite's case modules")
_ALLOWANCE = ("the run's request allowance prices each action's meeting messages before sending it (as the "
              "footprint counts them)")
_RECIPIENT = ("FORWARD-RECIPIENT, a stable prerequisite id (reports, TROUBLESHOOTING), and its preflight "
              "probe among the core's")
NOT_YET_MOVED: dict[str, dict[str, str]] = {
    "accept": {"conformance/target/footprint.py": _FOOTPRINT, "conformance/target/allowance.py": _ALLOWANCE},
    "tentativelyAccept": {"conformance/target/allowance.py": _ALLOWANCE},
    "decline": {"conformance/target/footprint.py": _FOOTPRINT, "conformance/target/allowance.py": _ALLOWANCE},
    "forward": {
        "conformance/target/footprint.py": _FOOTPRINT, "conformance/target/allowance.py": _ALLOWANCE,
        "conformance/target/prerequisites.py": _RECIPIENT, "conformance/target/preflight.py": _RECIPIENT,
    },
}
# a line about HTTP headers names the Accept header, not the accept action
HEADER_LINE = re.compile(r"(?i)header|content-type|user-agent|\*/\*")


@dataclass(frozen=True)
class Action:
    """One action as its overlay names it, and the words that name it in a file."""

    name: str  # the route segment: dismissReminder
    prefix: str  # of its requirement ids: DISMISS

    @property
    def snake(self) -> str:
        """dismiss_reminder (its Python modules' names)."""
        return re.sub(r"(?<!^)([A-Z])", r"_\1", self.name).lower()

    @property
    def pattern(self) -> re.Pattern[str]:
        """Its route segment (bare when camelCase, else as a path segment or quoted), its module name, its
        requirement prefix (DISMISS-, "DISMISS") and its fault-name prefix (dismiss-)."""
        name = re.escape(self.name)
        segment = (rf"(?<![A-Za-z0-9_]){name}(?![A-Za-z0-9_])" if self.name != self.name.lower()
                   else rf"/{name}(?![A-Za-z0-9_])|[\"'`]{name}[\"'`]")
        fault = re.escape(self.prefix.lower())
        words = [segment, rf"(?<![A-Za-z0-9_-]){re.escape(self.prefix)}(?:-[A-Z0-9]|[\"'])",
                 rf"[\"'`]{re.escape(self.prefix)}[\"'`]", rf"(?<![A-Za-z0-9_-]){fault}-[a-z]"]
        if self.snake != self.name:
            words.append(rf"(?<![A-Za-z0-9]){re.escape(self.snake)}(?![a-z])")
        return re.compile("|".join(f"(?:{word})" for word in words))

    def own_files(self) -> frozenset[str]:
        """Its page, overlay, description, case module(s), server module and the generated artefacts."""
        return GENERATED | {
            f"openapi/sources/event-{self.name}.md",
            f"openapi/event-{self.name}.yaml",
            f"conformance/spec/actions/{self.name}.yaml",
            f"conformance/reference/actions/{self.snake}.py",
            f"conformance/cases/test_{self.snake}.py",
        } | FAMILY_FILES.get(self.name, frozenset()) | NOT_YET_MOVED.get(self.name, {}).keys()


def actions() -> list[Action]:
    """Every action an overlay declares, but the base one."""
    found = []
    for overlay in sorted(OVERLAYS.glob("*.yaml")):
        prefix = (yaml.safe_load(overlay.read_text(encoding="utf-8")) or {}).get("id_prefix")
        if overlay.stem != BASE and prefix:
            found.append(Action(overlay.stem, str(prefix)))
    return found


def scanned_files(root: Path = ROOT) -> Iterable[tuple[str, str]]:
    """(path relative to root, text) of every text file under conformance/ and openapi/."""
    for top in SCANNED:
        for path in sorted((root / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                try:
                    yield path.relative_to(root).as_posix(), path.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    continue


def strays(action: Action, files: Iterable[tuple[str, str]]) -> dict[str, str]:
    """File -> the first line naming `action` outside its own files."""
    allowed = action.own_files()
    found: dict[str, str] = {}
    for relative, text in files:
        if relative in allowed:
            continue
        for line in text.splitlines():
            if action.pattern.search(line) and not (action.name.islower() and HEADER_LINE.search(line)):
                found[relative] = line.strip()[:160]
                break
    return found


def test_actions_are_found() -> None:
    names = {action.name for action in actions()}
    assert {"accept", "tentativelyAccept", "decline", "forward", "snoozeReminder", "dismissReminder"} <= names


@pytest.mark.parametrize("action", actions(), ids=lambda action: action.name)
def test_only_its_own_files_name_an_action(action: Action) -> None:
    """A file outside the action's own (and its family's) names it: the action's knowledge leaked into the
    shared core, and adding an action would change it."""
    found = strays(action, scanned_files())
    assert not found, f"{action.name} is named outside its own files: {found}"


def test_a_stray_mention_is_found(tmp_path: Path) -> None:
    """The check can fail: a shared file naming an action by any of its words is reported."""
    action = Action("dismissReminder", "DISMISS")
    for line in ("route = '/me/events/{id}/dismissReminder'", "@requirement('DISMISS-REMINDER-GONE')",
                 "FAULTS = ['dismiss-ignored']", "from x import dismiss_reminder", 'prefix="DISMISS"'):
        assert strays(action, [("conformance/target/core.py", line)]) == {"conformance/target/core.py": line}
    assert not strays(action, [("conformance/target/core.py", "a reminder dismissed once")])
    answer = Action("accept", "ACCEPT")
    assert strays(answer, [("conformance/x.py", "POST /me/events/{id}/accept")])
    assert not strays(answer, [("conformance/x.py", "accept every answer the service gives")])
    assert not strays(answer, [("conformance/x.py", '_IMPLICIT_HEADERS = ("content-type", "accept")')])
    assert strays(answer, [("conformance/x.py", 'ANSWERS = ("accept", "decline")')])
    own = action.own_files()
    assert strays(action, [(path, "dismissReminder") for path in own]) == {}
