"""A test-only HTTP proxy on 127.0.0.1 injecting 429/503/resets/stalls/garbage in front of a real server."""

from __future__ import annotations

import http.client
import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

PASS = "pass"
THROTTLE = "429"  # 429 with Retry-After in whole seconds
THROTTLE_FRACTIONAL = "429-fractional"  # 429 with Retry-After: 0.3
THROTTLE_NO_RETRY_AFTER = "429-no-retry-after"
UNAVAILABLE = "503"
RESET = "reset"  # the connection is reset (RST) before the request reaches the server
STALL = "stall"  # the request is read, then nothing is answered until the proxy stops
HTML_PAGE = "html"  # an HTML error page (502, text/html) instead of the server's answer
INVALID_JSON = "invalid-json"  # the server's status, a JSON content type and a body that is not JSON
ACTIONS = (PASS, THROTTLE, THROTTLE_FRACTIONAL, THROTTLE_NO_RETRY_AFTER, UNAVAILABLE, RESET, STALL, HTML_PAGE,
           INVALID_JSON)
THROTTLE_BODY = b'{"error":{"code":"TooManyRequests","message":"Please retry after the given time."}}'
HTML_BODY = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}

Chooser = Callable[[int, str, str], str]  # (request number from 1, method, path) -> action


@dataclass
class ChaosPlan:
    """Which requests get which action: a seeded fraction of eligible requests, at most `limit` of them."""

    actions: tuple[str, ...]
    fraction: float = 0.1
    limit: int = 20
    seed: int = 1
    after: int = 0  # leave the first `after` requests alone (provisioning before the run gets going)
    only_methods: tuple[str, ...] = ()  # e.g. ("POST",): only requests with these methods are eligible
    _random: random.Random = field(init=False, repr=False)
    _injected: int = field(default=0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def __call__(self, number: int, method: str, path: str) -> str:
        """The action for request `number` (thread-safe; bounded by `limit`)."""
        with self._lock:
            eligible = number > self.after and (not self.only_methods or method in self.only_methods)
            if not eligible or self._injected >= self.limit or self._random.random() >= self.fraction:
                return PASS
            self._injected += 1
            return self._random.choice(self.actions)


class _ChaosServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    proxy: ChaosProxy


class _ChaosHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ChaosServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        """Stay quiet: the test reads the proxy's counters, not its log."""

    def __getattr__(self, name: str) -> Callable[[], None]:
        if name.startswith("do_"):
            return self._relay
        raise AttributeError(name)

    def _relay(self) -> None:
        proxy = self.server.proxy
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        action = proxy.next_action(self.command, self.path)
        if action == RESET:
            self._reset()
        elif action == STALL:
            proxy.stopping.wait(proxy.stall_s)
            self.close_connection = True
        elif action in (THROTTLE, THROTTLE_FRACTIONAL, THROTTLE_NO_RETRY_AFTER, UNAVAILABLE):
            retry_after = {THROTTLE: "1", THROTTLE_FRACTIONAL: "0.3", UNAVAILABLE: "0.2"}.get(action)
            status = 503 if action == UNAVAILABLE else 429
            headers = {"Content-Type": "application/json"}
            if retry_after:
                headers["Retry-After"] = retry_after
            self._answer(status, headers, THROTTLE_BODY)
        else:
            status, headers, upstream_body = self._forward(body)
            if action == HTML_PAGE:
                self._answer(502, {"Content-Type": "text/html"}, HTML_BODY)
            elif action == INVALID_JSON:
                self._answer(status if status != 204 else 200, {"Content-Type": "application/json"},
                             b'{"error": {"code": "Broken", "message": ')
            else:
                self._answer(status, headers, upstream_body)

    def _forward(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        upstream = self.server.proxy.upstream
        connection = http.client.HTTPConnection(upstream.hostname or "127.0.0.1", upstream.port, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in (*HOP_BY_HOP, "host")}
            headers["Host"] = upstream.netloc
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            answer = {k: v for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP}
            return response.status, answer, payload
        finally:
            connection.close()

    def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response_only(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _reset(self) -> None:
        """Close with SO_LINGER 0, so the client sees a connection reset, not a clean close."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


class ChaosProxy:
    """The proxy's state: the upstream, the chooser, and what was injected (counted by action)."""

    def __init__(self, upstream_root: str, chooser: Chooser, *, stall_s: float = 20.0) -> None:
        self.upstream = urlsplit(upstream_root)
        self.chooser, self.stall_s = chooser, stall_s
        self.injected: Counter[str] = Counter()
        self.requests = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = _ChaosServer(("127.0.0.1", 0), _ChaosHandler)
        self._server.proxy = self
        self.root_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def next_action(self, method: str, path: str) -> str:
        """Number this request and pick its action."""
        with self._lock:
            self.requests += 1
            number = self.requests
        action = self.chooser(number, method, path)
        with self._lock:
            self.injected[action] += 1
        return action

    @contextmanager
    def running(self) -> Iterator[ChaosProxy]:
        """Serve in a background thread until the block ends."""
        thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                  daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.stopping.set()
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=5)


def wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    """Poll `condition` every 50 ms for at most `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
