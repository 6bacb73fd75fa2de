"""Bounded polling for asynchronous effects (messages, attendee copies): never a blind sleep."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(fn: Callable[[], T], *, timeout_s: float, interval_s: float = 0.25) -> T | None:
    """Call `fn` until it returns a truthy value (returned) or `timeout_s` passes (None); at least once."""
    deadline = time.monotonic() + max(timeout_s, 0.0)
    while True:
        value = fn()
        if value:
            return value
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        time.sleep(min(interval_s, remaining))
