"""Operation and component names come from the routes, so every page language yields a valid description."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from conformance.errors import SpecParseError
from conformance.spec import generate
from conformance.spec.page import parse_page
from conformance.spec.routes import bound_operation, parse_route_block
from tests.spec._pages import ENGLISH_BETA, PAGES_DIR, SEED_PAGE

PLAIN_PAGE = PAGES_DIR / "event-cancel.ru-RU.plain.md"
COMPONENT_NAME = re.compile(r"^[a-zA-Z0-9.\-_]+$")


def _sxs_page_with_translated_title(tmp_path: Path) -> Path:
    """The seed with its front-matter title translated (as some sxs-format pages carry it)."""
    original = SEED_PAGE.read_text(encoding="utf-8")
    translated = original.replace("title: 'event: cancel'", "title: 'event: отмена'", 1)
    assert translated != original, "the test's edit no longer applies to the seed"
    page_file = tmp_path / "event-cancel.ru-RU.md"
    page_file.write_text(translated, encoding="utf-8")
    return page_file


def _page(kind: str, tmp_path: Path) -> Path:
    return {"sxs": lambda: SEED_PAGE, "plain": lambda: PLAIN_PAGE}.get(
        kind, lambda: _sxs_page_with_translated_title(tmp_path)
    )()


@pytest.mark.parametrize("kind", ["sxs", "plain", "sxs-translated-title"])
def test_localized_pages_generate_valid_descriptions_named_cancel(kind: str, tmp_path: Path) -> None:
    page_file = _page(kind, tmp_path)
    description_text, _ = generate.generate_texts(page_file, page_file.name)
    description: dict[str, Any] = yaml.safe_load(description_text)
    validate(description)
    operations = [item["post"] for item in description["paths"].values()]
    assert len(operations) == 12
    for operation in operations:
        assert operation["operationId"].split(".")[-1] == "cancel", operation["operationId"]
        assert operation["operationId"].isascii()
        assert operation["summary"] == "Invoke action cancel"
        reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert reference == "#/components/schemas/cancelRequestBody"
    schema_names = list(description["components"]["schemas"])
    assert "cancelRequestBody" in schema_names
    assert all(COMPONENT_NAME.match(name) for name in schema_names), schema_names


def test_plain_page_names_its_action_from_the_routes_not_its_translated_title() -> None:
    page = parse_page(PLAIN_PAGE)
    assert page.page_format == "localized"
    assert page.title == "event: отмена"
    assert (page.resource, page.action) == ("event", "cancel")


def test_plain_page_describes_the_same_operations_as_the_seed() -> None:
    seed, _ = generate.generate_texts(SEED_PAGE, "page.md")
    plain, _ = generate.generate_texts(PLAIN_PAGE, "page.md")
    seed_ids = [item["post"]["operationId"] for item in yaml.safe_load(seed)["paths"].values()]
    plain_ids = [item["post"]["operationId"] for item in yaml.safe_load(plain)["paths"].values()]
    assert plain_ids == seed_ids


@pytest.mark.parametrize(
    ("route_line", "expected"),
    [
        ("POST /me/events/{id}/cancel", ("event", "cancel")),
        ("POST /users/{id}/calendar/events/{id}/microsoft.graph.cancel", ("event", "cancel")),
        ("GET /me/events/{id}", ("event", "get")),
        ("GET /me/calendarView/delta()", ("calendarView", "delta")),
        ("POST /me/findMeetingTimes", ("user", "findMeetingTimes")),
    ],
    ids=["action", "namespaced", "no-action", "function", "on-me"],
)
def test_bound_operation_reads_resource_and_action_from_the_route(
    route_line: str, expected: tuple[str, str]
) -> None:
    (route,) = parse_route_block(route_line, 1, "page.md", "http-request")
    assert bound_operation(route, "page.md", "http-request") == expected


def test_a_route_ending_in_a_segment_that_is_no_name_is_one_clear_error() -> None:
    (route,) = parse_route_block("POST /me/events/{id}/отмена", 7, "page.md", "http-request")
    with pytest.raises(SpecParseError) as raised:
        bound_operation(route, "page.md", "http-request")
    assert "'отмена' is not an action name" in str(raised.value)
    assert "\n" not in str(raised.value) and "7" in str(raised.value)


# every test page but the beta one, whose permissions table is an [!INCLUDE] (test_includes.py covers it)
ALL_PAGES = sorted(
    page for page in PAGES_DIR.glob("*.md") if page.name not in ("README.md", ENGLISH_BETA.name)
)


@pytest.mark.parametrize("page_file", [SEED_PAGE, *ALL_PAGES], ids=lambda page: page.name)
def test_every_test_page_in_every_language_generates_a_valid_description(page_file: Path) -> None:
    description_text, _ = generate.generate_texts(page_file, page_file.name)
    description: dict[str, Any] = yaml.safe_load(description_text)
    validate(description)
    action = parse_page(page_file).action
    for item in description["paths"].values():
        for method in ("get", "post"):
            if method in item:
                assert item[method]["operationId"].endswith(f".{action}"), item[method]["operationId"]
