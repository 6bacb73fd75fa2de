"""complete_listing reads a collection whole, or says it could not (None); never a partial list."""

from __future__ import annotations

import json
from typing import Any

import requests

from conformance.target.listing import complete_listing, odata_literal


def answer(status: int, body: Any) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return response


class PagedClient:
    """A stand-in GraphClient serving `pages` (a list of answers) one GET after another."""

    def __init__(self, *pages: requests.Response) -> None:
        self.pages, self.paths = list(pages), []

    def get(self, path: str, params: dict[str, str] | None = None) -> requests.Response:
        self.paths.append(path)
        return self.pages.pop(0)


def page(ids: list[str], next_link: str | None = None) -> requests.Response:
    body: dict[str, Any] = {"value": [{"id": item} for item in ids]}
    if next_link:
        body["@odata.nextLink"] = next_link
    return answer(200, body)


def test_follows_next_links_to_the_end() -> None:
    client = PagedClient(page(["a", "b"], "http://x/next1"), page(["c"], "http://x/next2"), page([]))
    items = complete_listing(client, "/me/events", max_pages=5)  # type: ignore[arg-type]
    assert [item["id"] for item in items or []] == ["a", "b", "c"]
    assert client.paths == ["/me/events", "http://x/next1", "http://x/next2"]


def test_more_pages_than_allowed_is_not_a_complete_listing() -> None:
    client = PagedClient(page(["a"], "http://x/2"), page(["b"], "http://x/3"), page(["c"]))
    assert complete_listing(client, "/me/events", max_pages=2) is None  # type: ignore[arg-type]


def test_an_error_or_a_body_without_value_is_not_a_complete_listing() -> None:
    assert complete_listing(PagedClient(answer(400, {"error": {}})), "/e", max_pages=3) is None  # type: ignore[arg-type]
    assert complete_listing(PagedClient(answer(200, b"<html>")), "/e", max_pages=3) is None  # type: ignore[arg-type]
    assert complete_listing(PagedClient(answer(200, {"items": []})), "/e", max_pages=3) is None  # type: ignore[arg-type]
    second_page_fails = PagedClient(page(["a"], "http://x/2"), answer(503, {}))
    assert complete_listing(second_page_fails, "/e", max_pages=3) is None  # type: ignore[arg-type]


def test_odata_literal_doubles_single_quotes() -> None:
    assert odata_literal("[gc run] it's") == "'[gc run] it''s'"
