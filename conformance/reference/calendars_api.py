"""Calendar and calendar-group endpoints: list, create, get and delete."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from conformance.reference import odata
from conformance.reference.access import GROUP_READ, READ_CALENDAR, WRITE_CALENDAR, require
from conformance.reference.call import Call, json_response, method_not_allowed
from conformance.reference.graph_errors import bad_request, malformed_id, not_found
from conformance.reference.ids import decode_id, mint_change_key, mint_item_id


def handle_calendars(call: Call, kind: str, method: str) -> Response:
    """Dispatch a calendar or calendar-group request."""
    owner_id, params = call.mailbox.owner_id, call.route.params
    if method == "GET":
        require(call.caller, call.mailbox, READ_CALENDAR, GROUP_READ)
    elif method in ("POST", "DELETE"):
        require(call.caller, call.mailbox, WRITE_CALENDAR)
    else:
        raise method_not_allowed("GET, POST, DELETE")
    if kind == "calendar-groups":
        if method == "POST":
            name = _name_from(call)
            group_id = mint_item_id()
            with call.store.transaction() as connection:
                connection.execute(
                    "INSERT INTO calendar_groups VALUES (?, ?, ?, 0, ?)",
                    (group_id, owner_id, name, mint_change_key()),
                )
            return json_response(
                {"@odata.context": call.context("calendarGroups/$entity"), **_group_json(call, group_id)}, 201
            )
        rows = call.store.rows(
            "SELECT id FROM calendar_groups WHERE owner_id = ? ORDER BY rowid", (owner_id,)
        )
        return _list(call, [_group_json(call, row["id"]) for row in rows], "calendarGroups")
    if kind == "calendar-group":
        group_id = _owned(call, "calendar_groups", params["group"])
        if method == "DELETE":
            with call.store.transaction() as connection:
                if connection.execute(
                    "SELECT is_default FROM calendar_groups WHERE id = ?", (group_id,)
                ).fetchone()["is_default"]:
                    raise bad_request("The default calendar group cannot be deleted.", "ErrorInvalidRequest")
                for calendar in connection.execute(
                    "SELECT id FROM calendars WHERE calendar_group_id = ?", (group_id,)
                ).fetchall():
                    _drop_calendar(connection, calendar["id"])
                connection.execute("DELETE FROM calendar_groups WHERE id = ?", (group_id,))
            return Response(status_code=204)
        return json_response(
            {"@odata.context": call.context("calendarGroups/$entity"), **_group_json(call, group_id)}
        )
    if kind in ("calendars", "calendars-default-group"):
        in_group: str | None = params.get("group")
        if in_group is not None:
            in_group = _owned(call, "calendar_groups", in_group)
        elif kind == "calendars-default-group":
            in_group = _default_group(call)
        if method == "POST":
            calendar_id = mint_item_id()
            with call.store.transaction() as connection:
                connection.execute(
                    "INSERT INTO calendars VALUES (?, ?, ?, ?, 0, ?)",
                    (
                        calendar_id,
                        owner_id,
                        in_group or _default_group(call),
                        _name_from(call),
                        mint_change_key(),
                    ),
                )
            return json_response(
                {"@odata.context": call.context("calendars/$entity"), **_calendar_json(call, calendar_id)},
                201,
            )
        rows = call.store.rows(
            "SELECT id, calendar_group_id FROM calendars WHERE owner_id = ? ORDER BY rowid", (owner_id,)
        )
        items = [
            _calendar_json(call, row["id"])
            for row in rows
            if in_group is None or row["calendar_group_id"] == in_group
        ]
        return _list(call, items, "calendars")
    addressed_calendar: str | None = params.get("calendar")
    if addressed_calendar is None:
        addressed_calendar = call.store.one(
            "SELECT id FROM calendars WHERE owner_id = ? AND is_default = 1", (owner_id,)
        )["id"]
    addressed_calendar = _owned(call, "calendars", addressed_calendar)
    if method == "DELETE":
        with call.store.transaction() as connection:
            if connection.execute(
                "SELECT is_default FROM calendars WHERE id = ?", (addressed_calendar,)
            ).fetchone()[0]:
                raise bad_request("The default calendar cannot be deleted.", "ErrorInvalidRequest")
            _drop_calendar(connection, addressed_calendar)
        return Response(status_code=204)
    if method != "GET":
        raise method_not_allowed("GET, DELETE")
    return json_response(
        {"@odata.context": call.context("calendars/$entity"), **_calendar_json(call, addressed_calendar)}
    )


def _list(call: Call, items: list[dict[str, Any]], context: str) -> Response:
    return json_response(
        {"@odata.context": call.context(context), **odata.apply_query(items, call.query, call.page_url)}
    )


def _owned(call: Call, table: str, item_id: str) -> str:
    if decode_id(item_id) is None:
        raise malformed_id()
    row = call.store.row(
        f"SELECT id FROM {table} WHERE id = ? AND owner_id = ?", (item_id, call.mailbox.owner_id)
    )
    if row is None:
        raise not_found()
    return str(row["id"])


def _default_group(call: Call) -> str:
    row = call.store.row(
        "SELECT id FROM calendar_groups WHERE owner_id = ? AND is_default = 1", (call.mailbox.owner_id,)
    )
    if row is None:
        raise not_found()
    return str(row["id"])


def _name_from(call: Call) -> str:
    payload = call.json_body()
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("name"), str)
        or not payload["name"].strip()
    ):
        raise bad_request("Property 'name' (a non-empty string) is required.", "ErrorInvalidRequest")
    return str(payload["name"])


def _group_json(call: Call, group_id: str) -> dict[str, Any]:
    row = call.store.one("SELECT * FROM calendar_groups WHERE id = ?", (group_id,))
    return {
        "id": row["id"],
        "name": row["name"],
        "changeKey": row["change_key"],
        "classId": "0006f0b7-0000-0000-c000-000000000046" if row["is_default"] else row["id"][:8],
    }


def _calendar_json(call: Call, calendar_id: str) -> dict[str, Any]:
    row = call.store.one("SELECT * FROM calendars WHERE id = ?", (calendar_id,))
    owner = call.store.row("SELECT display_name, upn FROM users WHERE id = ?", (row["owner_id"],))
    owner_json = {"name": owner["display_name"], "address": owner["upn"]} if owner else None
    return {
        "id": row["id"],
        "name": row["name"],
        "color": "auto",
        "hexColor": "",
        "isDefaultCalendar": bool(row["is_default"]),
        "changeKey": row["change_key"],
        "canShare": True,
        "canViewPrivateItems": True,
        "canEdit": True,
        "isRemovable": not row["is_default"],
        "isTallyingResponses": True,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"],
        "defaultOnlineMeetingProvider": "teamsForBusiness",
        "owner": owner_json,
    }


def _drop_calendar(connection: Any, calendar_id: str) -> None:
    connection.execute("UPDATE events SET folder = 'deleteditems' WHERE calendar_id = ?", (calendar_id,))
    connection.execute("DELETE FROM calendars WHERE id = ?", (calendar_id,))
