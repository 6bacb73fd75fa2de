"""`graph-conformance preflight`: every prerequisite ok on the reference server, each gap named, bad input."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from conformance.cli import main
from conformance.errors import TargetUnreachable
from conformance.reference.serve import ReferenceServer
from conformance.target.client import Graph, GraphClient
from conformance.target.preflight import run_preflight
from conformance.target.prerequisites import CATALOG
from tests._gaps import ERROR_BODY, Gaps

RUN_ID = "gc-preflight-test"
STATIC_EVENT = {"id": "always-the-same", "subject": "Static"}  # a canned server's answer to any event read


def preflight(target_file: Path | None, run_id: str = RUN_ID) -> tuple[int, str]:
    out = io.StringIO()
    given = str(target_file) if target_file else None
    code = run_preflight(target_file=given, base_url=None, run_id=run_id, out=out, environ={})
    return code, out.getvalue()


def status_of(output: str, prerequisite_id: str) -> str:
    """The status column of the prerequisite's row (the worst one for IDENTITY-TOKENS)."""
    found = re.findall(rf"^{re.escape(prerequisite_id)}\s+(ok|fallback|failed|not tried)\s", output, re.M)
    assert found, f"no row for {prerequisite_id} in:\n{output}"
    order = ["ok", "not tried", "fallback", "failed"]
    return max(found, key=order.index)


def tagged_left(graph: Graph, run_id: str) -> list[str]:
    """Names and subjects carrying the run's tag that are still in the organizer's mailbox."""
    organizer = graph.as_("organizer")
    left = []
    for path, key in (("/me/events", "subject"), ("/me/calendars", "name"), ("/me/calendarGroups", "name")):
        items = organizer.get(path, params={"$top": "500"}).json()["value"]
        left += [str(item[key]) for item in items if f"[gc {run_id}]" in str(item.get(key))]
    return left


def test_every_prerequisite_is_ok_on_the_reference_server_in_seconds_and_nothing_is_left(
    reference_target: Path, graph: Graph
) -> None:
    started = time.monotonic()
    code, output = preflight(reference_target)
    assert time.monotonic() - started < 10
    assert code == 0, output
    for prerequisite_id in CATALOG:
        assert status_of(output, prerequisite_id) == "ok", output
    assert re.search(r"preflight: \d+ ok, 0 fallback, 0 failed, 0 not tried in [\d.]+ s", output)
    assert tagged_left(graph, RUN_ID) == []


def test_without_a_target_it_checks_the_embedded_reference_server() -> None:
    code, output = preflight(None, run_id="gc-preflight-embedded")
    assert code == 0, output
    assert "reference server" in output.splitlines()[0] and "0 failed" in output


@pytest.mark.parametrize(
    ("gap", "named", "status", "exit_code"),
    [
        (("POST", r"/me/events$", 200, None), "EVENT-CREATE SERIES-CREATE", "fallback", 0),
        (("GET", r"/instances$", 501, ERROR_BODY), "INSTANCES", "failed", 1),
        (("GET", r"/me/events$", 400, ERROR_BODY, "$filter"), "ODATA-FILTER", "fallback", 0),
        (("POST", r"/me/calendarGroups$", 501, ERROR_BODY), "CALENDAR-GROUP-CREATE", "fallback", 0),
        (("GET", r"/me/messages$", 404, ERROR_BODY), "MAILBOX-MESSAGES", "failed", 1),
        (("GET", r"/mailFolders/deleteditems/messages$", 404, ERROR_BODY), "DELETED-ITEMS", "failed", 1),
        (("GET", r"/me/events/(?!.*/instances$).+$", 200, STATIC_EVENT),  # a canned read shows neither
         "EVENT-READ ATTENDEE-STATUSES PROPOSALS", "failed", 1),  # statuses nor proposals
        (("GET", r"/me/calendarView$", 200, {"value": []}), "ATTENDEE-COPY", "failed", 1),
        (("GET", r"/me/events$", 200, {"value": [{"id": "a"}]}, "$top=1"), "ODATA-PAGING", "failed", 1),
    ],
    ids=["create-200", "no-instances", "no-filter", "no-calendar-groups", "no-messages", "no-deleted-items",
         "static", "no-attendee-copies", "no-paging"],
)
def test_each_gap_is_named_with_its_answer_and_the_fix(
    reference_target: Path,
    gaps: Gaps,
    gap: tuple[object, ...],
    named: str,
    status: str,
    exit_code: int,
) -> None:
    document = yaml.safe_load(reference_target.read_text())
    document["polling"] = {"timeout_s": 1, "interval_s": 0.2}  # the copy that never comes: a short poll
    reference_target.write_text(yaml.safe_dump(document))
    gaps.add(*gap)  # type: ignore[arg-type]
    code, output = preflight(reference_target)
    named_ids = named.split()
    for prerequisite_id in named_ids:
        assert status_of(output, prerequisite_id) == status, output
        assert f"fix: {CATALOG[prerequisite_id].fix}" in output
    assert code == exit_code, output
    others = [line for line in output.splitlines() if re.match(r"^[A-Z-]+\s+(failed|fallback)\s", line)]
    assert [line.split()[0] for line in others] == named_ids, output  # only the gap is named
    assert f"HTTP {gap[2]}" in output


