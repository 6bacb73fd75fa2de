"""Settings of one reference-server instance: fault switches and remote-target simulation."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

MAX_PORT = 65535
THROTTLE_STATUSES = (429, 503)


@dataclass(frozen=True)
class ServerSettings:
    """Faults and simulation knobs, fixed for the lifetime of a server; ValueError names a bad one."""

    faults: frozenset[str] = field(default_factory=frozenset)
    latency_ms: int = 0
    throttle: bool = False
    rate_limit: float = 0.0
    message_delay_ms: int = 0
    apply_delay_ms: int = 0  # a cancel's effects are applied this long after its 202
    list_delay_ms: int = 0  # a message is listed this long after it exists (GET by id finds it at once)
    send_limit: int = 0  # meeting messages per minute per sender; later ones are delivered late (0: no limit)
    max_body_bytes: int = 4 * 1024 * 1024
    throttle_every: int = 0  # every Nth Graph request is refused with throttle_status + Retry-After (0: none)
    throttle_status: int = 429  # 429 (TooManyRequests) or 503 (ServiceUnavailable)
    retry_after: float = 1.0  # the Retry-After (seconds) of those refusals

    def __post_init__(self) -> None:
        numbers = ("latency_ms", "rate_limit", "message_delay_ms", "apply_delay_ms", "list_delay_ms",
                   "send_limit", "max_body_bytes", "throttle_every", "retry_after")
        for name in numbers:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{option_name(name)} {value!r}: expected a number")
            if value < 0:
                raise ValueError(f"{option_name(name)} {value}: must be 0 or more")
        if self.throttle_status not in THROTTLE_STATUSES:
            raise ValueError(f"--throttle-status {self.throttle_status!r}: must be 429 or 503")

    @property
    def message_delay_s(self) -> float:
        """The attendee-side delivery delay in seconds."""
        return self.message_delay_ms / 1000.0

    @property
    def apply_delay_s(self) -> float:
        """How long after its 202 a cancel's effects are applied, in seconds."""
        return self.apply_delay_ms / 1000.0

    @property
    def list_delay_s(self) -> float:
        """How long after it exists a message is listed, in seconds."""
        return self.list_delay_ms / 1000.0


def option_name(setting: str) -> str:
    """The `graph-conformance serve` option of a setting: latency_ms -> --latency-ms."""
    return "--" + setting.replace("_", "-")


def check_port(port: int) -> int:
    """The port, or ValueError when it is not 0-65535 (0 picks a free port)."""
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= MAX_PORT:
        raise ValueError(f"--port {port}: must be 0-{MAX_PORT} (0 picks a free port)")
    return port
