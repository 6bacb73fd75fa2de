"""Remote-target simulation: the per-mailbox concurrency limit (4, as Outlook) and request-rate limit."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from conformance.reference.graph_errors import GraphError

MAX_CONCURRENT_PER_MAILBOX = 4
_RATE_WINDOW_S = 1.0


class MailboxThrottle:
    """Counts in-flight requests and recent request times per mailbox; 429 + Retry-After beyond the limits."""

    def __init__(self, enabled: bool, rate_limit: float) -> None:
        self.enabled, self.rate_limit = enabled, rate_limit
        self._in_flight: dict[str, int] = defaultdict(int)
        self._recent: dict[str, deque[float]] = defaultdict(deque)

    def enter(self, mailbox: str | None) -> bool:
        """Admit one request for `mailbox` (True: call leave() later), or raise 429."""
        if not self.enabled or mailbox is None:
            return False
        if self._in_flight[mailbox] >= MAX_CONCURRENT_PER_MAILBOX:
            raise _too_many("1", "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
        if self.rate_limit > 0:
            now, recent = time.monotonic(), self._recent[mailbox]
            while recent and recent[0] <= now - _RATE_WINDOW_S:
                recent.popleft()
            if len(recent) >= self.rate_limit * _RATE_WINDOW_S:
                retry_after = max(0.1, recent[0] + _RATE_WINDOW_S - now)
                raise _too_many(
                    f"{retry_after:.1f}", "TooManyRequests", "Too many requests for this mailbox."
                )
            recent.append(now)
        self._in_flight[mailbox] += 1
        return True

    def leave(self, mailbox: str | None) -> None:
        """A request admitted by enter() has finished."""
        if mailbox is not None and self._in_flight[mailbox] > 0:
            self._in_flight[mailbox] -= 1


def _too_many(retry_after: str, code: str, message: str) -> GraphError:
    return GraphError(429, code, message, {"Retry-After": retry_after})


class EveryNth:
    """`serve --throttle-every N`: every Nth Graph request (of all) is refused with Retry-After."""

    def __init__(self, every: int, status: int, retry_after: float) -> None:
        self.every, self.status, self.retry_after = every, status, retry_after
        self._count = 0
        self._lock = threading.Lock()

    def check(self) -> None:
        """Count one request; raise the 429/503 when it is the Nth."""
        if self.every <= 0:
            return
        with self._lock:
            self._count += 1
            refused = self._count % self.every == 0
        if not refused:
            return
        header = {"Retry-After": f"{self.retry_after:g}"}
        if self.status == 503:
            raise GraphError(503, "ServiceUnavailable", "The service is temporarily unavailable.", header)
        raise GraphError(429, "TooManyRequests", "Too many requests; retry after the given time.", header)
