"""The report model: case results, per-requirement verdicts and their aggregation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance.outcomes import FAIL as FAIL  # re-exported for the writers
from conformance.outcomes import NOT_APPLICABLE as NOT_APPLICABLE
from conformance.outcomes import NOT_VERIFIED as NOT_VERIFIED
from conformance.outcomes import OUTCOMES as VERDICTS
from conformance.outcomes import PASS as PASS
from conformance.target.actions import COMMON, DEFAULT_ACTION
from conformance.target.footprint import Footprint

if TYPE_CHECKING:
    from conformance.report.effects import EffectRow
    from conformance.report.prerequisites import PrerequisiteRow


@dataclass(frozen=True)
class RequirementInfo:
    """What the report needs of a catalog requirement (INTERFACES §1)."""

    id: str
    sentence: str = ""
    level: str = "doc"
    profile: str = "core"
    source: str = ""
    section: str = ""
    check: str = ""
    evidence: str = ""  # graph level: the shipped evidence text, relative to openapi/ (file#anchor)
    action: str = DEFAULT_ACTION  # the event action whose route it is about, or `common` (every action's)


@dataclass
class CaseResult:
    """One conformance case (a pytest item carrying the `requirement` marker) and what it showed."""

    nodeid: str
    requirement_ids: list[str]
    outcome: str = PASS  # one of VERDICTS (a setup/teardown error counts as fail)
    message: str = ""  # failure text or skip reason, redacted
    phase: str = "call"  # the phase that decided the outcome
    duration_s: float = 0.0
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    worker: str = ""
    prerequisites: list[dict[str, Any]] = field(default_factory=list)  # the records the case arranged with
    footprint: Footprint = field(default_factory=Footprint)  # what the case cost the target
    effects: list[dict[str, Any]] = field(default_factory=list)  # its waits: bounds used, latencies seen


@dataclass
class RequirementVerdict:
    """The verdict on one requirement, with the cases and the evidence behind it."""

    requirement: RequirementInfo
    verdict: str
    cases: list[CaseResult]
    baseline_reason: str = ""  # set when a listed known failure kept the gate green
    baseline_link: str = ""

    @property
    def duration_s(self) -> float:
        """Total time of the cases behind this verdict."""
        return sum(case.duration_s for case in self.cases)

    @property
    def case_counts(self) -> dict[str, int]:
        """How many of its cases passed, failed, were not verified, were not applicable."""
        counts = dict.fromkeys(VERDICTS, 0)
        for case in self.cases:
            counts[case.outcome] = counts.get(case.outcome, 0) + 1
        return counts

    @property
    def case_summary(self) -> str:
        """`11 pass, 1 not-verified` (the non-zero counts), or `no case ran`."""
        parts = [f"{count} {outcome}" for outcome, count in self.case_counts.items() if count]
        return ", ".join(parts) or "no case ran"

    @property
    def request_ids(self) -> list[str]:
        """The `request-id`s of every exchange behind this verdict, in order."""
        return [str(ex["request_id"]) for case in self.cases for ex in case.exchanges if ex.get("request_id")]


def aggregate_outcomes(outcomes: Iterable[str]) -> str:
    """Any fail -> fail; else any not-verified -> not-verified; else all not-applicable -> n/a; else pass."""
    seen = list(outcomes)
    if not seen:
        return NOT_VERIFIED
    if FAIL in seen:
        return FAIL
    if NOT_VERIFIED in seen:
        return NOT_VERIFIED
    if all(outcome == NOT_APPLICABLE for outcome in seen):
        return NOT_APPLICABLE
    return PASS


def build_verdicts(
    catalog: Mapping[str, RequirementInfo],
    cases: Iterable[CaseResult],
    unsupported_profiles: Iterable[str] = (),
    actions: Iterable[str] | None = None,
) -> list[RequirementVerdict]:
    """One verdict per catalog requirement (catalog order), then any id only the cases named.

    A requirement no case ran is not-applicable when its profile is unsupported or its action is not among
    `actions` (None: every action selected), else not-verified. A `common` requirement whose cases were all
    not-applicable (they probe the routes of actions not selected) is not-verified: it holds on every action.
    """
    unsupported = set(unsupported_profiles)
    selected = None if actions is None else set(actions)
    cases_by_requirement: dict[str, list[CaseResult]] = {}
    for case in cases:
        for requirement_id in case.requirement_ids:
            cases_by_requirement.setdefault(requirement_id, []).append(case)
    verdicts: list[RequirementVerdict] = []
    ordered_ids = list(catalog) + [rid for rid in cases_by_requirement if rid not in catalog]
    for requirement_id in ordered_ids:
        requirement = catalog.get(requirement_id) or RequirementInfo(id=requirement_id, level="unknown")
        requirement_cases = cases_by_requirement.get(requirement_id, [])
        if requirement_cases:
            verdict = aggregate_outcomes(case.outcome for case in requirement_cases)
            if verdict == NOT_APPLICABLE and requirement.action == COMMON and selected:
                verdict = NOT_VERIFIED  # it holds on the selected actions too, but ran only on the others
        elif requirement.profile in unsupported or not is_selected(requirement, selected):
            verdict = NOT_APPLICABLE
        else:
            verdict = NOT_VERIFIED  # a requirement with no case run
        verdicts.append(RequirementVerdict(requirement, verdict, requirement_cases))
    return verdicts


def is_selected(requirement: RequirementInfo, selected: Iterable[str] | None) -> bool:
    """Whether a requirement's action is checked in a run of these actions (None: all; common: any)."""
    if selected is None:
        return True
    chosen = set(selected)
    return requirement.action in chosen or (requirement.action == COMMON and bool(chosen))


