"""preflight's CANCEL-WITHOUT-ATTENDEES row and its exit codes (conformance.outcomes.ExitCode)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from conformance.outcomes import ExitCode
from conformance.target.preflight import run_preflight
from tests._gaps import ERROR_BODY, Gaps

ROW = "CANCEL-WITHOUT-ATTENDEES"


def preflight_of(target_file: Path, run_id: str) -> tuple[int, str]:
    out = io.StringIO()
    code = run_preflight(target_file=str(target_file), base_url=None, run_id=run_id, out=out, environ={})
    return code, out.getvalue()


def test_an_accepted_cancel_of_an_event_without_attendees_is_ok_and_exits_conformant(
    reference_target: Path,
) -> None:
    code, output = preflight_of(reference_target, "gc-preflight-cancel-1")
    assert code == ExitCode.CONFORMANT, output
    assert re.search(rf"^{ROW}\s+ok\s.*POST /v1\.0/me/events/\S+/cancel -> HTTP 202$", output, re.M), output


def test_a_refused_cancel_of_an_event_without_attendees_is_named_with_its_fix_and_exits_1(
    reference_target: Path, gaps: Gaps
) -> None:
    gaps.add("POST", r"/cancel$", 403, ERROR_BODY)
    code, output = preflight_of(reference_target, "gc-preflight-cancel-2")
    assert code == ExitCode.NOT_CONFORMANT, output
    failed = [line for line in output.splitlines() if line.startswith(ROW)]
    assert len(failed) == 1 and re.match(rf"{ROW}\s+failed\s.*-> HTTP 403 NotSupported$", failed[0]), output
    assert "fix: accept the organizer's cancel of an event without attendees" in output
    others = re.findall(r"^([A-Z][A-Z-]+)\s+failed\s", output, re.M)
    assert others == [ROW], output  # nothing else is blamed for it
