"""The localized seed and the English page of the same action agree on what the suite relies on."""

from __future__ import annotations

from conformance.spec.model import ApiPage

LEGACY_ROUTES = {
    "POST /me/calendargroup/calendars/{id}/events/{id}/cancel",
    "POST /users/{id | userPrincipalName}/calendargroup/calendars/{id}/events/{id}/cancel",
}


def _routes(page: ApiPage) -> set[str]:
    # Graph segments are case-insensitive; today's English page spells `calendarGroups`.
    return {
        f"{route.method} {route.template}".replace("calendarGroups", "calendargroups")
        for route in page.routes
    }


def test_routes_differ_exactly_by_the_two_singular_calendargroup_routes(
    seed_page: ApiPage, english_v1_page: ApiPage
) -> None:
    assert len(english_v1_page.routes) == 10
    assert _routes(english_v1_page) <= _routes(seed_page)
    assert _routes(seed_page) - _routes(english_v1_page) == LEGACY_ROUTES


def test_parameters_permissions_statuses_and_message_agree(
    seed_page: ApiPage, english_v1_page: ApiPage
) -> None:
    assert english_v1_page.body_parameters[0].name == seed_page.body_parameters[0].name
    assert [(p.name, p.type, p.required) for p in seed_page.body_parameters] == [
        (p.name, p.type, p.required) for p in english_v1_page.body_parameters
    ]
    assert [(h.name, h.type, h.required) for h in seed_page.headers] == [
        (h.name, h.type, h.required) for h in english_v1_page.headers
    ]
    assert [(r.kind, r.permissions) for r in seed_page.permissions] == [
        (r.kind, r.permissions) for r in english_v1_page.permissions
    ]
    assert (
        (seed_page.response.status, seed_page.response.empty_body)
        == (english_v1_page.response.status, english_v1_page.response.empty_body)
        == (202, True)
    )
    assert [(e.status, e.message) for e in seed_page.errors] == [
        (e.status, e.message) for e in english_v1_page.errors
    ]


def test_beta_page_agrees_on_routes_and_statuses(seed_page: ApiPage, english_beta_page: ApiPage) -> None:
    assert _routes(seed_page) - _routes(english_beta_page) == LEGACY_ROUTES
    assert english_beta_page.errors[0].message == seed_page.errors[0].message
    assert english_beta_page.body_parameters[0].name == "comment"


def test_seed_copy_is_byte_for_byte_the_shared_seed() -> None:
    from pathlib import Path

    from tests.spec._pages import SEED_PAGE

    shared = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "event-cancel.ru-RU.md"  # ../shared
    if shared.is_file():
        assert SEED_PAGE.read_bytes() == shared.read_bytes()
    assert SEED_PAGE.read_bytes().startswith(b"---\ntitle: 'event: cancel'")