@dataclass(frozen=True)
class ActionVerdict:
    """One action's verdict over its requirements, their counts per level, and whether the run selected it."""

    action: str
    verdict: str
    selected: bool
    counts: dict[str, dict[str, int]]  # "doc", "graph", "all" -> verdict -> requirements

    def as_dict(self) -> dict[str, Any]:
        """The entry of certification.json's `actions`."""
        return {"action": self.action, "selected": self.selected, "verdict": self.verdict, **self.counts}


def action_verdicts(
    verdicts: list[RequirementVerdict], selected: Iterable[str] | None
) -> list[ActionVerdict]:
    """Per action (catalog order, `common` last): any fail -> fail, ... as for a requirement's cases."""
    groups: dict[str, list[RequirementVerdict]] = {}
    for verdict in verdicts:
        groups.setdefault(verdict.requirement.action, []).append(verdict)
    order = [action for action in groups if action != COMMON] + ([COMMON] if COMMON in groups else [])
    chosen = None if selected is None else list(selected)
    return [
        ActionVerdict(
            action=action,
            verdict=aggregate_outcomes(verdict.verdict for verdict in groups[action]),
            selected=is_selected(RequirementInfo(id="", action=action), chosen),
            counts={
                "doc": count_verdicts(groups[action], "doc"),
                "graph": count_verdicts(groups[action], "graph"),
                "all": count_verdicts(groups[action]),
            },
        )
        for action in order
    ]


def count_verdicts(verdicts: Iterable[RequirementVerdict], level: str | None = None) -> dict[str, int]:
    """How many requirements have each verdict (optionally only one level)."""
    counts = dict.fromkeys(VERDICTS, 0)
    for verdict in verdicts:
        if level is None or verdict.requirement.level == level:
            counts[verdict.verdict] = counts.get(verdict.verdict, 0) + 1
    return counts


@dataclass
class RunResult:
    """Everything the writers need: run identity, target, verdicts, gate decision and timings."""

    run_id: str
    target_name: str
    base_url: str
    suite_version: str
    started_at: str
    finished_at: str
    duration_s: float
    verdicts: list[RequirementVerdict]
    cases: list[CaseResult]
    unsupported_profiles: list[str] = field(default_factory=list)
    actions: list[str] | None = None  # the actions the run checked (None: every action of the catalog)
    request_count: int | None = None
    certify: bool = False
    product: dict[str, str] | None = None
    gate_problems: list[str] = field(default_factory=list)  # why the gate is red; empty = green
    exit_code: int = 0
    footprint: Footprint | None = None  # what the run cost the target (None: not measured)
    prerequisites: list[PrerequisiteRow] = field(default_factory=list)
    effects: list[EffectRow] = field(default_factory=list)  # per kind of effect: latencies, bound used
    baseline: str = ""  # the --baseline file, when one was given

    @property
    def by_action(self) -> list[ActionVerdict]:
        """The verdict of each action (and of the common requirements), in catalog order."""
        return action_verdicts(self.verdicts, self.actions)

    @property
    def conformant(self) -> bool:
        """True when the gate is green."""
        return not self.gate_problems

    @property
    def headline(self) -> str:
        """The verdict in words; a green gate says how much of it rests on requirements not verified."""
        if self.certify:
            return "certification passed" if self.conformant else "certification FAILED"
        if not self.conformant:
            return "NOT conformant"
        unverified = sum(1 for verdict in self.verdicts if verdict.verdict == NOT_VERIFIED)
        known = sum(1 for verdict in self.verdicts if verdict.verdict == FAIL and verdict.baseline_reason)
        if known:  # green only thanks to the baseline: say so
            failures = f"{known} known failure{'s' if known != 1 else ''}"
            rest = f"; {unverified} of {len(self.verdicts)} not verified" if unverified else ""
            return f"conformant with {failures} (baseline {self.baseline or 'file'}){rest}"
        if unverified:
            total = len(self.verdicts)
            return f"conformant so far: no requirement fails, {unverified} of {total} not verified"
        return "conformant"
