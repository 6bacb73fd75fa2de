"""POST .../events/{id}/cancel: the organizer cancels the meeting (cancellation.py does the work; its
fault switches are conformance.reference.faults.Fault)."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from conformance.reference.access import require_cancel
from conformance.reference.actions import Action
from conformance.reference.calendar_ops import find_event
from conformance.reference.call import Call, method_not_allowed
from conformance.reference.cancellation import CancelRequest, cancel, mark_cancelled, notice_for
from conformance.reference.events_api import calendar_scope
from conformance.reference.faults import Fault, route_missing
from conformance.reference.graph_errors import GraphError, bad_request, malformed_id, not_found
from conformance.reference.ids import decode_id
from conformance.reference.payload import parse_json
from conformance.reference.store import doc_of


def _cancel(call: Call) -> Response:
    faults = call.faults
    if call.request.method != "POST":
        if Fault.OTHER_METHODS_500 in faults:
            raise GraphError(500, "InternalServerError", "An internal server error occurred.")
        raise method_not_allowed("POST")
    if route_missing(call.route.route_family) in faults:
        raise GraphError(404, "ResourceNotFound", "Resource not found for the segment 'cancel'.")
    require_cancel(call.caller, call.mailbox, call.route, faults)
    event_id = call.route.params["event"]
    if decode_id(event_id) is None:
        if Fault.MALFORMED_ID_404 in faults:
            raise not_found()
        raise malformed_id()
    try:
        body = _cancel_body(call)
    except GraphError as error:
        _refused_yet_cancelled(call, event_id, error)
        raise
    with_body = _body_on_202(call, body)
    if Fault.GAP_STATIC in faults:
        return _accepted(faults, with_body)  # a canned mock: any well-formed id is "cancelled"
    try:
        ref = find_event(call.store, call.mailbox.owner_id, event_id, calendar_scope(call, False))
    except GraphError as error:
        if error.status == 404 and Fault.UNKNOWN_ID_400 in faults:
            raise bad_request("The specified id is not valid.", "ErrorInvalidRequest") from error
        if error.status == 404 and Fault.SECOND_CANCEL_202 in faults and _was_cancelled(call, event_id):
            return _accepted(faults, with_body)
        raise
    notice = notice_for(body, faults)
    request = CancelRequest(ref, notice, faults, call.settings.message_delay_s, send_limit=call.send_limit)
    try:
        cancel(call.store, request, apply_delay_s=call.settings.apply_delay_s)
    except GraphError as error:
        _refused_yet_cancelled(call, event_id, error)
        raise
    return _accepted(faults, with_body)


def _refused_yet_cancelled(call: Call, event_id: str, error: GraphError) -> None:
    """refused-yet-cancelled: a 400 to a cancel still marks the event it addresses cancelled."""
    if error.status != 400 or Fault.REFUSED_YET_CANCELLED not in call.faults:
        return
    try:
        ref = find_event(call.store, call.mailbox.owner_id, event_id, calendar_scope(call, False))
    except GraphError:
        return
    mark_cancelled(call.store, ref.row["id"], call.settings.apply_delay_s)


def _body_on_202(call: Call, body: dict[str, Any] | None) -> bool:
    """Whether a fault puts a JSON body on this cancel's 202 (all, UPN-addressed, or `Comment`-keyed)."""
    faults = call.faults
    by_upn = "@" in (call.route.principal_id or "") and Fault.BODY_ON_202_UPN in faults
    pascal = body is not None and "Comment" in body and Fault.BODY_ON_202_PASCAL in faults
    return Fault.BODY_ON_202 in faults or by_upn or pascal


def _was_cancelled(call: Call, event_id: str) -> bool:
    """True when `event_id` was removed by a cancel (not by a DELETE): for the second-cancel-202 fault."""
    removed = call.store.row(
        "SELECT doc FROM events WHERE id = ? AND owner_id = ?", (event_id, call.mailbox.owner_id)
    )
    return removed is not None and doc_of(removed).get("_removedBy") == "cancel"


def _accepted(faults: frozenset[str], with_body: bool) -> Response:
    if Fault.STATUS_200 in faults:
        return Response(status_code=200)
    if Fault.STATUS_204 in faults:
        return Response(status_code=204)
    if with_body:
        return Response(json.dumps({"status": "cancelled"}), 202, media_type="application/json")
    return Response(status_code=202)


def _cancel_body(call: Call) -> dict[str, Any] | None:
    """The validated cancel body: None when empty; 400/415 for what Graph refuses (or faults allow)."""
    faults = call.faults
    content_type = call.request.headers.get("content-type")
    if call.body.strip() and Fault.CONTENT_TYPE_STRICT in faults and content_type != "application/json":
        raise GraphError(415, "UnsupportedMediaType", "Content-Type must be application/json.")
    if not call.body.strip():
        body = None
    else:
        if content_type is not None and "json" not in content_type.lower():
            raise GraphError(
                415,
                "UnsupportedMediaType",
                f"The content type '{content_type}' is not supported; send application/json.",
            )
        try:
            body = parse_json(call.body)
            parsed = True
        except GraphError:
            if Fault.MALFORMED_JSON_ACCEPTED not in faults:
                raise
            body, parsed = None, False
        if parsed and not isinstance(body, dict):
            raise bad_request(
                "The request body must be a JSON object with an optional 'comment'.", "RequestBodyRead"
            )
    parameters = {key: value for key, value in (body or {}).items() if "@odata" not in key}
    unknown = [key for key in parameters if key.lower() != "comment"]
    if unknown and Fault.UNKNOWN_PARAMETER_ACCEPTED not in faults:
        raise bad_request(
            f"The parameter '{unknown[0]}' in the request payload is not a valid parameter for the "
            f"operation 'cancel'.",
            "RequestBodyRead",
        )
    comments = {key: value for key, value in parameters.items() if key.lower() == "comment"}
    for value in comments.values():
        if value is not None and not isinstance(value, str) and Fault.LENIENT_BODY not in faults:
            raise bad_request(
                f"Cannot convert the literal '{json.dumps(value)}' to the expected type 'Edm.String'.",
                "RequestBodyRead",
            )
    normalized = {
        ("Comment" if key == "Comment" else "comment"): (
            value if isinstance(value, str | None) else json.dumps(value)
        )
        for key, value in comments.items()
    }
    if Fault.COMMENT_REQUIRED_BODY in faults and not normalized:
        raise bad_request("The parameter 'comment' is required.", "ErrorInvalidRequest")
    if Fault.COMMENT_REQUIRED in faults and not any(normalized.values()):
        raise bad_request("The parameter 'comment' is required.", "ErrorInvalidRequest")
    text = next((value for value in normalized.values() if isinstance(value, str)), "")
    if Fault.COMMENT_500_NON_ASCII in faults and not text.isascii():
        raise GraphError(500, "InternalServerError", "An internal server error occurred.")
    if Fault.COMMENT_500_LONG in faults and len(text) > 1000:
        raise GraphError(500, "InternalServerError", "An internal server error occurred.")
    return normalized if body is not None else None


ACTION = Action("cancel", _cancel, groups=True, auth_ignored=Fault.AUTH_IGNORED)
