"""complete_listing reads a collection whole, or says it could not (None); never a partial list."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from conformance.target.listing import complete_listing, odata_literal, pages


def answer(status: int, body: Any) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return response


class PagedClient:
    """A stand-in GraphClient serving `pages` (a list of answers) one GET after another."""

    def __init__(self, *pages: requests.Response) -> None:
        self.pages = list(pages)
        self.paths: list[str] = []

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


class FilterRefusingClient(PagedClient):
    """Answers 400 to a GET asking for `$filter`, then serves its pages; records the params sent."""

    def __init__(self, status: int, *pages: requests.Response) -> None:
        super().__init__(*pages)
        self.status = status
        self.params_sent: list[dict[str, str]] = []

    def get(self, path: str, params: dict[str, str] | None = None) -> requests.Response:
        self.params_sent.append(dict(params or {}))
        if params and "$filter" in params:
            return answer(self.status, {"error": {"code": "BadRequest", "message": "$filter not supported"}})
        return super().get(path, params)


@pytest.mark.parametrize("status", [400, 501])
def test_a_refused_filter_is_asked_again_without_it_and_the_refusal_reported(status: int) -> None:
    client = FilterRefusingClient(status, page(["a"], "http://x/2"), page(["b"]))
    refused: list[int] = []
    params = {"$filter": "startswith(subject,'[gc r]')", "$top": "100"}
    items = complete_listing(
        client,  # type: ignore[arg-type]
        "/me/events",
        params,
        max_pages=3,
        on_filter_refused=lambda response: refused.append(response.status_code),
    )
    assert [item["id"] for item in items or []] == ["a", "b"]
    assert refused == [status]
    assert client.params_sent[:2] == [params, {"$top": "100"}]


def test_pages_follow_the_unfiltered_listing_too_and_other_errors_are_not_retried() -> None:
    client = FilterRefusingClient(400, page(["a"], "http://x/2"), page(["b"]))
    listed = pages(client, "/e", {"$filter": "x"}, max_pages=5)  # type: ignore[arg-type]
    assert [item["id"] for item in listed] == ["a", "b"]
    forbidden = FilterRefusingClient(403, page(["a"]))
    assert complete_listing(forbidden, "/e", {"$filter": "x"}, max_pages=3) is None  # type: ignore[arg-type]
    assert len(forbidden.params_sent) == 1
