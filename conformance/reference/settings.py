"""Settings of one reference-server instance: fault switches and remote-target simulation."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ServerSettings:
    """Faults and simulation knobs, fixed for the lifetime of a server."""

    faults: frozenset[str] = field(default_factory=frozenset)
    latency_ms: int = 0
    throttle: bool = False
    rate_limit: float = 0.0
    message_delay_ms: int = 0
    max_body_bytes: int = 4 * 1024 * 1024

    @property
    def message_delay_s(self) -> float:
        """The attendee-side delivery delay in seconds."""
        return self.message_delay_ms / 1000.0
