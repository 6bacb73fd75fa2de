"""Checks that explain themselves: requirement id, doc sentence, redacted exchange and a curl line."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Generic, Protocol, TypeVar

import requests

from conformance.errors import ConformanceFailure
from conformance.outcomes import not_applicable, not_verified
from conformance.target.client import RETRY_STATUSES
from conformance.target.config import TargetConfig
from conformance.target.exchange import exchange_of
from conformance.target.polling import Bound, eventually
from conformance.target.transcript import curl_line, format_exchange

T = TypeVar("T")


@lru_cache(maxsize=1)
def _catalog() -> dict[str, Any]:
    from conformance.spec.catalog import load_catalog

    return dict(load_catalog())


def _requirement(requirement_id: str) -> Any:
    requirement = _catalog().get(requirement_id)
    if requirement is None:
        raise KeyError(f"{requirement_id!r} is not in the requirement catalog (openapi/requirements.yaml)")
    return requirement


def sentence_of(requirement_id: str) -> str:
    """The doc sentence (or Graph convention) of a requirement id."""
    return str(_requirement(requirement_id).sentence)


def profile_of(requirement_id: str) -> str:
    """The profile (`core`, `groups`, ...) a requirement id belongs to."""
    return str(_requirement(requirement_id).profile)


def require_profile(target: TargetConfig, requirement_id: str) -> None:
    """End the case as not-applicable when the target does not support the requirement's profile."""
    profile = profile_of(requirement_id)
    if profile in target.unsupported_profiles:
        not_applicable(f"{requirement_id} belongs to profile {profile!r}, which the target does not support")


def exchange_text(response: requests.Response | None) -> str:
    """The redacted exchange behind `response` and a curl line reproducing it ("" when there is none)."""
    exchange = exchange_of(response)
    if exchange is not None:
        return f"{format_exchange(exchange)}\nreproduce: {curl_line(exchange)}"
    return f"response: HTTP {response.status_code}" if response is not None else ""


def failure(
    requirement_id: str, message: str, response: requests.Response | None = None
) -> ConformanceFailure:
    """The ConformanceFailure of `requirement_id`: the message, its doc sentence and the exchange."""
    try:
        requirement = _requirement(requirement_id)
        source = f"{requirement.source}#{requirement.section}" if requirement.section else requirement.source
        sentence = f'"{requirement.sentence}" ({requirement.level}: {source})'
    except KeyError:
        sentence = "(not in the requirement catalog)"
    return ConformanceFailure(
        requirement_id=requirement_id,
        message=message,
        sentence=sentence,
        exchange=exchange_of(response),
        evidence=exchange_text(response),
    )


def expect(
    condition: object, requirement_id: str, message: str, response: requests.Response | None = None
) -> None:
    """Raise ConformanceFailure for `requirement_id` unless `condition` holds.

    A check resting on a 429/503 that survived the client's retries ends not-verified ("throttled"): a
    throttled answer says nothing about the requirement, so it is never a finding.
    """
    if not condition:
        if response is not None and response.status_code in RETRY_STATUSES:
            not_verified(
                f"throttled: {message} (HTTP {response.status_code} after the client's retries, honouring "
                f"Retry-After: a throttled answer says nothing about {requirement_id})"
            )
        raise failure(requirement_id, message, response)


def json_of(response: requests.Response) -> Any:
    """The JSON body of `response`, or None when it has none."""
    try:
        return response.json()
    except ValueError:
        return None


def error_code(response: requests.Response) -> str | None:
    """`error.code` of a Graph error response, or None when the body is no error envelope."""
    body = json_of(response)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = body["error"].get("code")
        return code if isinstance(code, str) else None
    return None


def expect_status(
    response: requests.Response, requirement_id: str, statuses: tuple[int, ...], what: str
) -> None:
    """Expect one of `statuses` (a 4xx range reads "a 4xx")."""
    wanted = "a 4xx" if len(statuses) > 2 else " or ".join(map(str, statuses))
    expect(
        response.status_code in statuses,
        requirement_id,
        f"{what} got HTTP {response.status_code}, expected {wanted}",
        response,
    )


