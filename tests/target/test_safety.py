"""Interrupted runs (SIGINT, SIGKILL at seeded moments) leave nothing a sweep misses; foreign events stay."""

from __future__ import annotations

import json
import random
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
import yaml

from tests._inner_run import PYTHON, REPO_ROOT, child_environment, suite_command

INTERRUPTIONS = [(signal.SIGINT, 0), (signal.SIGINT, 1), (signal.SIGINT, 2),
                 (signal.SIGKILL, 3), (signal.SIGKILL, 4), (signal.SIGKILL, 5)]
SEED = 20261123
DELAY_RANGE_S = (0.0, 4.0)  # after the run's first tagged event appears
STARTUP_TIMEOUT_S = 60.0
TAG_START = "[gc "  # the suite's subject/name tag (conformance.target.tags), spelled out on purpose
MAILBOX_ROLES = ("organizer", "attendee", "attendee2")


def free_port() -> int:
    """A free loopback port (bound then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served_target(tmp_path: Path) -> Iterator[Path]:
    """`graph-conformance serve --db FILE` in its own process; yields the target file it wrote."""
    target_file = tmp_path / "target.yaml"
    command = [PYTHON, "-m", "conformance.cli", "serve", "--port", str(free_port()), "--db",
               str(tmp_path / "state.sqlite"), "--write-target", str(target_file)]
    server = subprocess.Popen(command, cwd=REPO_ROOT, env=child_environment(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not _written(target_file) and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if not _written(target_file):
            server.kill()
            pytest.fail(f"the reference server did not start: {server.communicate(timeout=5)[1][-2000:]}")
        yield target_file
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
        if server.stderr is not None:
            server.stderr.close()  # else an unclosed pipe (ResourceWarning, an error under the test config)


def _written(target_file: Path) -> bool:
    try:
        return "base_url" in (yaml.safe_load(target_file.read_text(encoding="utf-8")) or {})
    except (OSError, yaml.YAMLError):
        return False


class Mailboxes:
    """Reads every calendar item of the configured mailboxes and the group through the API."""

    def __init__(self, target_file: Path) -> None:
        self.document: dict[str, Any] = yaml.safe_load(target_file.read_text(encoding="utf-8"))
        self.base_url = self.document["base_url"]
        self.tokens = {role: self._token(identity) for role, identity in self._identities().items()}

    def _identities(self) -> dict[str, dict[str, Any]]:
        identities = self.document["identities"]
        attendees = identities["attendees"]
        return {"organizer": identities["organizer"], "attendee": attendees[0], "attendee2": attendees[1]}

    def _token(self, identity: dict[str, Any]) -> str:
        fields = {**self.document["token_defaults"], **identity["token"]}
        grant = {"grant_type": "password", **{key: fields[key] for key in (
            "client_id", "client_secret", "username", "password", "scope")}}
        answer = requests.post(fields["token_url"], data=grant, timeout=10)
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def get_all(self, role: str, path: str) -> list[dict[str, Any]]:
        """Every item of a collection, following @odata.nextLink."""
        items: list[dict[str, Any]] = []
        url: str | None = f"{self.base_url}{path}"
        for _page in range(100):
            if url is None:
                break
            answer = requests.get(url, headers={"Authorization": f"Bearer {self.tokens[role]}"}, timeout=10)
            assert answer.status_code == 200, f"GET {url} as {role}: {answer.status_code} {answer.text[:300]}"
            body = answer.json()
            items += body.get("value", [])
            url = body.get("@odata.nextLink")
        return items

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """role/calendar -> its events (full JSON), for every calendar of every mailbox, and the group's."""
        seen: dict[str, list[dict[str, Any]]] = {}
        for role in MAILBOX_ROLES:
            calendars = self.get_all(role, "/me/calendars")
            seen[f"{role}/calendars"] = sorted(calendars, key=lambda calendar: calendar["id"])
            for calendar in calendars:
                events = self.get_all(role, f"/me/calendars/{quote(calendar['id'], safe='')}/events")
                seen[f"{role}/{calendar.get('name')}"] = sorted(events, key=lambda event: event["id"])
            groups = self.get_all(role, "/me/calendarGroups")
            seen[f"{role}/calendarGroups"] = sorted(groups, key=lambda group: group["id"])
        group_id = self.document["identities"]["group"]["group_id"]
        seen["group"] = sorted(self.get_all("organizer", f"/groups/{group_id}/events"), key=lambda e: e["id"])
        return seen


