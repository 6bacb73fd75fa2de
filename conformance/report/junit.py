"""junit.xml with one testcase per requirement (not per pytest item): what a CI gate should show."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from conformance.report.model import FAIL, NOT_APPLICABLE, NOT_VERIFIED, PASS, RequirementVerdict, RunResult
from conformance.report.prerequisites import blocked_by
from conformance.target.redact import redact_text

_LEVELS = ("doc", "graph", "unknown")


def _case_lines(verdict: RequirementVerdict) -> str:
    """One line per case behind a verdict, then the failure messages."""
    lines = [f"{case.outcome:<14} {case.duration_s:7.3f}s  {case.nodeid}" for case in verdict.cases]
    if not verdict.cases:
        lines.append("no case ran for this requirement")
    for case in verdict.cases:
        if case.outcome == FAIL and case.message:
            lines += ["", f"--- {case.nodeid} ---", case.message]
    if verdict.request_ids:
        lines += ["", "request-ids: " + ", ".join(verdict.request_ids[:20])]
    return "\n".join(lines)


def _testcase(suite: ET.Element, verdict: RequirementVerdict, stale: str | None, blocked: list[str]) -> str:
    """Append the testcase of one requirement; return its JUnit status."""
    info = verdict.requirement
    element = ET.SubElement(
        suite,
        "testcase",
        classname=f"graph-conformance.{info.level}.{info.profile}",
        name=info.id,
        time=f"{verdict.duration_s:.3f}",
    )
    properties = ET.SubElement(element, "properties")
    for name, value in (
        ("sentence", info.sentence),
        ("level", info.level),
        ("profile", info.profile),
        ("verdict", verdict.verdict),
        ("source", f"{info.source}#{info.section}".strip("#")),
        *((("evidence", f"openapi/{info.evidence}"),) if info.evidence else ()),
        ("cases", verdict.case_summary),
        *((f"cases.{outcome}", str(count)) for outcome, count in verdict.case_counts.items()),
        *(("blocked-by", prerequisite_id) for prerequisite_id in blocked),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    reasons = [case.message.splitlines()[0] for case in verdict.cases if case.message.strip()]
    reason = reasons[0] if reasons else "no case ran for this requirement"
    status = "passed"
    if verdict.verdict == FAIL and verdict.baseline_reason:
        ET.SubElement(
            element,
            "skipped",
            type="known-failure",
            message=f"known failure: {verdict.baseline_reason} ({verdict.baseline_link})",
        )
        status = "skipped"
    elif verdict.verdict == FAIL:
        failure = ET.SubElement(element, "failure", type=FAIL, message=f"{info.id}: {info.sentence}"[:500])
        failure.text = _case_lines(verdict)
        status = "failed"
    elif stale:
        ET.SubElement(element, "failure", type="stale-baseline", message=stale).text = stale
        status = "failed"
    elif verdict.verdict in (NOT_VERIFIED, NOT_APPLICABLE):
        ET.SubElement(element, "skipped", type=verdict.verdict, message=f"{verdict.verdict}: {reason}"[:500])
        status = "skipped"
    ET.SubElement(element, "system-out").text = _case_lines(verdict)
    return status


def _run_properties(suite: ET.Element, run: RunResult) -> None:
    """The run's footprint and prerequisite counts as testsuite properties."""
    properties = ET.SubElement(suite, "properties")
    values: list[tuple[str, str]] = []
    if run.footprint is not None:
        footprint = run.footprint
        mailbox, peak = footprint.peak
        values += [
            ("footprint", footprint.summary()),
            ("footprint.requests", str(footprint.requests)),
            ("footprint.events_created", str(footprint.events_created)),
            ("footprint.cancels_sent", str(footprint.cancels_sent)),
            ("footprint.cancels_2xx", str(footprint.cancels_2xx)),
            ("footprint.meeting_messages", str(footprint.messages)),
            ("footprint.invitations", str(footprint.invitations)),
            ("footprint.notices", str(footprint.notices)),
            ("footprint.forwarded", str(footprint.forwarded)),
            ("footprint.responses", str(footprint.responses)),
            ("footprint.peak_requests_per_second", str(peak)),
            ("footprint.peak_mailbox", mailbox),
        ]
    for row in run.prerequisites:
        values.append(
            (
                f"prerequisite.{row.id}",
                f"worked {row.worked}, failed {row.failed}, fallback {row.fallbacks}"
                + (f"; blocked {', '.join(row.blocked)}" if row.blocked else ""),
            )
        )
    for name, value in values:
        ET.SubElement(properties, "property", name=name, value=value)


def render_junit(run: RunResult) -> str:
    """The JUnit XML text of a run: a testsuite per level, a testcase per requirement."""
    root = ET.Element("testsuites", name="graph-conformance", time=f"{run.duration_s:.3f}")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for level in _LEVELS:
        verdicts = [verdict for verdict in run.verdicts if verdict.requirement.level == level]
        if not verdicts:
            continue
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"graph-conformance.{level}",
            timestamp=run.started_at,
            hostname="graph-conformance",
        )
        counts = {"tests": len(verdicts), "failures": 0, "skipped": 0, "errors": 0}
        _run_properties(suite, run)
        for verdict in verdicts:
            stale = next(
                (
                    problem
                    for problem in run.gate_problems
                    if problem.startswith(f"{verdict.requirement.id}:") and verdict.verdict == PASS
                ),
                None,
            )
            status = _testcase(suite, verdict, stale, blocked_by(run.prerequisites, verdict.requirement.id))
            counts["failures"] += status == "failed"
            counts["skipped"] += status == "skipped"
        for name, value in counts.items():
            suite.set(name, str(value))
        suite.set("time", f"{sum(verdict.duration_s for verdict in verdicts):.3f}")
        for name in totals:
            totals[name] += counts[name]
    for name, value in totals.items():
        root.set(name, str(value))
    ET.indent(root)
    return redact_text(ET.tostring(root, encoding="unicode", xml_declaration=True)) + "\n"
