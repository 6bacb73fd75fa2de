"""What each mutant-matrix row must show: which checks fail, what stays not-verified, which gaps are named.

Every row follows from its fault's definition (conformance/reference/faults.py): the requirements whose
sentence the switch violates must fail, and so must every check of those requirements (a check is one case
function judging one requirement: `REQUIREMENT-ID:test_function`, tests._inner_run.check_of); no other
check may fail. A fault row leaves not-verified exactly the requirements its definition names (`blocks`),
a gap row at most those; the clean row verifies everything: every check and every case passes.

A fault of some actions (`FaultDefinition.actions`) runs with `--actions` narrowed to them: the other actions'
requirements are not-applicable there, and their checks (those of `common` requirements probing another
action's routes included) are proven by the rows of their own actions; the clean row runs every action.
"""

from __future__ import annotations

from collections.abc import Iterable

from conformance.reference.faults import DEFINITIONS, STATE_FREE, FaultDefinition
from conformance.spec.catalog import load_catalog
from conformance.target.actions import action_of
from tests._inner_run import InnerRun

CLEAN = "(none)"  # the correct server
COMBINED_PREFIX = "routes-missing-"  # a row switching on every action's route-missing switch of one family


def route_family(name: str, definition: FaultDefinition) -> str | None:
    """The route family a route-missing switch removes (`ME-EVENTS`, from its one ROUTE-* requirement)."""
    if not name.startswith("route-missing-") or len(definition.violates) != 1:
        return None
    (requirement_id,) = definition.violates
    return requirement_id.split("-ROUTE-", 1)[1] if "-ROUTE-" in requirement_id else None


def _families() -> dict[str, tuple[str, ...]]:
    """Route family -> the route-missing switches of it, one per action that has the route."""
    found: dict[str, list[str]] = {}
    for name, definition in DEFINITIONS.items():
        family = route_family(str(name), definition)
        if family is not None:
            found.setdefault(family, []).append(str(name))
    return {family: tuple(names) for family, names in found.items()}


# row -> the server switches it turns on together. Each action's route-missing switch of one family is about
# its own action's route and ROUTE-* requirement: turned on together they break the same routes and leave the
# same requirements not-verified as one by one (the requirements and checks are each action's own; the common
# probes act on the first selected action, whose switch is in the row), in one run instead of one per action.
# A family only one action has keeps its switch's own row.
SWITCHES: dict[str, tuple[str, ...]] = {
    f"{COMBINED_PREFIX}{family.lower()}": names for family, names in _families().items() if len(names) > 1
}
_COMBINED = {name for names in SWITCHES.values() for name in names}


def _combined(names: tuple[str, ...]) -> FaultDefinition:
    """One row's definition of switches turned on together: what each breaks and blocks, on their actions."""
    members = [DEFINITIONS[name] for name in names]
    actions = {action for member in members for action in member.actions}
    return FaultDefinition(
        "; ".join(member.description for member in members),
        {requirement: words for member in members for requirement, words in member.violates.items()},
        blocks=frozenset().union(*(member.blocks for member in members)),
        overlap="each switch removes one action's route of the family: each action's route case fails on its "
                "own route (siblings of one case, and cancel's own route case)",
        actions=tuple(action for action in dict.fromkeys(load_catalog_actions()) if action in actions),
    )


def load_catalog_actions() -> list[str]:
    """The catalog's actions in catalog order."""
    return [requirement.action for requirement in load_catalog().values()]


# row -> its definition: the server's, or that of the switches the row turns on together
ROW_DEFINITIONS: dict[str, FaultDefinition] = {
    **{str(name): definition for name, definition in DEFINITIONS.items() if str(name) not in _COMBINED},
    **{row: _combined(names) for row, names in SWITCHES.items()},
}
# row -> the requirements a correct suite must fail on a server with only that row's fault(s): those whose
# sentence the definition cites as violated
EXPECTED: dict[str, frozenset[str]] = {
    name: definition.breaks for name, definition in ROW_DEFINITIONS.items() if not definition.gap
}
# gap switches (a half-built server): no requirement fails but their `breaks`, those that depend on the gap
# may be not-verified, every other passes, and the report names the gap's prerequisites
GAPS: dict[str, FaultDefinition] = {name: definition for name, definition in ROW_DEFINITIONS.items()
                                    if definition.gap}
ROWS: tuple[str, ...] = (*EXPECTED, *GAPS)


def row_switches(row: str) -> tuple[str, ...]:
    """The server fault switches a row turns on (none for the clean row)."""
    return () if row == CLEAN else SWITCHES.get(row, (row,))