def tagged(snapshot: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Subjects / names of every tagged item in a snapshot."""
    return [f"{where}: {item.get('subject') or item.get('name')}" for where, items in snapshot.items()
            for item in items if str(item.get("subject") or item.get("name") or "").startswith(TAG_START)]


def foreign(snapshot: dict[str, list[dict[str, Any]]]) -> str:
    """The untagged items of a snapshot, as canonical JSON (what the suite must never change)."""
    untagged = {where: [item for item in items if not str(item.get("subject") or item.get("name") or "")
                        .startswith(TAG_START)] for where, items in snapshot.items()}
    return json.dumps(untagged, sort_keys=True, ensure_ascii=False)


def interrupted_run(target_file: Path, reports_dir: Path, sig: signal.Signals, delay_s: float,
                    mailboxes: Mailboxes) -> int:
    """Start the suite; once it has created something, wait `delay_s`, send `sig`; return its exit code."""
    command = suite_command(target_file, reports_dir, st_examples=1)
    child = subprocess.Popen(command, cwd=REPO_ROOT, env=child_environment(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while child.poll() is None and time.monotonic() < deadline and not tagged_events(mailboxes):
            time.sleep(0.2)
        child.wait(timeout=delay_s)
        return child.returncode  # finished before the interruption
    except subprocess.TimeoutExpired:
        child.send_signal(sig)
    try:
        return child.wait(timeout=60)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(timeout=10)
        raise AssertionError(f"the suite did not stop within 60 s of {sig.name}") from None


def tagged_events(mailboxes: Mailboxes) -> bool:
    """Whether the organizer's default calendar holds a tagged event (the run is under way)."""
    return any(str(event.get("subject", "")).startswith(TAG_START)
               for event in mailboxes.get_all("organizer", "/me/events"))


def test_interrupted_runs_leave_nothing_after_sweep_and_never_touch_foreign_events(
    served_target: Path, tmp_path: Path
) -> None:
    mailboxes = Mailboxes(served_target)
    before = mailboxes.snapshot()
    assert not tagged(before), f"the fresh server already holds tagged items: {tagged(before)}"
    assert json.loads(foreign(before))["organizer/Calendar"], "no seeded foreign events to protect"
    randomness = random.Random(SEED)
    exit_codes = []
    for sig, index in INTERRUPTIONS:
        delay_s = randomness.uniform(*DELAY_RANGE_S)
        exit_codes.append((sig.name, round(delay_s, 1),
                           interrupted_run(served_target, tmp_path / f"reports-{index}", sig, delay_s,
                                           mailboxes)))
    assert any(code == -signal.SIGKILL for name, _, code in exit_codes if name == "SIGKILL"), exit_codes
    leftovers_before_sweep = tagged(mailboxes.snapshot())
    assert leftovers_before_sweep, f"the killed runs left nothing to sweep (proves nothing): {exit_codes}"
    sweep = subprocess.run([PYTHON, "-m", "conformance.cli", "sweep", "--target", str(served_target)],
                           cwd=REPO_ROOT, env=child_environment(), capture_output=True, text=True,
                           timeout=120, check=False)
    said = f"{sweep.stdout[-2000:]}{sweep.stderr[-2000:]}"
    assert sweep.returncode == 0, f"sweep exit {sweep.returncode}: {said}"
    after = mailboxes.snapshot()
    assert not tagged(after), (
        f"tagged items left after the sweep: {tagged(after)}\nruns: {exit_codes}\nsweep: {said}"
    )
    assert foreign(after) == foreign(before), "an interrupted run or the sweep changed what it did not create"
    print(f"interruptions: {exit_codes}; tagged leftovers swept: {len(leftovers_before_sweep)}")
