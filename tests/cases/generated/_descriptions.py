"""Small OpenAPI descriptions of several actions, as the spec generates them (for the generated tests)."""

from __future__ import annotations

from typing import Any

TIME_SLOT = {"type": "object", "properties": {"start": {"type": "object"}, "end": {"type": "object"}}}


def operation(route_id: str, success: str, body: str | None) -> dict[str, Any]:
    """A POST operation naming its route requirement, answering `success`, taking the body schema `body`."""
    made: dict[str, Any] = {"x-requirements": [route_id], "responses": {success: {"description": "ok"},
                                                                        "4XX": {"description": "error"}}}
    if body is not None:
        made["requestBody"] = {"content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{body}"}, "examples": {"page": {"value": {}}}}}}
    return made


def description(*scopes: str) -> dict[str, Any]:
    """accept, snoozeReminder and dismissReminder on /me/events, described as the spec generates them."""
    schemas = {
        "acceptRequestBody": {"type": "object", "additionalProperties": False, "properties": {
            "comment": {"type": ["string", "null"]}, "sendResponse": {"type": ["boolean", "null"]},
            "proposedNewTime": {"anyOf": [{"$ref": "#/components/schemas/timeSlot"}, {"type": "null"}]}}},
        "snoozeReminderRequestBody": {"type": "object", "properties": {
            "newReminderTime": {"anyOf": [{"$ref": "#/components/schemas/timeSlot"}, {"type": "null"}]}}},
        "timeSlot": TIME_SLOT,
    }
    return {
        "openapi": "3.1.0",
        "paths": {
            "/me/events/{event-id}/accept": {"post": operation("ACCEPT-ROUTE-ME-EVENTS", "202",
                                                               "acceptRequestBody")},
            "/me/events/{event-id}/snoozeReminder": {"post": operation("SNOOZE-ROUTE-ME-EVENTS", "200",
                                                                       "snoozeReminderRequestBody")},
            "/me/events/{event-id}/dismissReminder": {"post": operation("DISMISS-ROUTE-ME-EVENTS", "200",
                                                                        None)},
        },
        "components": {"schemas": schemas, "securitySchemes": {"oauth": {"flows": {"scopes": dict.fromkeys(
            scopes, "x")}}}},
    }
