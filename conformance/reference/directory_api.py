"""Directory and mailbox endpoints: users, groups and messages (calendars are in calendars_api)."""

from __future__ import annotations

import time
from typing import Any

from starlette.responses import Response

from conformance.reference import odata
from conformance.reference.access import (
    READ_MAIL,
    WRITE_MAIL,
    require,
)
from conformance.reference.calendars_api import handle_calendars
from conformance.reference.call import Call, json_response, method_not_allowed
from conformance.reference.graph_errors import malformed_id, not_found
from conformance.reference.ids import decode_id
from conformance.reference.mail import render_message
from conformance.reference.store import doc_of

_FOLDERS = {"inbox": "inbox", "deleteditems": "deleteditems", "sentitems": "sentitems"}


def handle_directory(call: Call) -> Response:
    """Dispatch a non-event request by route kind and method."""
    kind, method = call.route.kind, call.request.method
    if kind == "principal" and method == "GET":
        return json_response(odata.select_one(_principal(call), call.query))
    if kind in ("calendars", "calendars-default-group", "calendar", "calendar-groups", "calendar-group"):
        return handle_calendars(call, kind, method)
    if kind in ("messages", "message"):
        return _messages(call, kind, method)
    raise method_not_allowed("GET")


def _principal(call: Call) -> dict[str, Any]:
    if call.mailbox.kind == "group":
        group = call.store.one("SELECT * FROM groups WHERE id = ?", (call.mailbox.owner_id,))
        return {
            "@odata.context": f"{call.version_url}/$metadata#groups/$entity",
            "id": group["id"],
            "displayName": group["display_name"],
            "mail": group["mail"],
            "groupTypes": ["Unified"],
            "mailEnabled": True,
            "securityEnabled": False,
        }
    person = call.store.one("SELECT * FROM users WHERE id = ?", (call.mailbox.owner_id,))
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
    arguments: tuple[Any, ...] = (owner_id, now - call.settings.list_delay_s)  # listed late (--list-delay-ms)
    if folder is not None:
        sql, arguments = sql + " AND folder = ?", (*arguments, folder)
    rows = call.store.rows(sql + " ORDER BY received DESC, rowid DESC", arguments)
    return _list(call, [render_message(doc_of(row), call.version_url) for row in rows], "messages")


def _list(call: Call, items: list[dict[str, Any]], context: str) -> Response:
    return json_response(
        {"@odata.context": call.context(context), **odata.apply_query(items, call.query, call.page_url)}
    )
