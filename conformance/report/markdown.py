"""summary.md: a short Markdown summary for a CI job summary or a pull-request comment."""

from __future__ import annotations

from conformance.report.model import FAIL, NOT_APPLICABLE, NOT_VERIFIED, PASS, RunResult, count_verdicts
from conformance.target.redact import redact_text

_ICONS = {PASS: "✅", FAIL: "❌", NOT_VERIFIED: "❔", NOT_APPLICABLE: "➖"}
MAX_LISTED = 30


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _first_line(text: str) -> str:
    """The first non-empty line of a message, bounded."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line[:200]


def _prerequisite_lines(run: RunResult) -> list[str]:
    """The prerequisites table, then each failure's detail, fix and curl line."""
    if not run.prerequisites:
        return []
    lines = [
        "",
        "**Prerequisites** (what the suite needs besides cancel; cases per outcome):",
        "",
        "| prerequisite | worked | failed | fallback | blocked requirements |",
        "|---|---|---|---|---|",
    ]
    for row in run.prerequisites:
        fallback = (
            f"{row.fallbacks} ({'; '.join(row.fallbacks_used)})" if row.fallbacks_used else str(row.fallbacks)
        )
        blocked = ", ".join(f"`{rid}`" for rid in row.blocked) or "none"
        lines.append(
            f"| `{row.id}` {_cell(row.title)} | {row.worked} | {row.failed} | {_cell(fallback)} | {blocked} |"
        )
    for row in run.prerequisites:
        if row.failed:
            lines += ["", f"- `{row.id}` failed: {_cell(row.detail)}. Fix: {_cell(row.fix)}"]
            if row.curl:
                lines += ["", f"  `{row.curl.replace('`', '')}`"]
    return lines


def _requirement_cell(requirement_id: str, source: str) -> str:
    """The requirement id, with a link to its source when the source is a URL (graph-level evidence)."""
    if source.startswith(("http://", "https://")):
        return f"`{requirement_id}` ([source]({source.replace(')', '%29')}))"
    return f"`{requirement_id}`"


def _action_lines(run: RunResult) -> list[str]:
    """One line per action (and the common requirements) and one for the whole run: verdict and counts."""
    lines = [
        "",
        "| action | verdict | ✅ pass | ❌ fail | ❔ not-verified | ➖ not-applicable |",
        "|---|---|---|---|---|---|",
    ]
    for entry in run.by_action:
        counts = entry.counts["all"]
        note = "" if entry.selected else " (not selected)"
        lines.append(
            f"| `{entry.action}` | {_ICONS[entry.verdict]} {entry.verdict}{note} | {counts[PASS]} "
            f"| {counts[FAIL]} | {counts[NOT_VERIFIED]} | {counts[NOT_APPLICABLE]} |"
        )
    counts = count_verdicts(run.verdicts)
    overall = "✅ conformant" if run.conformant else "❌ not conformant"
    lines.append(
        f"| **overall** | {overall} | {counts[PASS]} | {counts[FAIL]} | {counts[NOT_VERIFIED]} "
        f"| {counts[NOT_APPLICABLE]} |"
    )
    return lines


def render_markdown(run: RunResult) -> str:
    """The Markdown summary: verdict, counts per level, failing and unverified requirements."""
    mark = ("⚠️" if run.headline != "conformant" else "✅") if run.conformant else "❌"
    lines = [
        f"## graph-conformance: {mark} {run.headline} — `{run.target_name}`",
        "",
        f"Run `{run.run_id}` · suite {run.suite_version} · {run.duration_s:.1f}s · exit code {run.exit_code}"
        + (f" · {run.request_count} requests" if run.request_count is not None else ""),
    ]
    if run.product:
        lines.append(
            f"Product: **{run.product['name']} {run.product['version']}** by {run.product['vendor']}"
        )
    lines += _action_lines(run)
    lines += [
        "",
        "| level | ✅ pass | ❌ fail | ❔ not-verified | ➖ not-applicable |",
        "|---|---|---|---|---|",
    ]
    for level in ("doc", "graph"):
        counts = count_verdicts(run.verdicts, level)
        lines.append(
            f"| {level} | {counts[PASS]} | {counts[FAIL]} | {counts[NOT_VERIFIED]} "
            f"| {counts[NOT_APPLICABLE]} |"
        )
    if run.gate_problems:
        lines += ["", "**Why the gate is red:**", ""]
        lines += [f"- {_cell(problem)}" for problem in run.gate_problems[:MAX_LISTED]]
        if len(run.gate_problems) > MAX_LISTED:
            lines.append(f"- ... and {len(run.gate_problems) - MAX_LISTED} more")
    if run.footprint is not None:
        lines += ["", f"**Footprint:** {run.footprint.summary()}."]
    if run.effects:
        lines += ["", "**Effects awaited** (kind: latencies seen, bound used):", ""]
        lines += [f"- {_cell(row.summary())}" for row in run.effects]
    notable = [verdict for verdict in run.verdicts if verdict.verdict in (FAIL, NOT_VERIFIED)]
    if notable:
        lines += [
            "",
            "| requirement | action | level | profile | verdict | cases | why |",
            "|---|---|---|---|---|---|---|",
        ]
        for verdict in notable[:MAX_LISTED]:
            why = next(
                (
                    _first_line(case.message)
                    for case in verdict.cases
                    if case.outcome == verdict.verdict and case.message
                ),
                _first_line(verdict.cases[0].message) if verdict.cases else "no case ran",
            )
            if verdict.baseline_reason:
                why = f"known failure: {verdict.baseline_reason} ({verdict.baseline_link})"
            lines.append(
                f"| {_requirement_cell(verdict.requirement.id, verdict.requirement.source)}"
                f" | {verdict.requirement.action} | {verdict.requirement.level}"
                f" | {verdict.requirement.profile}"
                f" | {_ICONS[verdict.verdict]} {verdict.verdict} | {verdict.case_summary} | {_cell(why)} |"
            )
        if len(notable) > MAX_LISTED:
            lines.append(f"\n... and {len(notable) - MAX_LISTED} more in the HTML report.")
    lines += _prerequisite_lines(run)
    lines += ["", "Reports: `index.html` (matrix and evidence), `certification.json`, `junit.xml`.", ""]
    return redact_text("\n".join(lines))
