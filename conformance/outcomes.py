"""Honest outcomes besides pass and fail: not-applicable and not-verified are never counted as passes."""

from __future__ import annotations

from typing import NoReturn

import pytest

PASS = "pass"
FAIL = "fail"
NOT_APPLICABLE = "not-applicable"
NOT_VERIFIED = "not-verified"
OUTCOMES = (PASS, FAIL, NOT_VERIFIED, NOT_APPLICABLE)  # the order every report lists them in


def not_applicable(reason: str) -> NoReturn:
    """End the case: the target declared the requirement's profile unsupported."""
    pytest.skip(f"{NOT_APPLICABLE}: {reason}")


def not_verified(reason: str) -> NoReturn:
    """End the case: the suite lacked what it needed (e.g. no application identity) to check it."""
    pytest.skip(f"{NOT_VERIFIED}: {reason}")


def outcome_of_skip(message: str) -> str:
    """Map a skip message to `not-applicable` or `not-verified` (a plain skip is `not-verified`)."""
    text = message.split("Skipped: ", 1)[-1].strip()
    return NOT_APPLICABLE if text.startswith(NOT_APPLICABLE) else NOT_VERIFIED
