"""The requirement catalog: its rows, sentences from the page, the docs tables and route families from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conformance._paths import openapi_dir, repo_root
from conformance.errors import SpecParseError
from conformance.spec import generate
from conformance.spec.catalog import (
    Requirement,
    actions_of,
    load_catalog,
    requirement_from_mapping,
    requirements_of,
)
from conformance.spec.interfaces_doc import with_tables
from conformance.spec.model import ApiPage
from conformance.spec.requirements import build_catalog, load_overlay
from conformance.spec.routes import ROUTE_SECTION, route_families
from tests.spec._pages import SEED_PAGE

INTERFACES = repo_root() / "docs" / "INTERFACES.md"


def _interface_ids() -> dict[str, str]:
    text = INTERFACES.read_text(encoding="utf-8")
    return dict(re.findall(r"^\| ([A-Z]+-[A-Z0-9-]+) \| ([a-z-]+) \|", text, flags=re.MULTILINE))


def test_interface_tables_list_exactly_the_catalog_ids_and_profiles_in_order() -> None:
    documented = _interface_ids()
    catalog = load_catalog()
    assert documented, "docs/INTERFACES.md has no requirement table rows"
    assert list(documented) == list(catalog)
    assert documented == {rid: req.profile for rid, req in catalog.items()}


def test_interface_tables_are_what_generate_writes() -> None:
    document = INTERFACES.read_text(encoding="utf-8")
    catalog_text = (openapi_dir() / "requirements.yaml").read_text(encoding="utf-8")
    assert generate.interfaces_text(catalog_text, document) == document


def test_interface_tables_follow_a_changed_catalog() -> None:
    catalog_text = (openapi_dir() / "requirements.yaml").read_text(encoding="utf-8")
    document = yaml.safe_load(catalog_text)
    document["requirements"] = document["requirements"][:3]
    rebuilt = generate.interfaces_text(yaml.safe_dump(document), INTERFACES.read_text(encoding="utf-8"))
    rows = re.findall(r"^\| ([A-Z]+-[A-Z0-9-]+) \|", rebuilt, flags=re.MULTILINE)
    assert rows == [row["id"] for row in document["requirements"]]
    assert "doc level (stated on the page): 3 requirements" in rebuilt


def test_a_document_without_table_markers_is_one_clear_error() -> None:
    with pytest.raises(SpecParseError) as raised:
        with_tables("# no markers here\n", "| x |")
    assert "BEGIN requirement tables" in str(raised.value) and "INTERFACES.md" in str(raised.value)


_PREFIXES = {
    "cancel": "CANCEL-",
    "accept": "ACCEPT-",
    "tentativelyAccept": "TENTATIVE-",
    "decline": "DECLINE-",
    "forward": "FORWARD-",
    "snoozeReminder": "SNOOZE-",
    "dismissReminder": "DISMISS-",
}


def test_catalog_rows_are_complete_and_name_their_action_and_level() -> None:
    catalog = load_catalog()
    assert actions_of(catalog) == tuple(_PREFIXES)
    for requirement_id, requirement in catalog.items():
        assert isinstance(requirement, Requirement)
        assert requirement.sentence and requirement.check, requirement_id
        assert "\n" not in requirement.check
        if requirement.action == "common":
            assert requirement_id.startswith("GRAPH-") and requirement.level == "graph", requirement_id
        else:
            prefix = _PREFIXES[requirement.action]
            assert requirement_id.startswith((prefix, "GRAPH-")), requirement_id
        if requirement.level == "doc":
            assert requirement.source == f"openapi/sources/event-{requirement.action}" + (
                ".ru-RU.md" if requirement.action == "cancel" else ".md"
            )
            assert requirement.section and not requirement.evidence, requirement_id
        else:
            assert requirement.source.startswith("https://"), requirement_id
            assert requirement.evidence == f"graph-evidence.md#{requirement_id.lower()}"


def test_rows_without_an_action_read_as_cancel() -> None:
    """A catalog written before rows named their action still reads: its rows are cancel's."""
    row = load_catalog()["CANCEL-202-EMPTY"].as_dict()
    row.pop("action")
    assert requirement_from_mapping(row, "old.yaml").action == "cancel"
    with pytest.raises(SpecParseError, match="action must be"):
        requirement_from_mapping({**row, "action": "not an action"}, "bad.yaml")


