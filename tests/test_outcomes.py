"""Outcome names and the skip messages that end a case not-applicable or not-verified."""

from __future__ import annotations

import pytest

from conformance.outcomes import (
    NOT_APPLICABLE,
    NOT_VERIFIED,
    OUTCOMES,
    ExitCode,
    not_applicable,
    not_verified,
    outcome_of_skip,
    refuse,
)

SKIP = pytest.skip.Exception


def test_the_outcomes_and_exit_codes_are_the_readmes() -> None:
    assert OUTCOMES == ("pass", "fail", "not-verified", "not-applicable")
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3, 5, 130]


def test_a_case_ends_not_applicable_or_not_verified_with_its_reason() -> None:
    with pytest.raises(SKIP) as applicable:
        not_applicable("profile 'groups' unsupported")
    assert applicable.value.msg == "not-applicable: profile 'groups' unsupported"
    with pytest.raises(SKIP) as verified:
        not_verified("no application identity")
    assert verified.value.msg == "not-verified: no application identity"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("not-applicable: profile 'groups'", NOT_APPLICABLE),
        ("Skipped: not-applicable: profile 'groups'", NOT_APPLICABLE),
        ("  not-applicable: padded", NOT_APPLICABLE),
        ("Skipped:   not-applicable: padded after the prefix", NOT_APPLICABLE),
        ("not-verified: no identity", NOT_VERIFIED),
        ("Skipped: some plain skip", NOT_VERIFIED),
        ("a reason mentioning not-applicable later", NOT_VERIFIED),
        ("Skipped: not-verified: Skipped: not-applicable", NOT_VERIFIED),
        ("", NOT_VERIFIED),
    ],
)
def test_a_skip_is_not_applicable_only_when_it_says_so_first(message: str, expected: str) -> None:
    assert outcome_of_skip(message) == expected


def test_a_refused_run_prints_one_line_and_returns_its_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert refuse("no such profile 'x'") == 2
    assert refuse("the target file is unreadable", ExitCode.USAGE) == int(ExitCode.USAGE)
    assert capsys.readouterr().err == (
        "graph-conformance: no such profile 'x'\ngraph-conformance: the target file is unreadable\n")
