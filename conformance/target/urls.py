"""URL helpers: a base URL's shape, percent-encoding ids into path segments, the mailbox a path addresses."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

from conformance.errors import TargetConfigError

API_VERSION = re.compile(r"(?i)^(v\d+(\.\d+)?|beta)$")  # the last path segment of a Graph base URL
NO_SCHEME = "base URL {url!r} ({origin}) has no http:// or https:// scheme; write it in full, e.g. {example}"
NO_VERSION = (
    "base URL {url!r} ({origin}) does not end with the API version; write the Graph root with its version, "
    "e.g. {example}"
)


def check_base_url(url: str, origin: str = "--base-url") -> None:
    """TargetConfigError unless `url` is an http(s) URL with a host and an API version as its last segment."""
    parts = urlsplit(url)
    if "://" not in url or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        bare = url.split("://", 1)[-1].strip("/")
        raise TargetConfigError(NO_SCHEME.format(url=url, origin=origin, example=f"https://{bare}"))
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if not API_VERSION.match(last):
        raise TargetConfigError(NO_VERSION.format(url=url, origin=origin, example=f"{url.rstrip('/')}/v1.0"))


def quote_id(item_id: str) -> str:
    """An id (or userPrincipalName) as one path segment: `+ / = @` percent-encoded."""
    return quote(item_id, safe="")


def path_segments(path_or_url: str, base_url: str) -> list[str]:
    """The decoded path segments after the base URL's path (`/users/a%40b/events` -> users, a@b, events)."""
    base_path = urlsplit(base_url).path.rstrip("/")
    path = urlsplit(path_or_url).path
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :]
    return [unquote(segment) for segment in path.strip("/").split("/") if segment]


def mailbox_of(segments: list[str], me_user_id: str | None) -> str | None:
    """The mailbox (user id / UPN, or `group:<id>`) a request path addresses, lower-cased; None if none."""
    if not segments:
        return None
    head = segments[0].lower()
    if head == "me":
        return me_user_id.lower() if me_user_id else None
    if head == "users" and len(segments) > 1:
        return segments[1].lower()
    if head == "groups" and len(segments) > 1:
        return f"group:{segments[1].lower()}"
    return None
