"""The HTTP client: requests.Session, timeouts, Retry-After-aware retries, a per-mailbox cap, a transcript."""

from __future__ import annotations

import threading
import time
import uuid
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3 import BaseHTTPResponse
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import InvalidHeader, MaxRetryError, ReadTimeoutError, ResponseError
from urllib3.util.retry import Retry

from conformance.errors import (
    AmbiguousReplay,
    BudgetExhausted,
    MissingIdentity,
    RequestUnanswered,
    TargetUnreachable,
)
from conformance.target.allowance import Allowance
from conformance.target.config import Budget, Identity, TargetConfig
from conformance.target.hangs import HangAwareAdapter, HangMemory, Unanswered
from conformance.target.tokens import TokenProvider
from conformance.target.transcript import Transcript
from conformance.target.urls import mailbox_of, path_segments

PSEUDO_ROLES = ("anonymous", "invalid")
INVALID_TOKEN = "not-a-valid-token.graph-conformance"
RETRY_STATUSES = (429, 503)
# A connection refused/reset before the request was sent, or dropped before any response arrived, is re-sent
# this many times. POST is not idempotent: a re-sent POST may reach the server twice (see AmbiguousReplay).
# A read timeout is never re-sent: the target got the request and did not answer in time; whether it answers
# others is one health probe's question (conformance.target.hangs), and the same request would hang again.
CONNECT_RETRIES = 2
READ_RETRIES = 2
BACKOFF_FACTOR_S = 0.25  # a 429/503 without Retry-After: 0.25, 0.5, 1, ... s (at most retries.backoff_max)
TRANSPORT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


def replayed_after_error(response: requests.Response) -> list[str]:
    """The transport errors after which urllib3 re-sent this request (empty when it was sent once)."""
    retries = getattr(response.raw, "retries", None)
    history = getattr(retries, "history", ()) or ()
    return [type(entry.error).__name__ for entry in history if entry.error is not None]


def is_cancel(url: str) -> bool:
    """Whether `url` addresses the cancel action (its last path segment is `cancel`, any case)."""
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1].lower() == "cancel"


class GraphRetry(Retry):
    """urllib3's Retry, also accepting a fractional `Retry-After` (Graph sends e.g. `0.5`), and taking each
    retry from the run's allowance (none left: the last answer is final, a broken connection an error)."""

    allowance: Allowance | None = None

    def new(self, **kw: Any) -> GraphRetry:
        """The next Retry state, keeping the allowance."""
        renewed = super().new(**kw)
        renewed.allowance = self.allowance
        return renewed

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> GraphRetry:
        """urllib3's bookkeeping (a read timeout is raised at once, never re-sent); then one more request from
        the allowance, or no retry."""
        if isinstance(error, ReadTimeoutError):
            raise error
        renewed = super().increment(method, url, response, error, _pool, _stacktrace)
        if self.allowance is not None and not self.allowance.take_retry():
            if response is None:  # a broken connection: no answer to end on
                raise BudgetExhausted("budget: the connection broke and the budget has no request left to "
                                      "retry it")
            no_retry = ResponseError("budget: no request left to retry")
            raise MaxRetryError(_pool, url or "", no_retry)  # type: ignore[arg-type]  # None is fine
        return renewed

    def parse_retry_after(self, retry_after: str) -> float:
        """Seconds to wait: exactly the number (Graph sends e.g. `0.5`) or an HTTP date, capped at
        retry_after_max.

        No jitter is added, as Microsoft's own Graph SDKs wait exactly Retry-After: a wait that ends sooner
        would not honour it, and one that ends later is paid for by every throttled case. Clients throttled
        together (xdist workers, the clean-up's deletes) do not all come back at once: the per-mailbox cap
        lets only so many requests in flight, and the waits run outside it.
        """
        try:
            seconds = max(float(retry_after), 0.0)
        except ValueError:
            return super().parse_retry_after(retry_after)
        return min(seconds, self.retry_after_max)


def build_retry(
    total: int, backoff_max: float, retry_after_max: float, allowance: Allowance | None = None,
    *, statuses: bool = True,
) -> GraphRetry:
    """Bounded retries of 429/503 (unless `statuses` is False) and of broken connections, for every method,
    honouring Retry-After; each retry taken from `allowance` when given."""
    retry = GraphRetry(
        total=total + CONNECT_RETRIES + READ_RETRIES,
        connect=CONNECT_RETRIES,
        read=READ_RETRIES,
        status=total,
        other=0,
        redirect=0,
        status_forcelist=RETRY_STATUSES if statuses else (),
        allowed_methods=None,
        respect_retry_after_header=statuses,  # else urllib3 would retry a 429/503 that has a Retry-After
        backoff_factor=BACKOFF_FACTOR_S,
        backoff_max=backoff_max,
        retry_after_max=retry_after_max,  # type: ignore[arg-type]  # urllib3 annotates int, uses it as float
        raise_on_status=False,
    )
    retry.allowance = allowance
    return retry


