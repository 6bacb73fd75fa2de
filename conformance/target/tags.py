"""Run ids and the subject/name tag that marks everything the suite creates."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

TAG_START = "[gc "
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def new_run_id(now: datetime | None = None) -> str:
    """A fresh run id, e.g. `gc-20261123-2012-ab12`."""
    moment = now or datetime.now(UTC)
    return f"gc-{moment:%Y%m%d-%H%M}-{secrets.token_hex(2)}"


def is_valid_run_id(run_id: str) -> bool:
    """Whether `run_id` is safe inside a subject and an OData string literal."""
    return bool(_RUN_ID.match(run_id))


def tag(run_id: str) -> str:
    """The prefix of every subject and name the run creates: `[gc <run_id>]`."""
    return f"{TAG_START}{run_id}]"


def is_tagged(text: str | None, run_id: str | None = None) -> bool:
    """Whether `text` carries the suite's tag (of `run_id`, or of any run)."""
    if not text:
        return False
    return text.startswith(tag(run_id)) if run_id else text.startswith(TAG_START)
