"""Outcome names and exit codes in one home: what a case ends as, and what a run exits with.

Not-applicable and not-verified are never counted as passes. The exit codes are the README's table.
"""

from __future__ import annotations

import enum
import sys
from typing import NoReturn

PASS = "pass"
FAIL = "fail"
NOT_APPLICABLE = "not-applicable"
NOT_VERIFIED = "not-verified"
OUTCOMES = (PASS, FAIL, NOT_VERIFIED, NOT_APPLICABLE)  # the order every report lists them in


class ExitCode(enum.IntEnum):
    """The exit codes of a conformance run (and of the command line)."""

    CONFORMANT = 0  # no requirement fails (a certification: every doc requirement passes)
    NOT_CONFORMANT = 1  # a requirement fails, a stale baseline entry, a failing non-conformance test
    USAGE = 2  # a bad option, target file, product file or baseline; the message names it and the fix
    TARGET_UNREACHABLE = 3  # the target does not answer (at the start, or a health probe during the run)
    NO_TESTS = 5  # pytest's own "no tests collected": a run that checks nothing is not a success
    INTERRUPTED = 130  # a `graph-conformance` command stopped by Ctrl-C (128 + SIGINT, as shells report it)


def refuse(message: str, exit_code: int = ExitCode.USAGE) -> int:
    """Print one line on stderr and return `exit_code`: what a `pytest_cmdline_main` returns to stop a run.

    A `pytest.exit` from `pytest_configure` is printed twice by pytest (and as a traceback under `--help`),
    so configuration checks run in a tryfirst `pytest_cmdline_main` and end the run through this.
    """
    sys.stderr.write(f"graph-conformance: {message}\n")
    return int(exit_code)


def not_applicable(reason: str) -> NoReturn:
    """End the case: the target declared the requirement's profile unsupported."""
    import pytest  # here, not at import time: errors.py (and so the command line) imports this module

    pytest.skip(f"{NOT_APPLICABLE}: {reason}")


def not_verified(reason: str) -> NoReturn:
    """End the case: the suite lacked what it needed (e.g. no application identity) to check it."""
    import pytest

    pytest.skip(f"{NOT_VERIFIED}: {reason}")


def outcome_of_skip(message: str) -> str:
    """Map a skip message to `not-applicable` or `not-verified` (a plain skip is `not-verified`)."""
    text = message.split("Skipped: ", 1)[-1].strip()
    return NOT_APPLICABLE if text.startswith(NOT_APPLICABLE) else NOT_VERIFIED
