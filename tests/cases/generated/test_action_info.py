"""What the generated cases read of an action from its description: its name, route requirement, prefix,
success status and body members' types, whatever shape the description takes."""

from __future__ import annotations

from typing import Any

from conformance.cases.generated import _actions


def test_the_action_is_the_paths_last_segment_a_trailing_slash_ignored() -> None:
    assert _actions.action_of_path("/me/events/{event-id}/accept/") == "accept"
    assert _actions.action_of_path("/me/events/{event-id}/TAX") == "TAX"
    assert _actions.action_of_path("decline") == "decline"
    assert _actions.action_of_path("/me/events/{event-id}/dismissReminder") == "dismissReminder"


def test_the_route_requirement_is_the_first_route_id_listed() -> None:
    operation = {"x-requirements": ["ACCEPT-202-EMPTY", "ACCEPT-ROUTE-ME-EVENTS",
                                    "ACCEPT-ROUTE-USERS-EVENTS"]}
    assert _actions.route_id_of(operation) == "ACCEPT-ROUTE-ME-EVENTS"
    assert _actions.route_id_of({"x-requirements": ["ACCEPT-202-EMPTY"]}) is None
    assert _actions.route_id_of({"x-requirements": None}) is None
    assert _actions.route_id_of({}) is None


def _described(operation: dict[str, Any], schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"paths": {"/me/events/{event-id}/snoozeReminder": {"post": operation}},
            "components": {"schemas": schemas or {}}}


def test_an_action_without_route_requirement_or_2xx_is_named_from_its_path() -> None:
    described = _described({"responses": {"4XX": {"description": "error"}}})
    info = _actions.action_info(described, "/me/events/{event-id}/snoozeReminder")
    assert (info.name, info.prefix, info.success, info.members) == (
        "snoozeReminder", "SNOOZEREMINDER", "2XX", ())
    bare = _actions.action_info(_described({}), "/me/events/{event-id}/snoozeReminder")
    assert (bare.name, bare.success) == ("snoozeReminder", "2XX")


def test_the_prefix_is_what_comes_before_the_first_route_mark() -> None:
    operation = {"x-requirements": ["SNOOZE-ROUTE-ME-ROUTE-X"], "responses": {"200": {}, "204": {}}}
    info = _actions.action_info(_described(operation), "/me/events/{event-id}/snoozeReminder")
    assert (info.prefix, info.success) == ("SNOOZE", "200")


def test_member_types_follow_refs_unions_and_branches() -> None:
    schemas = {
        "body": {"type": "object", "properties": {
            "newReminderTime": {"$ref": "#/components/schemas/slot"},
            "kind": {"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/slot"},
                               {"type": "string"}]},
            "flag": {"type": ["boolean", "null"]},
            "gone": {"$ref": "#/components/schemas/missing"},
            "through": {"$ref": "#/components/schemas/text/deeper"},
            "odd": True,
        }},
        "slot": {"type": "object"},
        "text": "not a schema",
    }
    schema = {"$ref": "#/components/schemas/body"}
    operation = {"requestBody": {"content": {"application/json": {"schema": schema}}}}
    info = _actions.action_info(_described(operation, schemas), "/me/events/{event-id}/snoozeReminder")
    assert info.member_types == {"newReminderTime": ("object",), "kind": ("string", "object"),
                                 "flag": ("boolean", "null"), "gone": (), "through": (), "odd": ()}


def test_a_ref_to_nothing_resolves_to_an_empty_schema() -> None:
    described = {"components": {"schemas": {"text": "not a schema"}}}
    assert _actions._resolve(described, {"$ref": "#/components/schemas/missing"}) == {}
    assert _actions._resolve(described, {"$ref": "#/components/schemas/text/deeper"}) == {}
    assert _actions._resolve(described, {"$ref": "#/components/schemas/text"}) == "not a schema"
