"""Every action of the family: its overlay, its description and its catalog rows; adding one is data only."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from conformance._paths import DESCRIPTION_FILE, description_files, openapi_dir
from conformance.errors import SpecParseError
from conformance.spec import generate, overlays
from conformance.spec.catalog import actions_of, load_catalog, read_catalog
from conformance.spec.interfaces_doc import INTERFACES_DOC

ACTIONS = ("cancel", "accept", "tentativelyAccept", "decline", "forward", "snoozeReminder", "dismissReminder")


def _description(action: str) -> dict[str, Any]:
    document = yaml.safe_load((openapi_dir() / f"event-{action}.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [item["post"] for item in document["paths"].values()]


def test_description_files_are_every_action_in_order_cancel_first() -> None:
    files = description_files()
    assert [path.name for path in files] == [f"event-{action}.yaml" for action in ACTIONS]
    assert files[0].name == DESCRIPTION_FILE and all(path.is_file() for path in files)
    assert actions_of(load_catalog()) == ACTIONS


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_description_is_valid_openapi_3_1(action: str) -> None:
    document = _description(action)
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["info"]["x-source"]["page"].startswith(f"openapi/sources/event-{action}")
    for operation in _operations(document):
        assert operation["operationId"].endswith(f".{action}")
        assert operation["summary"] == f"Invoke action {action}"


@pytest.mark.parametrize(
    ("action", "routes", "status", "scopes"),
    [
        ("accept", 8, "202", ["Calendars.ReadWrite"]),
        ("tentativelyAccept", 8, "202", ["Calendars.ReadWrite"]),
        ("decline", 8, "202", ["Calendars.ReadWrite"]),
        ("forward", 10, "202", ["Calendars.Read"]),
        ("snoozeReminder", 8, "200", ["Calendars.ReadWrite"]),
        ("dismissReminder", 8, "200", ["Calendars.ReadWrite"]),
    ],
)
def test_routes_success_status_without_content_and_permission(
    action: str, routes: int, status: str, scopes: list[str]
) -> None:
    operations = _operations(_description(action))
    assert len(operations) == routes
    for operation in operations:
        assert "content" not in operation["responses"][status]
        assert {"200", "202"} & set(operation["responses"]) == {status}
        assert operation["security"][0] == {"azureaadv2": scopes}


def _body(action: str) -> dict[str, Any]:
    schemas = _description(action)["components"]["schemas"]
    body = schemas[f"{action}RequestBody"]
    assert body["additionalProperties"] is False
    return dict(body)


@pytest.mark.parametrize("action", ["accept", "tentativelyAccept", "decline"])
def test_answers_take_a_comment_and_send_response_defaulting_to_true(action: str) -> None:
    properties = _body(action)["properties"]
    assert properties["comment"]["type"] == ["string", "null"]
    assert properties["sendResponse"]["type"] == ["boolean", "null"]
    assert properties["sendResponse"]["default"] is True
    assert "default" not in properties["comment"]


@pytest.mark.parametrize("action", ["tentativelyAccept", "decline"])
def test_proposed_new_time_is_a_time_slot_of_two_date_time_time_zones(action: str) -> None:
    schemas = _description(action)["components"]["schemas"]
    proposed = _body(action)["properties"]["proposedNewTime"]
    assert proposed["anyOf"] == [{"$ref": "#/components/schemas/microsoft.graph.timeSlot"}, {"type": "null"}]
    slot = schemas["microsoft.graph.timeSlot"]
    zone = {"$ref": "#/components/schemas/microsoft.graph.dateTimeTimeZone"}
    refs = {name: {"$ref": value["$ref"]} for name, value in slot["properties"].items()}
    assert refs == {"end": zone, "start": zone}
    assert set(schemas["microsoft.graph.dateTimeTimeZone"]["properties"]) == {"dateTime", "timeZone"}


def test_forward_takes_a_recipient_collection_and_a_comment_that_may_be_empty() -> None:
    schemas = _description("forward")["components"]["schemas"]
    properties = _body("forward")["properties"]
    assert properties["ToRecipients"]["type"] == ["array", "null"]
    assert properties["ToRecipients"]["items"] == {"$ref": "#/components/schemas/microsoft.graph.recipient"}
    assert properties["Comment"]["type"] == ["string", "null"] and "minLength" not in properties["Comment"]
    assert "empty string" in properties["Comment"]["description"]
    recipient = schemas["microsoft.graph.recipient"]["properties"]["emailAddress"]
    assert recipient["$ref"] == "#/components/schemas/microsoft.graph.emailAddress"
    assert set(schemas["microsoft.graph.emailAddress"]["properties"]) == {"address", "name"}


def test_snooze_requires_new_reminder_time_and_dismiss_takes_no_body() -> None:
    snooze = _body("snoozeReminder")
    assert snooze["required"] == ["newReminderTime"]
    new_time = snooze["properties"]["newReminderTime"]
    assert new_time["$ref"] == "#/components/schemas/microsoft.graph.dateTimeTimeZone"
    for operation in _operations(_description("snoozeReminder")):
        assert operation["requestBody"]["required"] is True
        assert "GRAPH-SNOOZE-TIME-REQUIRED" in operation["x-requirements"]
    for operation in _operations(_description("dismissReminder")):
        assert "requestBody" not in operation


def test_common_conventions_are_listed_once_and_apply_to_every_action() -> None:
    catalog = load_catalog()
    common = [rid for rid, requirement in catalog.items() if requirement.action == "common"]
    assert "GRAPH-405-OTHER-METHODS" in common and "GRAPH-SECOND-CANCEL-4XX" not in common
    assert all(catalog[rid].level == "graph" for rid in common)
    for action in ACTIONS:
        for operation in _operations(_description(action)):
            assert {"GRAPH-ERROR-ENVELOPE", "GRAPH-NO-SERVER-ERROR", "GRAPH-405-OTHER-METHODS"} <= set(
                operation["x-requirements"]
            )
            other = {"common", action}
            foreign = {rid for rid in operation["x-requirements"] if catalog[rid].action not in other}
            assert not foreign, (action, foreign)


@pytest.fixture()
def scratch(scratch_openapi: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The scratch openapi/ and docs/ plus a copy of spec/actions/ that generate reads instead."""
    root = scratch_openapi.parent
    shutil.copytree(overlays.ACTIONS_DIR, root / "actions")
    monkeypatch.setattr(overlays, "ACTIONS_DIR", root / "actions")
    return root