class BudgetedAdapter(HTTPAdapter):
    """requests' adapter taking every request from the run's allowance before sending it."""

    def __init__(self, allowance: Allowance, **kwargs: Any) -> None:
        self.allowance = allowance
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        """Take the request's cost (BudgetExhausted: not sent), send it, give back what it did not spend."""
        pending = self.allowance.take(str(request.method or "GET"), str(request.url), request.body)
        try:
            response = super().send(request, *args, **kwargs)
        except BaseException:
            self.allowance.settle(pending, None)  # unknown: a create or cancel keeps what it took
            raise
        self.allowance.settle(pending, response.status_code, response.content)
        return response


class GraphAdapter(HangAwareAdapter, BudgetedAdapter):
    """Sends no request of a kind known to hang (first), then takes the rest from the run's allowance."""


def graph_session(
    hangs: HangMemory, allowance: Allowance, retry: GraphRetry, **adapter: Any
) -> requests.Session:
    """A session that skips kinds known to hang and takes every request (and retry) from `allowance`."""
    session = requests.Session()
    mounted = GraphAdapter(hangs, allowance=allowance, max_retries=retry, **adapter)
    session.mount("http://", mounted)
    session.mount("https://", mounted)
    return session


class Graph:
    """The target's API as each configured identity; hands out GraphClients."""

    def __init__(
        self, target: TargetConfig, transcript: Transcript, *, mailbox_cap: int | None = None,
        allowance: Allowance | None = None,
    ) -> None:
        self.target, self.transcript = target, transcript
        self.mailbox_cap = mailbox_cap or target.max_concurrency_per_mailbox
        # a conformance run hands its Allowance (the budget as a cap); preflight and sweep count, unlimited
        self.allowance = allowance or Allowance(Budget())
        self.hangs = HangMemory(target.base_url, self._probe, transcript.redactor.text)
        # 429/503 are retried by GraphClient.request, which waits outside the mailbox's concurrency slot
        self.retry = build_retry(
            target.retry_total, target.backoff_max, target.retry_after_max, self.allowance, statuses=False
        )
        self.session = graph_session(
            self.hangs, self.allowance, self.retry, pool_connections=4, pool_maxsize=32
        )
        self.timeout = (target.connect_timeout, target.read_timeout)
        self._providers = {
            role: TokenProvider(role, identity.token, timeout=self.timeout, on_token=transcript.redactor.add)
            for role, identity in target.identities.items()
            if identity.token is not None
        }
        self._mailbox_aliases = {
            identity.user_principal_name.lower(): identity.user_id.lower()
            for identity in target.identities.values()
            if identity.user_principal_name and identity.user_id
        }
        self._mailbox_roles: dict[str, str] = {}
        for role, identity in target.identities.items():
            if identity.user_id:
                self._mailbox_roles.setdefault(identity.user_id.lower(), role)
            if identity.group_id:
                self._mailbox_roles.setdefault(f"group:{identity.group_id.lower()}", role)
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}
        self._semaphores_lock = threading.Lock()
        self._clients: dict[str, GraphClient] = {}
        transcript.mailbox_namer = self.mailbox_name

    def _probe(self) -> None:
        """One health probe of the target (TargetUnreachable when it does not answer), within the budget."""
        from conformance.target.resolve import probe_reachable  # resolve -> checkup -> client: import late

        probe_reachable(self.target, self.allowance)

    def has(self, role: str) -> bool:
        """Whether the target configures `role` (anonymous and invalid always exist)."""
        return role in PSEUDO_ROLES or role in self.target.identities

    def identity(self, role: str) -> Identity:
        """The configured identity of `role`, or MissingIdentity."""
        if role not in self.target.identities:
            raise MissingIdentity(role)
        return self.target.identities[role]

    def as_(self, role: str) -> GraphClient:
        """A client sending requests as `role` (organizer, attendee, readonly, application, anonymous...)."""
        if not self.has(role) or (role not in PSEUDO_ROLES and role not in self._providers):
            raise MissingIdentity(role)
        if role not in self._clients:
            self._clients[role] = GraphClient(self, role)
        return self._clients[role]

    def token_for(self, role: str) -> str | None:
        """The bearer token `role` sends (None for anonymous)."""
        if role == "anonymous":
            return None
        if role == "invalid":
            return INVALID_TOKEN
        return self._providers[role].token()

    def _mailbox(self, path: str, role: str) -> str | None:
        """The mailbox (lower-cased user id, `group:<id>`) `path` addresses as `role`, or None."""
        me = self.target.identities.get(role)
        mailbox = mailbox_of(path_segments(path, self.target.base_url), me.user_id if me else None)
        return None if mailbox is None else self._mailbox_aliases.get(mailbox, mailbox)

    def mailbox_name(self, path: str, role: str) -> str:
        """The mailbox `path` addresses, named by the first role that owns it (`organizer`), "" for none."""
        mailbox = self._mailbox(path, role)
        if mailbox is None:
            return ""
        return self._mailbox_roles.get(mailbox, mailbox)

    def mailbox_semaphore(self, path: str, role: str) -> threading.BoundedSemaphore | None:
        """The semaphore capping concurrent requests to the mailbox `path` addresses."""
        mailbox = self._mailbox(path, role)
        if mailbox is None:
            return None
        with self._semaphores_lock:
            if mailbox not in self._semaphores:
                self._semaphores[mailbox] = threading.BoundedSemaphore(self.mailbox_cap)
            return self._semaphores[mailbox]

    def throttle_wait(self, response: requests.Response, attempt: int) -> float | None:
        """Seconds to wait before re-sending after a 429/503 (Retry-After, else backoff); None: do not."""
        if response.status_code not in RETRY_STATUSES or attempt >= self.target.retry_total:
            return None
        retry_after = response.headers.get("Retry-After")
        if retry_after is not None:
            try:
                return self.retry.parse_retry_after(retry_after)
            except InvalidHeader:
                pass
        return min(self.target.backoff_max, BACKOFF_FACTOR_S * 2**attempt)

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()


