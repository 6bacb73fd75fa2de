"""The Schemathesis check families on fake cases and answers: our check, the ids, the cases each judges."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from schemathesis import Case
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import CoverageScenario, TestPhase

from conformance.cases.generated import _checks, _family, _select
from tests.cases.generated._fake_case import NO_META, fake_case

# --- CANCEL-202-EMPTY's own check ---------------------------------------------------------------------------

@pytest.mark.parametrize("status", [200, 202, 204, 299])
def test_a_success_with_an_empty_body_passes(status: int) -> None:
    assert _checks.body_on_success(status, b"") is None


@pytest.mark.parametrize("status", [199, 300, 400, 404, 500])
def test_a_body_on_anything_but_a_success_is_not_this_checks_matter(status: int) -> None:
    assert _checks.body_on_success(status, b'{"error": {}}') is None


def test_a_body_on_a_success_fails_and_shows_its_start() -> None:
    assert _checks.body_on_success(200, b'{"id": "x"}') == (
        'Body on a success answer: 200 carried 11 bytes (`{"id": "x"}`); the page says the action returns '
        "its success with nothing in the body"
    )
    long = _checks.body_on_success(202, b"a" * 250 + b"\xff")
    assert long is not None and f"251 bytes (`{'a' * 200}`)" in long
    assert "carried 1 bytes (`\ufffd`)" in str(_checks.body_on_success(202, b"\xff"))
    assert "carried 1 bytes (` `)" in str(_checks.body_on_success(299, b" "))


def test_the_schemathesis_check_raises_what_body_on_success_finds() -> None:
    ok = SimpleNamespace(status_code=202, content=b"")
    assert _checks.accepted_has_empty_body(None, ok, None) is None
    with pytest.raises(AssertionError, match=r"^Body on a success answer: 202 carried 2 bytes"):
        _checks.accepted_has_empty_body(None, SimpleNamespace(status_code=202, content=b"{}"), None)


# --- each family's requirement ids --------------------------------------------------------------------------

def test_each_family_lands_on_its_requirements_in_order_without_duplicates() -> None:
    assert _checks.requirements_of(_checks.NO_SERVER_ERROR) == ("GRAPH-NO-SERVER-ERROR",)
    assert _checks.requirements_of(_checks.STATUS_AND_BODY) == ("CANCEL-202-EMPTY",)
    assert _checks.requirements_of(_checks.ERROR_ENVELOPE) == ("GRAPH-ERROR-ENVELOPE",)
    assert _checks.requirements_of(_checks.MALFORMED_REJECTED) == ("GRAPH-400-COMMENT-TYPE",
                                                                   "GRAPH-400-UNKNOWN-PARAMETER")
    assert _checks.requirements_of(_checks.VALID_ACCEPTED) == ("CANCEL-COMMENT-STRING",)
    assert _checks.requirements_of(_checks.AUTH_ENFORCED) == ("CANCEL-AUTH-REQUIRED",)
    assert _checks.requirements_of(_checks.OTHER_METHODS_REJECTED) == ("GRAPH-405-OTHER-METHODS",)
    mixed = _checks.ERROR_ENVELOPE + _checks.NO_SERVER_ERROR + _checks.STATUS_AND_BODY
    assert _checks.requirements_of(mixed) == (
        "GRAPH-ERROR-ENVELOPE", "GRAPH-NO-SERVER-ERROR", "CANCEL-202-EMPTY")
    assert _checks.requirements_of(()) == ()


def test_the_families_report_under_their_test_functions_and_ids() -> None:
    assert {family.name: family.ids for family in _family.FAMILIES} == {
        "test_no_server_error": ("GRAPH-NO-SERVER-ERROR",),
        "test_status_and_body_conform": ("CANCEL-202-EMPTY",),
        "test_errors_use_graph_envelope": ("GRAPH-ERROR-ENVELOPE",),
        "test_wrong_comment_types_rejected": ("GRAPH-400-COMMENT-TYPE",),
        "test_unknown_parameters_rejected": ("GRAPH-400-UNKNOWN-PARAMETER",),
        "test_valid_bodies_accepted": ("CANCEL-COMMENT-STRING",),
        "test_auth_is_enforced": ("CANCEL-AUTH-REQUIRED",),
        "test_other_methods_rejected": ("GRAPH-405-OTHER-METHODS",),
    }
    about_answer = {family.name for family in _family.FAMILIES if family.about_answer}
    assert about_answer == {_family.WRONG_TYPE_FAMILY.name, _family.UNKNOWN_PARAMETER_FAMILY.name,
                            _family.METHODS_FAMILY.name}
    skipping = [family.name for family in _family.FAMILIES if family.skips_server_errors]
    assert skipping == [_family.STATUS_FAMILY.name]
    assert [family.name for family in _family.FAMILIES if family.needs_success] == [_family.AUTH_FAMILY.name]
    independent = {family.name for family in _family.FAMILIES if family.route_independent}
    assert independent == {_family.NO_SERVER_ERROR_FAMILY.name, _family.ENVELOPE_FAMILY.name}


# --- which cases a family judges ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("body", "flaws"),
    [
        ({"comment": "x"}, set()),
        ({"Comment": "x"}, set()),
        ({"comment": None}, set()),
        ({}, set()),
        ({"comment": 1}, {_select.WRONG_COMMENT_TYPE}),
        ({"Comment": ["x"]}, {_select.WRONG_COMMENT_TYPE}),
        ({"comment": "x", "Comment": False}, {_select.WRONG_COMMENT_TYPE}),
        ({"comment": "x", "extra": 1}, {_select.UNKNOWN_PARAMETER}),
        ({"comment": {}, "x": "y"}, {_select.WRONG_COMMENT_TYPE, _select.UNKNOWN_PARAMETER}),
        (None, set()),
        (["comment"], set()),
        ("comment", set()),
    ],
)
def test_body_flaws_name_a_wrong_comment_type_and_unknown_parameters(body: Any, flaws: set[str]) -> None:
    assert _select.body_flaws(fake_case(body)) == flaws


@pytest.mark.parametrize(
    ("body", "expected"),
    [({"comment": "x"}, True), ({"Comment": 1}, True), ({"comment": "x", "other": 1}, True),
     ({"comment": "x", "Comment": "y"}, False), ({}, False), ({"other": "x"}, False), (None, False)],
)
def test_one_spelling_of_the_comment_is_what_the_valid_family_judges(body: Any, expected: bool) -> None:
    assert _select.carries_one_comment(fake_case(body)) is expected


def test_positive_negative_and_phase_come_from_the_metadata() -> None:
    positive = fake_case(mode=GenerationMode.POSITIVE, phase=TestPhase.EXAMPLES)
    negative = fake_case(mode=GenerationMode.NEGATIVE, phase=TestPhase.FUZZING)
    bare = fake_case(meta=NO_META)
    assert (_select.is_positive(positive), _select.is_negative(positive),
            _select.phase_of(positive)) == (True, False, "examples")
    assert (_select.is_positive(negative), _select.is_negative(negative),
            _select.phase_of(negative)) == (False, True, "fuzzing")
    assert (_select.is_positive(bare), _select.is_negative(bare), _select.phase_of(bare)) == (False,
                                                                                              False, "")


WRONG_TYPE = {"comment": 5}
NEGATIVE = GenerationMode.NEGATIVE


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (fake_case(WRONG_TYPE, mode=GenerationMode.NEGATIVE), True),
        (fake_case({"x": "y"}, mode=NEGATIVE, scenario=CoverageScenario.OBJECT_UNEXPECTED_PROPERTIES), True),
        (fake_case(WRONG_TYPE, mode=GenerationMode.POSITIVE), False),
        (fake_case({"comment": "x"}, mode=GenerationMode.NEGATIVE), False),
        (fake_case(WRONG_TYPE, mode=GenerationMode.NEGATIVE, meta=NO_META), False),
        (fake_case(WRONG_TYPE, mode=GenerationMode.NEGATIVE, path={"event-id": "%00"}), False),
        (fake_case(WRONG_TYPE, mode=NEGATIVE, scenario=CoverageScenario.UNSPECIFIED_HTTP_METHOD), False),
        (fake_case(WRONG_TYPE, mode=NEGATIVE, scenario=CoverageScenario.MALFORMED_CONTENT_TYPE), False),
        (fake_case(WRONG_TYPE, mode=NEGATIVE, scenario=CoverageScenario.UNSUPPORTED_CONTENT_TYPE), False),
    ],
    ids=["wrong-type", "unknown-parameter", "positive", "no-flaw", "no-meta", "path-mutated", "other-method",
         "malformed-content-type", "unsupported-content-type"],
)
def test_a_body_mutation_is_a_negative_case_whose_only_fault_is_its_body(case: Case, expected: bool) -> None:
    assert _select.is_body_mutation(case) is expected


def test_a_family_of_one_flaw_judges_body_mutations_with_that_flaw_alone() -> None:
    """Called here, not only when the module is imported, so that its mutants are run."""
    judges = _family._only_flaw(_select.WRONG_COMMENT_TYPE)
    assert judges(fake_case(WRONG_TYPE, mode=GenerationMode.NEGATIVE))
    assert not judges(fake_case(WRONG_TYPE, mode=GenerationMode.POSITIVE))
    assert not judges(fake_case({"comment": 1, "y": 1}, mode=GenerationMode.NEGATIVE))
    assert not judges(fake_case({"y": 1}, mode=GenerationMode.NEGATIVE))
    assert _family._only_flaw(_select.UNKNOWN_PARAMETER)(fake_case({"y": 1},
                                                                   mode=GenerationMode.NEGATIVE)) is True


def test_an_other_method_probe_is_the_unspecified_method_scenario() -> None:
    assert _select.is_other_method_probe(fake_case(scenario=CoverageScenario.UNSPECIFIED_HTTP_METHOD))
    unexpected = fake_case(scenario=CoverageScenario.OBJECT_UNEXPECTED_PROPERTIES)
    assert not _select.is_other_method_probe(unexpected)
    assert not _select.is_other_method_probe(fake_case())


def test_each_family_judges_its_own_cases() -> None:
    wrong_type = fake_case(WRONG_TYPE, mode=GenerationMode.NEGATIVE)
    unknown = fake_case({"comment": "x", "y": 1}, mode=GenerationMode.NEGATIVE)
    both = fake_case({"comment": 1, "y": 1}, mode=GenerationMode.NEGATIVE)
    assert _family.WRONG_TYPE_FAMILY.judges(wrong_type) and not _family.WRONG_TYPE_FAMILY.judges(unknown)
    assert _family.UNKNOWN_PARAMETER_FAMILY.judges(unknown)
    assert not _family.UNKNOWN_PARAMETER_FAMILY.judges(wrong_type)
    assert not _family.WRONG_TYPE_FAMILY.judges(both) and not _family.UNKNOWN_PARAMETER_FAMILY.judges(both)
    assert _family.ENVELOPE_FAMILY.judges(wrong_type)
    assert not _family.ENVELOPE_FAMILY.judges(fake_case(WRONG_TYPE, mode=NEGATIVE, phase=TestPhase.FUZZING))
    valid = fake_case({"comment": "x"})
    assert _family.VALID_FAMILY.judges(valid) and not _family.VALID_FAMILY.judges(fake_case({}))
    assert _family.STATUS_FAMILY.judges(valid) and _family.AUTH_FAMILY.judges(valid)
    assert not _family.STATUS_FAMILY.judges(wrong_type)
    assert _family.NO_SERVER_ERROR_FAMILY.judges(wrong_type) and _family.NO_SERVER_ERROR_FAMILY.judges(valid)
    assert _family.METHODS_FAMILY.judges(fake_case(scenario=CoverageScenario.UNSPECIFIED_HTTP_METHOD))
    assert not _family.METHODS_FAMILY.judges(valid)
