"""URL helpers: percent-encoding ids into path segments, and finding the mailbox a path addresses."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit


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