class GraphClient:
    """Requests to the target as one identity; every exchange lands in the transcript."""

    def __init__(self, graph: Graph, role: str) -> None:
        self.graph, self.role = graph, role

    def url(self, path: str) -> str:
        """The absolute URL of `path` (relative to the base URL, e.g. `/me/events`)."""
        if path.startswith(("http://", "https://")):
            return path
        if not path.startswith("/"):
            raise ValueError(f"path {path!r} must start with '/' (it is relative to the base URL)")
        return self.graph.target.base_url + path

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: str | bytes | None = None,
        headers: dict[str, str | None] | None = None,
        params: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> requests.Response:
        """Send one request (retries of 429/503 included) and return the final response.

        A 429/503 is re-sent after its Retry-After (or a backoff), at most `retries.total` times; the wait
        happens outside the mailbox's concurrency slot, so other requests to that mailbox go on meanwhile.
        """
        url = self.url(path)
        sent_headers: dict[str, str | None] = {"client-request-id": str(uuid.uuid4())}
        token = self.graph.token_for(self.role)
        if token is not None:
            sent_headers["Authorization"] = f"Bearer {token}"
        sent_headers |= headers or {}
        semaphore = self.graph.mailbox_semaphore(url, self.role)
        sent_at = time.time()
        attempt = 0
        while True:
            if semaphore is not None:
                semaphore.acquire()
            try:
                response = self.graph.session.request(
                    method,
                    url,
                    json=json,
                    data=data,
                    headers=sent_headers,
                    params=params,
                    timeout=(self.graph.timeout[0], timeout or self.graph.timeout[1]),
                    allow_redirects=False,
                )
            except TRANSPORT_ERRORS as error:
                raise self._unreachable(method, url, error) from None
            finally:
                if semaphore is not None:
                    semaphore.release()
            wait = self.graph.throttle_wait(response, attempt)
            if wait is None:
                break
            _ = response.content  # read: the connection goes back to the pool for the retry
            time.sleep(wait)  # the slot is free meanwhile
            attempt += 1
        self.graph.transcript.record(response, self.role, sent_at=sent_at, resent=attempt)
        replayed = replayed_after_error(response)
        if replayed and method.upper() == "POST" and is_cancel(url) and 400 <= response.status_code < 500:
            redacted_url = self.graph.transcript.redactor.text(url)
            raise AmbiguousReplay(method, redacted_url, response.status_code, replayed)
        return response

    def _unreachable(self, method: str, url: str, error: Exception) -> TargetUnreachable:
        """The one-line error for a request the target did not answer, even after the bounded retries."""
        if isinstance(error, Unanswered):  # the target answers others: this kind of request hangs
            return RequestUnanswered(error.evidence, remembered=error.remembered)
        connect_s, read_s = self.graph.timeout
        what = "timed out" if isinstance(error, requests.Timeout) or "timed out" in str(error) else "failed"
        return TargetUnreachable(
            f"{method} {self.graph.transcript.redactor.text(url)}: the target does not answer ({what}: "
            f"{type(error).__name__}, timeouts connect {connect_s:g} s / read "
            f"{read_s:g} s); check that {self.graph.target.base_url} is up and answers in time"
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        """GET `path`."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        """POST `path`."""
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        """DELETE `path`."""
        return self.request("DELETE", path, **kwargs)

