"""Safe by default: refuse a remote target whose file does not name the attendee identities."""

from __future__ import annotations

from conformance.errors import TargetConfigError
from conformance.target.config import TargetConfig


def check_safe_to_run(target: TargetConfig) -> None:
    """Raise TargetConfigError when cancellation mail could reach anyone but configured test accounts."""
    if target.is_loopback or target.attendee_roles:
        return
    raise TargetConfigError(
        f"refusing to run against {target.base_url}: it is not a loopback address and {target.source} "
        "names no "
        "identities.attendees, so the suite cannot know whom cancellation messages may reach; add the test "
        "attendee accounts to the target file"
    )