_NEW_OVERLAY = """\
action: "event: pinReminder"
page: sources/event-pinReminder.md
order: 8
id_prefix: PIN
routes: {default_profile: core, check: "POST pinReminder on the route -> 200"}
requirements:
  - id: PIN-200-EMPTY
    profile: core
    from: {section: response, sentences: ["returns", "response body"]}
    check: "pinReminder -> status 200 with an empty body"
  - id: GRAPH-PIN-TWICE
    level: graph
    profile: core
    sentence: "Pinning twice is harmless."
    check: "pinReminder twice -> 200 each"
    basis: inferred
    evidence:
      - {url: "https://learn.microsoft.com/en-us/graph/errors", says: "Graph's status codes."}
"""


def _new_page(scratch: Path) -> None:
    """The page of a made-up action, pinReminder: dismissReminder's page with the action renamed."""
    source = scratch / "openapi" / "sources"
    page = (source / "event-dismissReminder.md").read_text(encoding="utf-8")
    renamed = page.replace("dismissReminder", "pinReminder")
    (source / "event-pinReminder.md").write_text(renamed, encoding="utf-8")


def test_a_new_page_and_overlay_file_make_a_new_action_without_code_changes(scratch: Path) -> None:
    """The page of a (made-up) action plus its overlay file: generate writes its description and rows."""
    _new_page(scratch)
    (scratch / "actions" / "pinReminder.yaml").write_text(_NEW_OVERLAY, encoding="utf-8")
    assert generate.run_generate(check=True, source=None, out=None) == 1  # stale: a new action appeared
    assert generate.run_generate(check=False, source=None, out=None) == 0
    description = yaml.safe_load((scratch / "openapi" / "event-pinReminder.yaml").read_text(encoding="utf-8"))
    validate(description)
    assert "/me/events/{event-id}/pinReminder" in description["paths"]
    catalog = read_catalog(scratch / "openapi" / "requirements.yaml")
    assert actions_of(catalog) == (*ACTIONS, "pinReminder")
    assert catalog["PIN-ROUTE-ME-EVENTS"].action == catalog["PIN-200-EMPTY"].action == "pinReminder"
    assert catalog["GRAPH-PIN-TWICE"].evidence == "graph-evidence.md#graph-pin-twice"
    assert "GRAPH-PIN-TWICE" in (scratch / "openapi" / "graph-evidence.md").read_text(encoding="utf-8")
    assert "#### pinReminder (9 doc, 1 graph)" in (scratch / INTERFACES_DOC).read_text(encoding="utf-8")
    assert generate.run_generate(check=True, source=None, out=None) == 0


def test_an_overlay_not_named_after_its_action_is_one_clear_error(scratch: Path) -> None:
    (scratch / "actions" / "pin.yaml").write_text(_NEW_OVERLAY, encoding="utf-8")
    with pytest.raises(SpecParseError, match="named after its action") as raised:
        generate.run_generate(check=True, source=None, out=None)
    assert raised.value.file.endswith("pin.yaml")


def test_an_overlay_whose_page_is_missing_is_one_clear_error(scratch: Path) -> None:
    (scratch / "actions" / "pinReminder.yaml").write_text(_NEW_OVERLAY, encoding="utf-8")
    with pytest.raises(SpecParseError, match="event-pinReminder.md does not exist"):
        generate.run_generate(check=True, source=None, out=None)


def test_an_overlay_reusing_another_actions_id_is_one_clear_error(scratch: Path) -> None:
    _new_page(scratch)
    clash = _NEW_OVERLAY.replace("id: PIN-200-EMPTY", "id: DISMISS-200-EMPTY")
    (scratch / "actions" / "pinReminder.yaml").write_text(clash, encoding="utf-8")
    with pytest.raises(SpecParseError, match="'DISMISS-200-EMPTY' is produced twice"):
        generate.run_generate(check=True, source=None, out=None)
