"""Benchmark: create+cancel cycles per second on the reference server vs a bare Starlette/uvicorn 202 floor.

Run: .venv/bin/python bench/server_throughput.py [--seconds 4] [--workers 4]
Both servers run on 127.0.0.1 in this process, each driven by the same client threads for the same time, in
alternating slices (so load from elsewhere on the machine weighs on both alike);
a floor "cycle" is two requests to a bare endpoint answering 202, so the ratio compares like with like.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import requests
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance.reference.serve import ReferenceServer

TARGET_RATIO = 0.5


async def _accepted(request: Request) -> Response:
    await request.body()
    return Response(status_code=202)


class BareServer:
    """The floor of the stack: Starlette on uvicorn answering 202 to any POST."""

    def __enter__(self) -> BareServer:
        listener = socket.socket()
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # same socket options as the server
        listener.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}/accept"
        app = Starlette(routes=[Route("/accept", _accepted, methods=["POST"])])
        self._server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        )
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [listener]}, daemon=True)
        self._thread.start()
        while not self._server.started:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def _run(cycle: Callable[[requests.Session], None], seconds: float, workers: int) -> float:
    """Cycles per second achieved by `workers` threads looping `cycle` for `seconds`."""
    deadline = time.monotonic() + seconds

    def loop(_: int) -> int:
        session, done = requests.Session(), 0
        while time.monotonic() < deadline:
            cycle(session)
            done += 1
        return done

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        total = sum(pool.map(loop, range(workers)))
    return total / (time.monotonic() - started)


def _token(server: ReferenceServer) -> str:
    target = server.target_document()
    defaults, organizer = target["token_defaults"], target["identities"]["organizer"]["token"]
    answer = requests.post(
        defaults["token_url"],
        timeout=10,
        data={
            "grant_type": "password",
            "client_id": defaults["client_id"],
            "client_secret": defaults["client_secret"],
            "username": organizer["username"],
            "password": organizer["password"],
            "scope": organizer["scope"],
        },
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def main() -> int:
    """Measure both, print both figures and the ratio; exit 1 below the target ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="measuring time per server")
    parser.add_argument("--workers", type=int, default=4, help="client threads")
    parser.add_argument("--slices", type=int, default=8, help="alternating measuring slices per server")
    args = parser.parse_args()

    with BareServer() as bare, ReferenceServer() as server:

        def floor_cycle(session: requests.Session) -> None:
            for _ in range(2):
                assert session.post(bare.url, json={"comment": "x"}, timeout=10).status_code == 202

        headers = {"Authorization": f"Bearer {_token(server)}"}
        attendee = server.target_document()["identities"]["attendees"][0]["user_principal_name"]
        event = {
            "subject": "gc-bench",
            "start": {"dateTime": "2031-01-01T10:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2031-01-01T11:00:00", "timeZone": "UTC"},
            "attendees": [{"emailAddress": {"address": attendee}, "type": "required"}],
        }

        def reference_cycle(session: requests.Session) -> None:
            created = session.post(f"{server.base_url}/me/events", json=event, headers=headers, timeout=10)
            assert created.status_code == 201, created.text
            cancel_path = f"{server.base_url}/me/events/{quote(created.json()['id'], safe='')}/cancel"
            cancelled = session.post(cancel_path, json={"comment": "bench"}, headers=headers, timeout=10)
            assert cancelled.status_code == 202, cancelled.text

        # alternate short slices, so that other load on the machine weighs on both figures alike
        slice_s = args.seconds / args.slices
        floors, references = [], []
        for _ in range(args.slices):
            floors.append(_run(floor_cycle, slice_s, args.workers))
            references.append(_run(reference_cycle, slice_s, args.workers))

    floor, reference = statistics.mean(floors), statistics.mean(references)
    ratio = statistics.median(ref / flo for ref, flo in zip(references, floors, strict=True))
    print(f"floor (bare Starlette/uvicorn 202, 2 requests per cycle): {floor:8.1f} cycles/s")
    print(f"reference server (create with 1 attendee + cancel):       {reference:8.1f} cycles/s")
    print(f"ratio: {ratio:.2f} of the floor (median of {args.slices} alternating slice pairs; "
          f"target >= {TARGET_RATIO})")
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
