"""Checks that explain themselves: requirement id, doc sentence, redacted exchange and a curl line."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import requests

from conformance.outcomes import not_applicable
from conformance.target.config import TargetConfig
from conformance.target.polling import eventually
from conformance.target.transcript import curl_line, format_exchange

__all__ = [
    "ConformanceFailure",
    "envelope_problems",
    "error_code",
    "eventually",
    "expect",
    "is_unknown_route",
    "profile_of",
    "require_profile",
    "sentence_of",
]


@lru_cache(maxsize=1)
def _catalog() -> dict[str, Any]:
    from conformance.spec.catalog import load_catalog

    return dict(load_catalog())


def sentence_of(requirement_id: str) -> str:
    """The doc sentence (or Graph convention) of a requirement id."""
    requirement = _catalog().get(requirement_id)
    if requirement is None:
        raise KeyError(f"{requirement_id!r} is not in the requirement catalog (openapi/requirements.yaml)")
    return str(requirement.sentence)


def profile_of(requirement_id: str) -> str:
    """The profile (`core`, `groups`, ...) a requirement id belongs to."""
    requirement = _catalog().get(requirement_id)
    if requirement is None:
        raise KeyError(f"{requirement_id!r} is not in the requirement catalog (openapi/requirements.yaml)")
    return str(requirement.profile)


class ConformanceFailure(AssertionError):
    """A requirement does not hold; the text carries everything needed to see why and reproduce it."""

    def __init__(self, requirement_id: str, message: str, response: requests.Response | None = None) -> None:
        self.requirement_id = requirement_id
        self.exchange: dict[str, Any] | None = getattr(response, "graph_exchange", None)
        try:
            requirement = _catalog()[requirement_id]
            source = (
                f"{requirement.source}#{requirement.section}" if requirement.section else requirement.source
            )
            sentence = f'"{requirement.sentence}" ({requirement.level}: {source})'
        except KeyError:
            sentence = "(not in the requirement catalog)"
        lines = [f"[{requirement_id}] {message}", f"requirement: {sentence}"]
        if self.exchange is not None:
            lines += [format_exchange(self.exchange), f"reproduce: {curl_line(self.exchange)}"]
        elif response is not None:
            lines.append(f"response: HTTP {response.status_code}")
        super().__init__("\n".join(lines))


def expect(
    condition: object, requirement_id: str, message: str, response: requests.Response | None = None
) -> None:
    """Raise ConformanceFailure for `requirement_id` unless `condition` holds."""
    if not condition:
        raise ConformanceFailure(requirement_id, message, response)


def require_profile(target: TargetConfig, requirement_id: str) -> None:
    """End the case as not-applicable when the target does not support the requirement's profile."""
    profile = profile_of(requirement_id)
    if profile in target.unsupported_profiles:
        not_applicable(f"{requirement_id} belongs to profile {profile!r}, which the target does not support")


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def error_code(response: requests.Response) -> str | None:
    """`error.code` of a Graph error response, or None when the body is no error envelope."""
    body = _json(response)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = body["error"].get("code")
        return code if isinstance(code, str) else None
    return None


def expect_error(
    response: requests.Response, requirement_id: str, status: int, code: str, what: str = "the request"
) -> None:
    """Expect exactly HTTP `status` with Graph's `error.code` `code` (status first: it says more)."""
    expect(
        response.status_code == status,
        requirement_id,
        f"{what} got status {response.status_code}, not {status}",
        response,
    )
    expect(
        error_code(response) == code,
        requirement_id,
        f"error.code is {error_code(response)!r}, not {code!r}",
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
    body = _json(response)
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
