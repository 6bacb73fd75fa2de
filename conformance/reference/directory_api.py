"""Directory and mailbox endpoints: users, groups, calendars, calendar groups and messages."""

from __future__ import annotations

import time
from typing import Any

from starlette.responses import Response

from conformance.reference import odata
from conformance.reference.access import (
    GROUP_READ,
    READ_CALENDAR,
    READ_MAIL,
    WRITE_CALENDAR,
    WRITE_MAIL,
    require,
)
from conformance.reference.call import Call, json_response, method_not_allowed
from conformance.reference.graph_errors import bad_request, malformed_id, not_found
from conformance.reference.ids import decode_id, mint_change_key, mint_item_id
from conformance.reference.mail import render_message
from conformance.reference.store import doc_of

_FOLDERS = {"inbox": "inbox", "deleteditems": "deleteditems", "sentitems": "sentitems"}


def handle_directory(call: Call) -> Response:
    """Dispatch a non-event request by route kind and method."""
    kind, method = call.route.kind, call.request.method
    if kind == "principal" and method == "GET":
        return json_response(odata.select_one(_principal(call), call.query))
    if kind in ("calendars", "calendars-default-group", "calendar", "calendar-groups", "calendar-group"):
        return _calendars(call, kind, method)
    if kind in ("messages", "message"):
        return _messages(call, kind, method)
    raise method_not_allowed("GET")


def _principal(call: Call) -> dict[str, Any]:
    if call.mailbox.kind == "group":
        group = call.store.row("SELECT * FROM groups WHERE id = ?", (call.mailbox.owner_id,))
        return {
            "@odata.context": f"{call.version_url}/$metadata#groups/$entity",
            "id": group["id"],
            "displayName": group["display_name"],
            "mail": group["mail"],
            "groupTypes": ["Unified"],
            "mailEnabled": True,
            "securityEnabled": False,
        }
    person = call.store.row("SELECT * FROM users WHERE id = ?", (call.mailbox.owner_id,))
    given, _, surname = person["display_name"].partition(" ")
    return {
        "@odata.context": f"{call.version_url}/$metadata#users/$entity",
        "id": person["id"],
        "displayName": person["display_name"],
        "givenName": given,
        "surname": surname,
        "userPrincipalName": person["upn"],
        "mail": person["upn"],
        "businessPhones": [],
        "jobTitle": None,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": "en-US",
    }


def _calendars(call: Call, kind: str, method: str) -> Response:
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
        group_id = params.get("group")
        if group_id is not None:
            group_id = _owned(call, "calendar_groups", group_id)
        elif kind == "calendars-default-group":
            group_id = _default_group(call)
        if method == "POST":
            calendar_id = mint_item_id()
            with call.store.transaction() as connection:
                connection.execute(
                    "INSERT INTO calendars VALUES (?, ?, ?, ?, 0, ?)",
                    (
                        calendar_id,
                        owner_id,
                        group_id or _default_group(call),
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
            if group_id is None or row["calendar_group_id"] == group_id
        ]
        return _list(call, items, "calendars")
    calendar_id = params.get("calendar")
    if calendar_id is None:
        calendar_id = call.store.row(
            "SELECT id FROM calendars WHERE owner_id = ? AND is_default = 1", (owner_id,)
        )["id"]
    calendar_id = _owned(call, "calendars", calendar_id)
    if method == "DELETE":
        with call.store.transaction() as connection:
            if connection.execute("SELECT is_default FROM calendars WHERE id = ?", (calendar_id,)).fetchone()[
                0
            ]:
                raise bad_request("The default calendar cannot be deleted.", "ErrorInvalidRequest")
            _drop_calendar(connection, calendar_id)
        return Response(status_code=204)
    if method != "GET":
        raise method_not_allowed("GET, DELETE")
    return json_response(
        {"@odata.context": call.context("calendars/$entity"), **_calendar_json(call, calendar_id)}
    )


def _messages(call: Call, kind: str, method: str) -> Response:
    owner_id = call.mailbox.owner_id
    if call.mailbox.kind != "user":
        raise not_found()
    if method == "DELETE" and kind == "message":
        require(call.caller, call.mailbox, WRITE_MAIL)
    elif method == "GET":
        require(call.caller, call.mailbox, READ_MAIL)
    else:
        raise method_not_allowed("GET" if kind == "messages" else "GET, DELETE")
    folder = call.route.params.get("folder")
    if folder is not None:
        folder = _FOLDERS.get(folder.lower())
        if folder is None:
            raise not_found()
    now = time.time()
    if kind == "message":
        message_id = call.route.params["message"]
        if decode_id(message_id) is None:
            raise malformed_id()
        row = call.store.row(
            "SELECT * FROM messages WHERE id = ? AND owner_id = ? AND visible_at <= ?",
            (message_id, owner_id, now),
        )
        if row is None or (folder is not None and row["folder"] != folder):
            raise not_found()
        if method == "DELETE":
            with call.store.transaction() as connection:
                connection.execute("DELETE FROM messages WHERE id = ?", (message_id,))
            return Response(status_code=204)
        return json_response(
            {
                "@odata.context": call.context("messages/$entity"),
                **odata.select_one(render_message(doc_of(row), call.version_url), call.query),
            }
        )
    sql = "SELECT * FROM messages WHERE owner_id = ? AND visible_at <= ?"
    arguments: tuple[Any, ...] = (owner_id, now)
    if folder is not None:
        sql, arguments = sql + " AND folder = ?", (*arguments, folder)
    rows = call.store.rows(sql + " ORDER BY received DESC, rowid DESC", arguments)
    return _list(call, [render_message(doc_of(row), call.version_url) for row in rows], "messages")


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
    row = call.store.row("SELECT * FROM calendar_groups WHERE id = ?", (group_id,))
    return {
        "id": row["id"],
        "name": row["name"],
        "changeKey": row["change_key"],
        "classId": "0006f0b7-0000-0000-c000-000000000046" if row["is_default"] else row["id"][:8],
    }


def _calendar_json(call: Call, calendar_id: str) -> dict[str, Any]:
    row = call.store.row("SELECT * FROM calendars WHERE id = ?", (calendar_id,))
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