_ENVELOPE = "GRAPH-ERROR-ENVELOPE"
# fault -> checks of a requirement it violates that cannot see it (each with why): they must pass on its row.
# Everything else follows from the fault's definition; a narrow fault is how one check is shown alone.
SPARED: dict[str, dict[str, str]] = {
    "invalid-token-accepted": {
        "CANCEL-AUTH-REQUIRED:test_cancel_without_token_is_refused_and_leaves_event":
            "it sends no token at all, which the fault still refuses (the exact-401 case sends invalid ones)",
    },
    "comment-required": {
        "CANCEL-COMMENT-STRING:test_valid_bodies_accepted":
            "the generated valid bodies (named examples and the seeded draw) carry non-empty comments; the "
            "fault refuses only a missing, empty or null one",
    },
    "body-on-202-upn": {
        "CANCEL-202-EMPTY:test_status_and_body_conform":
            "the generated cases address /users routes by id, never by userPrincipalName",
    },
    "body-on-202-pascal": {
        "CANCEL-202-EMPTY:test_cancel_route_answers_202_with_empty_body":
            "the hand-written 202 case spells the key `comment`, never `Comment`",
    },
    "auth-errors-no-content-type": {
        f"{_ENVELOPE}:test_errors_carry_the_graph_error_envelope":
            "its probes are refused for the request (400, 404, 405), never for the caller's token",
        f"{_ENVELOPE}:test_errors_use_graph_envelope":
            "the generated envelope family judges the coverage phase's invalid requests, refused with 400",
    },
    "not-found-no-content-type": {
        f"{_ENVELOPE}:test_permission_errors_use_graph_error_envelope":
            "its refusals are the caller's (401, 403, the /me 400), never a 404",
        f"{_ENVELOPE}:test_errors_use_graph_envelope":
            "the generated cases address real events, never an unknown one",
    },
    "inner-error-ids-missing": {
        f"{_ENVELOPE}:test_errors_use_graph_envelope":
            "the description's InnerError does not require its ids (as Graph's own OpenAPI description), so "
            "response_schema_conformance accepts an innerError with only `date`",
    },
    "refused-yet-cancelled": {
        "GRAPH-400-COMMENT-TYPE:test_wrong_comment_types_rejected":
            "the generated cases judge the answer only; they never read the event back",
        "GRAPH-400-UNKNOWN-PARAMETER:test_unknown_parameters_rejected":
            "the generated cases judge the answer only; they never read the event back",
    },
}


def row_actions(fault: str) -> tuple[str, ...]:
    """The actions a row runs with (`--actions`): its fault's (empty: every action, as the clean row)."""
    definition = ROW_DEFINITIONS.get(fault)
    return tuple(getattr(definition, "actions", ()) or ()) if definition is not None else ()


def left_out(fault: str, run: InnerRun) -> frozenset[str]:
    """The requirements a narrowed row does not judge: those of the actions it does not run (not-applicable),
    and the common ones whose every case probes those actions' routes (not-verified there)."""
    actions = row_actions(fault)
    if not actions:
        return frozenset()
    catalog = load_catalog()
    outcomes = {entry.get("id"): {case.get("outcome") for case in entry.get("cases", [])}
                for entry in run.certification.get("requirements", [])}
    return frozenset(rid for rid, verdict in run.verdicts.items()
                     if rid in catalog and action_of(catalog[rid]) not in actions
                     and (verdict == "not-applicable" or outcomes.get(rid) == {"not-applicable"}))


def left_out_checks(fault: str, run: InnerRun) -> frozenset[str]:
    """The checks a narrowed row did not run: not-applicable, of no requirement of the row's actions."""
    actions = row_actions(fault)
    if not actions:
        return frozenset()
    catalog = load_catalog()
    return frozenset(check for check, outcome in run.checks.items()
                     if outcome == "not-applicable" and requirement_of(check) in catalog
                     and action_of(catalog[requirement_of(check)]) not in actions)


def requirement_of(check: str) -> str:
    """`CANCEL-202-EMPTY:test_x` -> `CANCEL-202-EMPTY`."""
    return check.split(":", 1)[0]


def expected_failing(fault: str) -> frozenset[str]:
    """The requirement ids that must fail on this row (none on the clean server)."""
    if fault == CLEAN:
        return frozenset()
    return GAPS[fault].breaks if fault in GAPS else EXPECTED[fault]


def expected_failing_checks(fault: str, checks: Iterable[str]) -> frozenset[str]:
    """The checks that must fail on this row: every check of a requirement it violates, less SPARED ones."""
    failing, spared = expected_failing(fault), SPARED.get(fault, {})
    return frozenset(check for check in checks if requirement_of(check) in failing and check not in spared)


