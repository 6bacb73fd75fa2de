"""A throwaway HTTP server on 127.0.0.1 (a free port) for one handler class, without an access log."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` in a thread; its root URL (`http://127.0.0.1:PORT`) while the block runs."""
    quiet = type(handler.__name__, (handler,), {"log_message": lambda self, *args: None})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
