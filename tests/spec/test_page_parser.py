"""The reference-page parser on the seed, the English pages and pages of other actions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.spec.model import ApiPage, RouteParameter
from conformance.spec.page import _required, parse_page
from conformance.spec.routes import parse_route_block
from tests.spec._pages import PAGES_DIR

ATTENDEE_MESSAGE = "Your request can't be completed. You need to be an organizer to cancel a meeting."


def test_seed_page_yields_title_namespace_and_english_description(seed_page: ApiPage) -> None:
    assert seed_page.page_format == "localized-sxs"
    assert (seed_page.title, seed_page.resource, seed_page.action) == ("event: cancel", "event", "cancel")
    assert seed_page.namespace == "microsoft.graph"
    texts = [sentence.text for sentence in seed_page.description]
    first = (
        "This action allows the organizer of a meeting to send a cancellation message and cancel the event."
    )
    assert texts[0] == first
    assert "The action moves the event to the Deleted Items folder." in texts
    assert all(sentence.section == "event-cancel" for sentence in seed_page.description)


def test_merged_segments_are_split_into_sentences(seed_page: ApiPage) -> None:
    response = [sentence.text for sentence in seed_page.sentences["response"]]
    assert response == [
        "If successful, this method returns 202 Accepted response code.",
        "It does not return anything in the response body.",
    ]
    assert [s.text for s in seed_page.sentences["permissions"]][0] == (
        "One of the following permissions is required to call this API."
    )


def test_seed_routes_keep_the_user_alternatives_as_one_parameter(seed_page: ApiPage) -> None:
    assert len(seed_page.routes) == 12
    assert all(route.method == "POST" for route in seed_page.routes)
    users = seed_page.routes[1]
    assert users.template == "/users/{id | userPrincipalName}/events/{id}/cancel"
    parameter = users.segments[1]
    assert isinstance(parameter, RouteParameter)
    assert parameter.alternatives == ("id", "userPrincipalName") and parameter.collection == "users"
    assert seed_page.routes[0].line == 39  # the line of `POST /me/events/{id}/cancel` in the file


def test_seed_permissions_headers_and_body(seed_page: ApiPage) -> None:
    kinds = [(row.kind, row.permissions) for row in seed_page.permissions]
    assert kinds == [
        ("delegated-work", ("Calendars.ReadWrite",)),
        ("delegated-personal", ("Calendars.ReadWrite",)),
        ("application", ("Calendars.ReadWrite",)),
    ]
    assert [(h.name, h.type, h.required) for h in seed_page.headers] == [
        ("Authorization", "string", True),
        ("Content-Type", "string", True),
    ]
    (comment,) = seed_page.body_parameters
    assert (comment.name, comment.type, comment.required) == ("comment", "String", False)
    assert comment.description == "A comment about the cancellation sent to all the attendees. Optional."


def test_seed_status_error_and_examples(seed_page: ApiPage) -> None:
    assert (seed_page.response.status, seed_page.response.reason, seed_page.response.empty_body) == (
        202,
        "Accepted",
        True,
    )
    (error,) = seed_page.errors
    assert (error.status, error.reason, error.message) == (400, "Bad Request", ATTENDEE_MESSAGE)
    request, response = seed_page.examples
    assert request.kind == "request" and request.name == "event_cancel"
    assert request.start_line == "POST https://graph.microsoft.com/v1.0/me/events/{id}/cancel"
    assert request.body == {"Comment": "Cancelling for this week due to all hands"}
    assert response.start_line == "HTTP/1.1 202 Accepted" and response.body is None


def test_english_v1_page_is_read_like_the_seed(english_v1_page: ApiPage) -> None:
    assert english_v1_page.page_format == "english"
    assert len(english_v1_page.routes) == 10
    assert english_v1_page.errors[0].message == ATTENDEE_MESSAGE
    assert english_v1_page.examples[0].body == {"Comment": "Cancelling for this week due to all hands"}


def test_beta_page_with_included_permissions_table_records_the_include(english_beta_page: ApiPage) -> None:
    assert english_beta_page.permissions == ()  # the include is not beside the test page
    assert english_beta_page.permissions_include == (
        "permissions-table (../includes/permissions/event-cancel-permissions.md)"
    )
    assert english_beta_page.response.status == 202
    assert not any("INCLUDE" in s.text for s in english_beta_page.description)


def test_action_with_several_body_parameters_of_other_types() -> None:
    page = parse_page(PAGES_DIR / "event-forward.en.md")
    assert page.action == "forward"
    assert [(p.name, p.type, p.required) for p in page.body_parameters] == [
        ("ToRecipients", "Collection(recipient)", True),
        ("Comment", "String", False),
        ("SaveToSentItems", "Boolean", False),
        ("Body", "itemBody", False),
    ]
    assert [row.permissions for row in page.permissions][0] == ("Calendars.Read", "Calendars.ReadWrite")
    assert [h.name for h in page.headers] == ["Authorization", "Content-Type", "Prefer"]
    assert page.examples[0].body["ToRecipients"][0]["emailAddress"]["name"] == "Dana Swope"


def test_action_without_body_in_the_localized_span_format() -> None:
    page = parse_page(PAGES_DIR / "event-dismissreminder.de-DE.md")
    assert page.page_format == "localized-sxs"
    assert page.action == "dismissReminder"
    assert page.body_parameters == ()
    assert (page.response.status, page.response.empty_body) == (200, True)
    assert [s.text for s in page.description] == [
        "Dismiss a reminder that has been triggered for an event.",
        "It is no longer shown to the user.",
    ]
    assert [row.kind for row in page.permissions] == ["delegated-work", "application"]


def test_plain_localized_page_found_by_anchors_returning_an_object() -> None:
    page = parse_page(PAGES_DIR / "event-get.fr-FR.md")
    assert page.page_format == "localized"
    assert page.namespace == "microsoft.graph"
    assert [route.method for route in page.routes] == ["GET", "GET", "GET"]
    assert page.response.status == 200 and not page.response.empty_body
    assert page.response.body_type == "event"
    assert page.errors[0].status == 403 and page.errors[0].message == "Accès refusé."
    assert page.headers[0].description == "Bearer {token}. Obligatoire."


def test_plain_localized_page_reads_required_and_optional_in_its_language() -> None:
    page = parse_page(PAGES_DIR / "event-get.fr-FR.md")
    assert [(header.name, header.required) for header in page.headers] == [
        ("Authorization", True),
        ("Prefer", False),
    ]


@pytest.mark.parametrize(
    ("description", "required"),
    [
        ("Bearer {token}. Required.", True),
        ("Bearer {token}. Обязательный.", True),
        ("Необязательный.", False),  # contains the word for required: whole words only
        ("Bearer {token}. Erforderlich.", True),
        ("Bearer {token}。必須。", True),
        ("省略可能。", False),
        ("可选。", False),
        ("Nature of the data in the body of an entity.", None),
    ],
)
def test_required_words_of_the_docs_languages(description: str, required: bool | None) -> None:
    assert _required(description) is required


def test_examples_without_block_type_comments_are_read_by_their_first_line(tmp_path: Path) -> None:
    original = (PAGES_DIR / "event-cancel.v1.0.en.md").read_text(encoding="utf-8")
    examples_only = re.sub(r'<!-- \{\s*"blockType": "(request|response)"[^>]*-->\n', "", original)
    assert examples_only != original, "the test's edit no longer applies to the page"
    page_file = tmp_path / "event-cancel.md"
    page_file.write_text(examples_only, encoding="utf-8")
    page = parse_page(page_file)
    kinds = [example.kind for example in page.examples]
    assert kinds == ["request", "response"]
    assert page.examples[0].body == {"Comment": "Cancelling for this week due to all hands"}


def test_routes_split_over_several_blocks_are_all_read_once(tmp_path: Path) -> None:
    original = (PAGES_DIR / "event-cancel.v1.0.en.md").read_text(encoding="utf-8")
    block_break = (
        "\n```\n\nIn a user's calendars:\n\n```http\nPOST /me/events/{id}/cancel\n"  # repeated: read once
    )
    split = original.replace(
        "POST /groups/{id}/calendar/events/{id}/cancel\n\n",
        "POST /groups/{id}/calendar/events/{id}/cancel" + block_break,
        1,
    )
    split = split.replace(
        "## Request headers",
        "A request example, not a route block:\n\n```http\nGET https://x/me\n```\n\n## Request headers",
        1,
    )
    assert split.count("```http") == original.count("```http") + 2, "the test's edit no longer applies"
    page_file = tmp_path / "event-cancel.md"
    page_file.write_text(split, encoding="utf-8")
    assert [route.template for route in parse_page(page_file).routes] == [
        route.template for route in parse_page(PAGES_DIR / "event-cancel.v1.0.en.md").routes
    ]


def test_a_route_line_with_a_query_string_keeps_only_the_path() -> None:
    routes = parse_route_block(
        "GET /me/calendarView?startDateTime={start}&endDateTime={end}\nPOST /me/events/{id}/cancel",
        10,
        "page.md",
        "http-request",
    )
    assert [(route.method, route.template, route.line) for route in routes] == [
        ("GET", "/me/calendarView", 10),
        ("POST", "/me/events/{id}/cancel", 11),
    ]
