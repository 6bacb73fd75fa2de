"""Reading a Graph collection page by page (`@odata.nextLink`), bounded, and OData string literals.

A target that refuses `$filter` (400 or 501) is asked again without it: the caller then filters on the
client, which it does anyway, since a server may also ignore `$filter` and list everything. The refusal is
recorded (ODATA-FILTER fallback) on the running item unless the caller handles it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import requests

from conformance.target.client import GraphClient
from conformance.target.prerequisites import PrerequisiteLog

FILTER_REFUSED_STATUSES = (400, 501)
FilterRefused = Callable[[requests.Response], None]
Params = dict[str, str] | None


def odata_literal(text: str) -> str:
    """`text` as an OData string literal (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def value_of(response: requests.Response) -> list[dict[str, Any]] | None:
    """The items of a collection answer (200, a JSON object whose `value` is a list), else None."""
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    value = body.get("value") if isinstance(body, dict) else None
    if not isinstance(value, list):
        return None
    return [item for item in value if isinstance(item, dict)]


def next_link_of(response: requests.Response) -> str | None:
    """The `@odata.nextLink` of a collection answer, if any."""
    try:
        body = response.json()
    except ValueError:
        return None
    link = body.get("@odata.nextLink") if isinstance(body, dict) else None
    return str(link) if link else None


def first_page(
    client: GraphClient, path: str, params: Params = None, on_filter_refused: FilterRefused | None = None
) -> requests.Response:
    """GET the first page; when `$filter` is refused (400/501), GET it again without `$filter`."""
    response = client.get(path, params=params)
    if params and "$filter" in params and response.status_code in FILTER_REFUSED_STATUSES:
        (on_filter_refused or PrerequisiteLog().filter_refused)(response)
        unfiltered = {name: value for name, value in params.items() if name != "$filter"}
        response = client.get(path, params=unfiltered or None)
    return response


def _page_items(
    client: GraphClient, path: str, params: Params, max_pages: int, on_filter_refused: FilterRefused | None
) -> Iterator[list[dict[str, Any]] | None]:
    """Each page's items, following @odata.nextLink; a last None when the listing was not read to its end."""
    response = first_page(client, path, params, on_filter_refused)
    for _page in range(max_pages):
        items = value_of(response)
        if items is None:
            break
        yield items
        next_link = next_link_of(response)
        if not next_link:
            return
        response = client.get(next_link)
    yield None  # an error answer, or more than `max_pages` pages


def pages(client: GraphClient, path: str, params: Params = None, *, max_pages: int,
          on_filter_refused: FilterRefused | None = None) -> Iterator[dict[str, Any]]:
    """The items of a collection, following @odata.nextLink for at most `max_pages` pages."""
    for items in _page_items(client, path, params, max_pages, on_filter_refused):
        yield from items or ()


def complete_listing(client: GraphClient, path: str, params: Params = None, *, max_pages: int,
                     on_filter_refused: FilterRefused | None = None) -> list[dict[str, Any]] | None:
    """Every item of a collection, or None when it cannot be read whole (an error, or more pages)."""
    collected: list[dict[str, Any]] = []
    for items in _page_items(client, path, params, max_pages, on_filter_refused):
        if items is None:
            return None
        collected += items
    return collected
