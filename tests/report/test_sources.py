"""A graph requirement's public source (a URL) and shipped evidence show in every report."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bs4 import BeautifulSoup

from conformance.report.certification import build_certification, validate_certification
from conformance.report.html import render_html
from conformance.report.junit import render_junit
from conformance.report.markdown import render_markdown
from conformance.report.model import CaseResult, RequirementInfo, RunResult
from tests.report._runs import run_of

URL = "https://github.com/microsoftgraph/microsoft-graph-docs/issues/1332"
DIGESTS = {"catalog": {"file": "r.yaml", "sha256": None}, "openapi": {"file": "o.yaml", "sha256": None}}


def _run() -> RunResult:
    catalog = {
        "GRAPH-SECOND": RequirementInfo(
            id="GRAPH-SECOND", level="graph", source=URL, evidence="graph-evidence.md#graph-second"
        ),
        "DOC-ONE": RequirementInfo(id="DOC-ONE", source="openapi/sources/event-cancel.ru-RU.md"),
    }
    cases = [
        CaseResult(
            nodeid="t::a", requirement_ids=["GRAPH-SECOND"], outcome="not-verified", message="no effect"
        ),
        CaseResult(nodeid="t::b", requirement_ids=["DOC-ONE"]),
    ]
    return run_of(catalog, cases)


def test_url_sources_are_links_and_evidence_is_named_in_every_report() -> None:
    run = _run()
    assert f"`GRAPH-SECOND` ([source]({URL}))" in render_markdown(run)
    page = BeautifulSoup(render_html(run), "html.parser")
    assert [link["href"] for link in page.find_all("a") if link["href"] == URL] == [URL]
    assert "openapi/graph-evidence.md#graph-second" in page.get_text()
    assert not any(str(link["href"]).startswith("openapi/") for link in page.find_all("a"))  # a path: no link
    testcase = next(
        case
        for case in ET.fromstring(render_junit(run)).iter("testcase")
        if case.get("name") == "GRAPH-SECOND"
    )
    properties = {prop.get("name"): prop.get("value") for prop in testcase.iter("property")}
    assert properties["source"] == URL and properties["evidence"] == "openapi/graph-evidence.md#graph-second"
    document = build_certification(run, DIGESTS)
    assert validate_certification(document) == []
    graph = next(entry for entry in document["requirements"] if entry["id"] == "GRAPH-SECOND")
    assert (graph["source"], graph["evidence"]) == (URL, "graph-evidence.md#graph-second")
    assert document["footprint"] is None and document["prerequisites"] == []