def expect_error(
    response: requests.Response, requirement_id: str, status: int, code: str, what: str = "the request"
) -> None:
    """Expect exactly HTTP `status` with Graph's `error.code` `code` (status first: it says more)."""
    expect_status(response, requirement_id, (status,), what)
    expect(
        error_code(response) == code,
        requirement_id,
        f"{what}: error.code is {error_code(response)!r}, not {code!r}",
        response,
    )


def is_unknown_route(response: requests.Response) -> bool:
    """Whether the server does not serve the path at all (404 `ResourceNotFound`, Graph's unknown segment)."""
    return response.status_code == 404 and error_code(response) == "ResourceNotFound"


def envelope_problems(response: requests.Response) -> list[str]:
    """What is wrong with an error response's Graph envelope (empty when it is well-formed)."""
    problems: list[str] = []
    content_type = response.headers.get("Content-Type", "")
    if "json" not in content_type.lower():
        problems.append(f"Content-Type is {content_type!r}, not a JSON type")
    body = json_of(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return [*problems, "the body is not a JSON object with an `error` object"]
    for key in ("code", "message"):
        if not isinstance(error.get(key), str):
            problems.append(f"error.{key} is missing or not a string")
    inner = error.get("innerError")
    if not isinstance(inner, dict):
        problems.append("error.innerError is missing or not an object")
    else:
        missing = [key for key in ("date", "request-id", "client-request-id") if key not in inner]
        if missing:
            problems.append(f"error.innerError lacks {', '.join(missing)}")
    return problems


class Polling(Protocol):
    """How long to wait for an asynchronous effect, and how often to look (a TargetConfig is one)."""

    @property
    def poll_timeout_s(self) -> float: ...  # noqa: D102

    @property
    def poll_interval_s(self) -> float: ...  # noqa: D102


@dataclass(frozen=True)
class Seen(Generic[T]):
    """One look at the target: whether the awaited state is there, what was read, the answer it came in."""

    found: bool
    value: T
    response: requests.Response | None = field(default=None, repr=False)


def poll(fetch: Callable[[], Seen[T]], within: Polling) -> Seen[T]:
    """Look with `fetch` until it finds what it awaits or `within.poll_timeout_s` passes; the last look.

    `within` a polling Bound: the wait is counted from its cause (a case acted ahead waits only what is left
    of it, at least one look), ends as soon as the run has proven its kind never comes, and what is found
    teaches the run how long such an effect takes on this target.
    """
    if not isinstance(within, Bound):
        last: list[Seen[T]] = []

        def attempt() -> Seen[T] | None:
            last[:] = [fetch()]
            return last[0] if last[0].found else None

        found = eventually(attempt, timeout_s=within.poll_timeout_s, interval_s=within.poll_interval_s)
        return found or last[0]
    missed: float | None = None  # when the last look that did not find it began
    while True:
        began = time.monotonic()
        seen = fetch()
        if seen.found:
            within.found(missed, began)
            return seen
        missed = began
        shortcut = within.shortcut()  # proven meanwhile (another case, another xdist worker): stop here
        if shortcut is not None:
            within.notes.append(shortcut)
            return seen
        remaining = within.deadline - time.monotonic()
        if remaining <= 0:
            within.ran_out()
            return seen
        time.sleep(min(within.poll_interval_s, remaining))


def stays_absent(fetch: Callable[[], Seen[T]], quiet: Bound) -> Seen[T]:
    """Look with `fetch` for an effect that must not happen until `quiet` has passed since its cause.

    Looks repeatedly meanwhile: the first look that finds it is returned at once (found: the check fails);
    else the last look, begun once the quiet period since the cause was over (at least one look).
    """
    while True:
        began = time.monotonic()
        seen = fetch()
        if seen.found or began >= quiet.deadline:
            return seen
        time.sleep(min(quiet.poll_interval_s, max(quiet.deadline - time.monotonic(), 0.0)))


def waited(within: Polling) -> str:
    """How long a poll waited and why: `waited 30 s since its cause: the default bound ...` (a Bound)."""
    return within.text if isinstance(within, Bound) else f"within {within.poll_timeout_s:g}s"


def expect_eventually(fetch: Callable[[], Seen[T]], requirement_id: str, message: str, within: Polling) -> T:
    """Poll `fetch` until it finds what it awaits (its value, falsy or not); else fail with `message`."""
    seen = poll(fetch, within)
    expect(seen.found, requirement_id, f"{message} ({waited(within)})", seen.response)
    return seen.value