def test_requirements_of_selects_actions_in_catalog_order() -> None:
    catalog = load_catalog()
    forward = requirements_of(catalog, "forward")
    assert forward and {r.action for r in forward.values()} == {"forward"}
    assert len([rid for rid in forward if "-ROUTE-" in rid]) == 10
    common = requirements_of(catalog, "common")
    assert "GRAPH-ERROR-ENVELOPE" in common and "GRAPH-SECOND-CANCEL-4XX" not in common


def test_doc_sentences_are_the_pages_english(seed_page: ApiPage) -> None:
    catalog = load_catalog()
    assert catalog["CANCEL-ROUTE-USERS-CALENDARGROUPS-CALENDARS-EVENTS"].sentence == (
        "POST /users/{id | userPrincipalName}/calendargroups/{id}/calendars/{id}/events/{id}/cancel"
    )
    assert catalog["CANCEL-202-EMPTY"].sentence == (
        "If successful, this method returns 202 Accepted response code. "
        "It does not return anything in the response body."
    )
    assert catalog["CANCEL-ATTENDEE-MESSAGE"].sentence.endswith(
        '"Your request can\'t be completed. You need to be an organizer to cancel a meeting."'
    )
    assert catalog["CANCEL-PERM-DELEGATED-PERSONAL"].sentence == (
        "Delegated (personal Microsoft account): Calendars.ReadWrite"
    )
    assert catalog["CANCEL-COMMENT-DELIVERED-PASCAL"].sentence == (
        '"Comment": "Cancelling for this week due to all hands"'
    )
    assert catalog["CANCEL-PERM-REQUIRED"].section == "permissions"
    page_sentences = {s.text for sentences in seed_page.sentences.values() for s in sentences}
    assert catalog["CANCEL-DELETED-ITEMS"].sentence in page_sentences


def test_load_catalog_returns_a_fresh_dict_each_call() -> None:
    first = load_catalog()
    first.pop("CANCEL-202-EMPTY")
    assert "CANCEL-202-EMPTY" in load_catalog()


def test_overlay_phrase_missing_from_the_page_is_a_clear_error(tmp_path: Path, seed_page: ApiPage) -> None:
    overlay = load_overlay()
    overlay["requirements"] = [
        {
            "id": "CANCEL-DELETED-ITEMS",
            "profile": "core",
            "check": "x",
            "from": {"section": "event-cancel", "sentences": ["Recycle Bin"]},
        },
    ]
    with pytest.raises(SpecParseError) as caught:
        build_catalog(seed_page, overlay, str(SEED_PAGE))
    assert "CANCEL-DELETED-ITEMS" in str(caught.value) and "Recycle Bin" in str(caught.value)
    assert caught.value.section == "event-cancel"


def test_route_families_name_every_route_requirement_once_in_catalog_order() -> None:
    catalog = load_catalog()
    route_ids = [
        rid for rid, requirement in catalog.items()
        if requirement.section == ROUTE_SECTION and requirement.action == "cancel"
    ]
    families = route_families()
    assert list(families.values()) == route_ids and route_ids
    assert families["me-calendargroups-calendars-events"] == "CANCEL-ROUTE-ME-CALENDARGROUPS-CALENDARS-EVENTS"
    for family, requirement_id in families.items():
        assert requirement_id == f"CANCEL-ROUTE-{family.upper()}"


def test_route_families_follow_the_catalog_they_are_given() -> None:
    catalog = load_catalog()
    first = next(iter(catalog.values()))
    route = "POST /me/todo/events/{id}/cancel"
    added = Requirement("CANCEL-ROUTE-ME-TODO-EVENTS", route, "doc", "core", "p", ROUTE_SECTION, "c")
    families = route_families({first.id: first, added.id: added})
    assert families == {"me-events": first.id, "me-todo-events": "CANCEL-ROUTE-ME-TODO-EVENTS"}


def test_route_families_of_another_action() -> None:
    families = route_families(action="tentativelyAccept")
    assert len(families) == 8 and "groups-events" not in families
    assert families["me-events"] == "TENTATIVE-ROUTE-ME-EVENTS"
    forward = route_families(action="forward")
    assert forward["groups-calendar-events"] == "FORWARD-ROUTE-GROUPS-CALENDAR-EVENTS"
