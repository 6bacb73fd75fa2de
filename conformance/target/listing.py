"""Reading a Graph collection page by page (`@odata.nextLink`), bounded, and OData string literals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance.target.client import GraphClient


def odata_literal(text: str) -> str:
    """`text` as an OData string literal (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def pages(
    client: GraphClient, path: str, params: dict[str, str] | None = None, *, max_pages: int
) -> Iterator[dict[str, Any]]:
    """The items of a collection, following @odata.nextLink for at most `max_pages` pages."""
    response = client.get(path, params=params)
    for _page in range(max_pages):
        if response.status_code != 200:
            return
        body = response.json()
        yield from body.get("value", [])
        next_link = body.get("@odata.nextLink")
        if not next_link:
            return
        response = client.get(next_link)


def complete_listing(
    client: GraphClient, path: str, params: dict[str, str] | None = None, *, max_pages: int
) -> list[dict[str, Any]] | None:
    """Every item of a collection, or None when it cannot be read whole (an error, or more pages)."""
    items: list[dict[str, Any]] = []
    response = client.get(path, params=params)
    for _page in range(max_pages):
        if response.status_code != 200:
            return None
        try:
            body = response.json()
        except ValueError:
            return None
        value = body.get("value") if isinstance(body, dict) else None
        if not isinstance(value, list):
            return None
        items.extend(item for item in value if isinstance(item, dict))
        next_link = body.get("@odata.nextLink")
        if not next_link:
            return items
        response = client.get(str(next_link))
    return None