def expected_exit(fault: str) -> int:
    """1 where a requirement must fail, else 0."""
    return 1 if expected_failing(fault) else 0


def allowed_not_verified(fault: str, catalog_ids: Iterable[str]) -> frozenset[str]:
    """The requirement ids that may end not-verified (gaps: the static mock, all but the state-free)."""
    definition = ROW_DEFINITIONS.get(fault)
    if definition is None:
        return frozenset()
    if definition.static:
        return frozenset(catalog_ids) - frozenset(STATE_FREE) - definition.breaks
    return definition.blocks


def clean_problems(run: InnerRun) -> list[str]:
    """The clean row verifies everything: every requirement passes, and every check and case passes."""
    problems = [f"{rid}: {verdict}, expected pass" for rid, verdict in run.verdicts.items()
                if verdict != "pass"]
    problems += [f"check {check}: {outcome}, expected pass" for check, outcome in sorted(run.checks.items())
                 if outcome != "pass"]
    cases = {case["nodeid"]: case for requirement in run.certification.get("requirements", [])
             for case in requirement.get("cases", [])}
    problems += [f"case {nodeid}: {case.get('outcome')} ({str(case.get('message', '')).strip()[:160]})"
                 for nodeid, case in cases.items() if case.get("outcome") != "pass"]
    return problems


# fault row -> requirements that may end not-verified or pass there (each with why): the draw decides it
MAY_BLOCK: dict[str, dict[str, str]] = {
    "answer-comment-required": {
        "ACCEPT-AUTH-REQUIRED":
            "the generated auth family judges only accept's answered (2xx) positive cases; whether those it "
            "draws carry a comment (accepted) or none (refused by this fault: nothing to judge) varies "
            "between runs of the same seed (seen both ways in fresh-clone CI runs)",
    },
}


def not_verified_problems(fault: str, run: InnerRun) -> list[str]:
    """A requirement left not-verified that the row does not name (a fault row: also one it names, not so);
    those it may block (MAY_BLOCK) may be either."""
    named = allowed_not_verified(fault, run.verdicts)
    either = frozenset(MAY_BLOCK.get(fault, {}))
    seen = frozenset(run.with_verdict("not-verified")) - left_out(fault, run) - either
    problems = [f"{rid}: not-verified, which the row does not name" for rid in sorted(seen - named)]
    if fault in EXPECTED:
        problems += [f"{rid}: {run.verdicts.get(rid)}, though the row names it not-verified (stale blocks)"
                     for rid in sorted(named - seen)]
    return problems


def gap_problems(fault: str, run: InnerRun) -> list[str]:
    """A gap row's problems besides its failing set: a requirement that should pass, an unnamed gap."""
    definition = GAPS.get(fault)
    if definition is None or not run.verdicts:
        return []
    skipped = left_out(fault, run)
    problems = [f"{rid}: {verdict}, expected pass" for rid, verdict in run.verdicts.items()
                if rid not in definition.breaks | skipped and verdict not in ("pass", "not-verified")]
    table = run.certification.get("prerequisites")
    if table is None:
        return problems
    named = {row.get("id") for row in table if row.get("failed") or row.get("fallbacks")}
    problems += [f"the report does not name prerequisite {prerequisite} (no failed or fallback record)"
                 for prerequisite in sorted(definition.prerequisites - named)]
    return problems


def row_problems(fault: str, run: InnerRun, checks: Iterable[str]) -> list[str]:
    """Everything wrong with one row, judged against `checks` (the clean row's); empty: as stated."""
    if not run.verdicts:
        return ["no certification.json (the run did not report)"]
    if fault == CLEAN:
        return clean_problems(run)
    problems: list[str] = []
    if run.exit_code != expected_exit(fault):
        problems.append(f"exit {run.exit_code}, expected {expected_exit(fault)}")
    expected = expected_failing(fault)
    problems += [f"{rid}: {run.verdicts.get(rid)}, expected fail" for rid in sorted(expected - run.failing)]
    problems += [f"{rid}: fail, not expected" for rid in sorted(run.failing - expected)]
    wanted = expected_failing_checks(fault, checks) - left_out_checks(fault, run)
    problems += [f"check {check}: {run.checks.get(check, 'not run')}, expected fail"
                 for check in sorted(wanted - run.failing_checks)]
    problems += [f"check {check}: fail, not expected" for check in sorted(run.failing_checks - wanted)
                 if requirement_of(check) in expected]
    return problems + not_verified_problems(fault, run) + gap_problems(fault, run)
