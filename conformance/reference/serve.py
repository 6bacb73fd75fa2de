"""Running the reference server: ReferenceServer (uvicorn in a thread) and `graph-conformance serve`."""

from __future__ import annotations

import argparse
import errno
import signal
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
import yaml

from conformance.reference.app import ReferenceApp, build_app
from conformance.reference.faults import describe_faults, validate_fault_names
from conformance.reference.loopback import is_loopback_host
from conformance.reference.seed import TENANT_DOMAIN, seed
from conformance.reference.settings import ServerSettings, check_port
from conformance.reference.store import Store
from conformance.reference.target_document import target_document

_STARTUP_TIMEOUT_S = 10.0


MAX_REQUEST_HEAD_BYTES = 256 * 1024


class ReferenceServer:
    """The reference server on a real socket, as a context manager (port 0 picks a free port)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str | Path | None = None,
        faults: Iterable[str] = (),
        latency_ms: int = 0,
        throttle: bool = False,
        message_delay_ms: int = 0,
        apply_delay_ms: int = 0,
        list_delay_ms: int = 0,
        rate_limit: float = 0.0,
        send_limit: int = 0,
        throttle_every: int = 0,
        throttle_status: int = 429,
        retry_after: float = 1.0,
    ) -> None:
        """ValueError names a bad argument (unknown fault, port out of range, negative number)."""
        self.host, self.port, self.db = host, check_port(port), db
        self.settings = ServerSettings(
            faults=validate_fault_names(faults),
            latency_ms=latency_ms,
            throttle=throttle,
            rate_limit=rate_limit,
            message_delay_ms=message_delay_ms,
            apply_delay_ms=apply_delay_ms,
            list_delay_ms=list_delay_ms,
            send_limit=send_limit,
            throttle_every=throttle_every,
            throttle_status=throttle_status,
            retry_after=retry_after,
        )
        self._store: Store | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._app: ReferenceApp | None = None

    @property
    def root_url(self) -> str:
        """e.g. http://127.0.0.1:54321 (the token endpoint lives under it)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The Graph base URL including the version segment."""
        return f"{self.root_url}/v1.0"

    @property
    def store(self) -> Store:
        """The server's state (for tests that inspect it)."""
        if self._store is None:
            raise RuntimeError("the reference server is not running; use it as a context manager")
        return self._store

    def __enter__(self) -> ReferenceServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Open the store, seed it, bind the socket and serve in a background thread."""
        store = Store(self.db)
        try:
            seed(store)
        except BaseException:
            store.close()
            raise
        self._store = store
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # accepted connections inherit this: without it a body written after its headers waits ~40 ms (Nagle)
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            listener.bind((self.host, self.port))
        except (OSError, OverflowError):
            listener.close()
            self._store.close()
            raise
        self.port = listener.getsockname()[1]
        self._app = build_app(self._store, self.settings)
        config = uvicorn.Config(
            self._app,
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_keep_alive=30,
            limit_concurrency=1000,
            timeout_graceful_shutdown=5,
            # a request line or headers up to this size reach the app, which answers a costly query 400 with
            # Graph's envelope (h11's 16 KiB default cut some long URLs, depending on how they arrived)
            h11_max_incomplete_event_size=MAX_REQUEST_HEAD_BYTES,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [listener]},
            name=f"reference-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT_S
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"the reference server did not start on {self.root_url}")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving and close the store."""
        if self._app is not None:
            self._app.state.stopping.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=_STARTUP_TIMEOUT_S)
        if self._store is not None:
            self._store.close()
        self._server, self._thread, self._store, self._app = None, None, None, None

    def target_document(self) -> dict[str, Any]:
        """The target file (INTERFACES §2) describing this server and its seeded identities."""
        return target_document(self.store, self.root_url, self.settings.faults, self.settings.send_limit)

    def write_target(self, path: str | Path) -> Path:
        """Write the target document as YAML to `path`; return the path."""
        target_path = Path(path)
        target_path.write_text(yaml.safe_dump(self.target_document(), sort_keys=False), encoding="utf-8")
        return target_path


def _usage_error(message: str) -> int:
    print(f"graph-conformance serve: error: {message}", file=sys.stderr)
    return 2


def run_serve(args: argparse.Namespace) -> int:
    """`graph-conformance serve`: run until Ctrl-C; exit 2 with one line for any bad argument."""
    if args.list_faults:
        print(describe_faults())
        return 0
    try:
        server = ReferenceServer(
            host=args.host,
            port=args.port,
            db=args.db,
            faults=args.fault,
            latency_ms=args.latency_ms,
            throttle=args.throttle,
            message_delay_ms=args.message_delay_ms,
            apply_delay_ms=getattr(args, "apply_delay_ms", 0),
            list_delay_ms=getattr(args, "list_delay_ms", 0),
            rate_limit=args.rate_limit,
            send_limit=getattr(args, "send_limit", 0),
            throttle_every=getattr(args, "throttle_every", 0),
            throttle_status=getattr(args, "throttle_status", 429),
            retry_after=getattr(args, "retry_after", 1.0),
        )
    except ValueError as error:
        return _usage_error(str(error))
    if not is_loopback_host(args.host):
        print(
            f"graph-conformance serve: warning: listening on {args.host}, not loopback; the seeded passwords "
            f"in the target file give anyone who can reach it full access",
            file=sys.stderr,
        )
    faults = server.settings.faults
    try:
        server.start()
    except sqlite3.Error as error:
        return _usage_error(f"--db {args.db}: cannot use it as an SQLite database ({error})")
    except (OSError, OverflowError) as error:
        in_use = getattr(error, "errno", None) == errno.EADDRINUSE
        hint = "; pick another --port (0 = any free port)" if in_use else ""
        reason = getattr(error, "strerror", None) or str(error)
        return _usage_error(f"cannot listen on {args.host}:{args.port} ({reason}){hint}")
    try:
        if args.write_target:
            try:
                written = server.write_target(args.write_target).resolve()
            except OSError as error:
                return _usage_error(f"--write-target {args.write_target}: cannot write it ({error.strerror})")
        print(f"reference server: {server.base_url}", flush=True)
        print(f"token endpoint:   {server.root_url}/{TENANT_DOMAIN}/oauth2/v2.0/token", flush=True)
        if args.write_target:
            print(f"target file:      {written}", flush=True)
        if faults:
            print(f"faults:           {', '.join(sorted(faults))}", flush=True)
        for label, delay_ms in (("apply delay", server.settings.apply_delay_ms),
                                ("message delay", server.settings.message_delay_ms),
                                ("list delay", server.settings.list_delay_ms)):
            if delay_ms:
                print(f"{label + ':':<18}{delay_ms} ms", flush=True)
        if server.settings.send_limit:
            print(f"send limit:       {server.settings.send_limit} messages a minute per sender", flush=True)
        print("press Ctrl-C to stop", flush=True)
        stop = threading.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signal_number, lambda number, frame: stop.set())
        while not stop.wait(0.5):
            pass
        print("stopping", flush=True)
    except KeyboardInterrupt:
        print("stopping", flush=True)
    finally:
        server.stop()
    return 0