def test_a_refused_token_is_one_line_naming_the_identity_and_exit_2(
    reference_target: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = yaml.safe_load(reference_target.read_text())
    document["identities"]["attendees"][0]["token"] = {"kind": "literal", "value": "not-a-token"}
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(document))
    assert main(["preflight", "--target", str(broken), "--run-id", RUN_ID]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no table: the target file is wrong, not the server
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "identity 'attendee', GET /me with its token: HTTP 401" in lines[0], lines
    assert "fix the target file" in lines[0] and "identities.attendees[0].token" in lines[0]
    assert "not-a-token" not in captured.err


@pytest.mark.parametrize(
    ("arguments", "exit_code", "message"),
    [
        (["--target", "/no/such/target.yaml"], 2, "cannot be read"),
        (["--target", "{bad}"], 2, "not valid YAML"),
        (["--base-url", "http://127.0.0.1:9/v1.0"], 3, "does not answer"),
        (["--run-id", "bad id"], 2, "--run-id"),
    ],
    ids=["missing-file", "bad-yaml", "unreachable", "bad-run-id"],
)
def test_bad_input_gets_one_clear_line_and_its_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], exit_code: int, message: str
) -> None:
    if "{bad}" in arguments:
        bad = tmp_path / "bad.yaml"
        bad.write_text("identities: [unclosed\n")
        arguments = ["--target", str(bad)]
    assert main(["preflight", *arguments]) == exit_code
    captured = capsys.readouterr()
    assert captured.err.startswith("graph-conformance preflight: error: ") and message in captured.err
    assert "Traceback" not in captured.err + captured.out


FALLBACK, FAILED = "fallback", "failed"


@pytest.mark.parametrize(
    ("fault", "named", "exit_code"),
    [
        ("gap-create-200", {"EVENT-CREATE": FALLBACK, "CALENDAR-CREATE": FALLBACK,
                            "CALENDAR-GROUP-CREATE": FALLBACK, "GROUP-EVENT-CREATE": FALLBACK,
                            "SERIES-CREATE": FALLBACK}, 0),
        ("gap-no-instances", {"INSTANCES": FAILED}, 1),
        ("gap-no-filter", {"ODATA-FILTER": FALLBACK}, 0),
        ("gap-no-calendar-groups", {"CALENDAR-GROUP-CREATE": FALLBACK}, 0),
        ("gap-no-calendar-create", {"CALENDAR-CREATE": FALLBACK}, 0),
        ("gap-no-messages", {"MAILBOX-MESSAGES": FAILED}, 1),
        ("gap-no-deleted-items", {"DELETED-ITEMS": FAILED}, 1),
        ("gap-born-cancelled", {"EVENT-READ": FAILED, "REMINDER-VIEW": FAILED}, 1),  # cancelled: no reminder
        ("gap-no-attendee-copies", {"ATTENDEE-COPY": FAILED}, 1),
        ("gap-no-cancel-without-attendees", {"CANCEL-WITHOUT-ATTENDEES": FAILED}, 1),
        ("gap-no-attendee-statuses", {"ATTENDEE-STATUSES": FAILED}, 1),
        ("gap-no-proposals", {"PROPOSALS": FAILED}, 1),
        ("gap-static", {"EVENT-READ": FAILED, "ATTENDEE-COPY": FAILED, "INSTANCES": FAILED,
                        "ODATA-FILTER": FAILED, "ODATA-PAGING": FAILED, "REMINDER-VIEW": FAILED,
                        "ATTENDEE-STATUSES": FAILED, "PROPOSALS": FAILED}, 1),  # a canned read shows neither
    ],
)
def test_each_reference_server_gap_switch_is_named_and_nothing_else(
    tmp_path: Path, fault: str, named: dict[str, str], exit_code: int
) -> None:
    with ReferenceServer(faults=[fault]) as server:
        target_file = server.write_target(tmp_path / "target.yaml")
        document = yaml.safe_load(target_file.read_text())
        document["polling"] = {"timeout_s": 1, "interval_s": 0.2}
        target_file.write_text(yaml.safe_dump(document))
        code, output = preflight(target_file, run_id=f"gc-{fault}")
    not_ok = {
        match.group(1): match.group(2)
        for match in re.finditer(r"^([A-Z-]+)\s+(failed|fallback|not tried)\s", output, re.M)
    }
    assert not_ok == named, output
    assert code == exit_code, output


def test_a_base_url_alone_builds_the_target_as_pytest_base_url_does() -> None:
    with ReferenceServer() as server:  # a loopback reference server describes its own identities
        out = io.StringIO()
        base_url = server.base_url
        code = run_preflight(target_file=None, base_url=base_url, run_id="gc-base-url", out=out, environ={})
    assert code == 0, out.getvalue()
    assert base_url in out.getvalue().splitlines()[0]
    assert status_of(out.getvalue(), "IDENTITY-TOKENS") == "ok"


def test_a_target_lost_midway_ends_with_the_rows_so_far_one_line_and_exit_3(
    reference_target: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    original = GraphClient.request

    def lost_on_create(self: GraphClient, method: str, path: str, **kwargs: Any) -> requests.Response:
        if method == "POST":
            raise TargetUnreachable(f"{method} {path}: the target does not answer (timed out)")
        return original(self, method, path, **kwargs)

    def probe_fails(target: object) -> None:
        raise TargetUnreachable("target at the base URL does not answer (ConnectTimeout)")

    monkeypatch.setattr(GraphClient, "request", lost_on_create)
    monkeypatch.setattr("conformance.target.prerequisites.probe_reachable", probe_fails)
    assert main(["preflight", "--target", str(reference_target), "--run-id", "gc-lost"]) == 3
    captured = capsys.readouterr()
    assert re.search(r"^IDENTITY-TOKENS\s+ok\s", captured.out, re.M)
    assert captured.err.strip().splitlines() == [
        "graph-conformance preflight: error: target at the base URL does not answer (ConnectTimeout)"
    ]
