"""uvicorn's h11 protocol with the writes of one event-loop turn sent together (one segment per response).

uvicorn writes a response's headers and body separately; each write is a syscall that wakes the client once
more. The writes made within one loop iteration (start + body of a non-streamed response) are joined and sent
with a single `transport.write` on the next turn.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


class _CoalescingTransport:
    """A transport proxy buffering writes until the loop's next turn; close() flushes first."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport, self._loop = transport, loop
        self._buffer: list[bytes] = []
        self._scheduled = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        self._buffer.append(bytes(data))
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._scheduled = False
        if self._buffer:
            data = b"".join(self._buffer)
            self._buffer.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingH11Protocol(H11Protocol):
    """H11Protocol whose transport joins the writes of one loop turn."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not isinstance(transport, asyncio.Transport):
            raise TypeError(f"expected a stream transport, got {type(transport).__name__}")
        proxy = _CoalescingTransport(transport, asyncio.get_running_loop())
        super().connection_made(proxy)  # type: ignore[arg-type]
