"""The reports say what the run learned of the target's asynchronous effects, per kind."""

from __future__ import annotations

from bs4 import BeautifulSoup

from conformance.report.certification import build_certification, validate_certification
from conformance.report.effects import brief, effect_rows
from conformance.report.html import render_html
from conformance.report.markdown import render_markdown
from conformance.report.model import CaseResult, RequirementInfo
from tests.report._runs import run_of

DIGESTS = {"catalog": {"file": "r.yaml", "sha256": None}, "openapi": {"file": "o.yaml", "sha256": None}}
NOTICE_BOUND = {"kind": "notice", "bound_s": 120.0, "origin": "declared", "key": "effects.notice_s"}
ENTRIES = [
    NOTICE_BOUND,
    {"kind": "notice", "seen": 1, "latency_s": 0.4},
    {"kind": "notice", "seen": 1, "latency_s": 0.2},
    {"kind": "notice", "seen": 1},  # a first look long after its cause: seen, not measured
    {"kind": "applied", "bound_s": 30.0, "origin": "default", "key": "effects.applied_s"},
    {"kind": "applied", "ran_out": True},
    {"kind": "read_back", "bound_s": 30.0, "origin": "default", "key": "effects.read_back_s"},
    {"kind": "read_back", "bound_s": 45.0, "origin": "learned", "key": "effects.read_back_s"},
]


def test_entries_fold_per_kind_with_counts_latencies_and_the_longest_bound_used() -> None:
    rows = {row.kind: row.as_dict() for row in effect_rows(ENTRIES)}
    assert list(rows) == ["read_back", "applied", "notice"]  # in the order of the kinds
    assert rows["notice"] == {
        "kind": "notice", "seen": 3, "measured": 2, "min_s": 0.2, "median_s": 0.3, "max_s": 0.4,
        "bound_s": 120.0, "origin": "declared", "key": "effects.notice_s", "ran_out": 0,
    }
    assert (rows["applied"]["seen"], rows["applied"]["ran_out"], rows["applied"]["median_s"]) == (0, 1, None)
    assert (rows["read_back"]["bound_s"], rows["read_back"]["origin"]) == (45.0, "learned")
    assert brief(effect_rows(ENTRIES)).startswith("read_back 0 seen / 45.0 s learned; applied 0 seen")


def test_every_report_shows_the_effect_table() -> None:
    catalog = {"DOC-ONE": RequirementInfo(id="DOC-ONE", source="openapi/sources/event-cancel.ru-RU.md")}
    cases = [CaseResult(nodeid="t::a", requirement_ids=["DOC-ONE"], effects=ENTRIES)]
    run = run_of(catalog, cases, effects=effect_rows(ENTRIES))
    document = build_certification(run, DIGESTS)
    assert validate_certification(document) == []
    assert [row["kind"] for row in document["effects"]] == ["read_back", "applied", "notice"]
    page = BeautifulSoup(render_html(run), "html.parser")
    notice = page.select_one('#effects tr[data-kind="notice"]')
    assert notice is not None
    assert "0.2 / 0.3 / 0.4" in notice.get_text() and "effects.notice_s" in notice.get_text()
    summary = render_markdown(run)
    assert "- notice: 3 seen, 0.2 s/0.3 s/0.4 s (min/median/max of 2 measured), bound 120.0 s (declared, " \
        "effects.notice_s)" in summary
    assert "- applied: none seen, bound 30.0 s (default, effects.applied_s), ran out 1x" in summary
