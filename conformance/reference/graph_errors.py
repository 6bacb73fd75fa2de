"""Graph's error envelope: the GraphError exception and the response that carries it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from starlette.responses import Response

from conformance.reference.faults import Fault

MESSAGES: dict[str, str] = {
    "token-empty": "Access token is empty.",
    "token-invalid": "Access token validation failure.",
    "token-expired": "Lifetime validation failed, the token is expired.",
    "access-denied": "Access is denied. Check credentials and try again.",
    "me-app-token": "/me request is only valid with delegated authentication flow.",
    "not-found": "The specified object was not found in the store.",
    "malformed-id": "Id is malformed.",
    "organizer-only": "Your request can't be completed. You need to be an organizer to cancel a meeting.",
    "no-attendees": "The meeting has no attendees to notify.",  # gap-no-cancel-without-attendees
}


class GraphError(Exception):
    """An error answered to the client as Graph's JSON error envelope."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


def not_found() -> GraphError:
    """404 ErrorItemNotFound, as for an unknown event id."""
    return GraphError(404, "ErrorItemNotFound", MESSAGES["not-found"])


def malformed_id() -> GraphError:
    """400 ErrorInvalidIdMalformed."""
    return GraphError(400, "ErrorInvalidIdMalformed", MESSAGES["malformed-id"])


def access_denied() -> GraphError:
    """403 ErrorAccessDenied."""
    return GraphError(403, "ErrorAccessDenied", MESSAGES["access-denied"])


def bad_request(message: str, code: str = "BadRequest") -> GraphError:
    """400 with the given message."""
    return GraphError(400, code, message)


def error_response(
    error: GraphError, request_id: str, client_request_id: str, faults: frozenset[str]
) -> Response:
    """The envelope for `error` (or the degraded form a fault switch asks for)."""
    if Fault.ERROR_ENVELOPE_MISSING in faults:
        return Response(
            f"{error.code}: {error.message}", error.status, error.headers, media_type="text/plain"
        )
    inner = {"date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")}
    if Fault.INNER_ERROR_IDS_MISSING not in faults:
        inner.update({"request-id": request_id, "client-request-id": client_request_id})
    envelope = {"error": {"code": error.code, "message": error.message, "innerError": inner}}
    untyped = (
        Fault.ERROR_NO_CONTENT_TYPE in faults
        or (Fault.AUTH_ERRORS_NO_CONTENT_TYPE in faults and error.status in (401, 403))
        or (Fault.NOT_FOUND_NO_CONTENT_TYPE in faults and error.code == "ErrorItemNotFound")
    )
    media_type = None if untyped else "application/json"
    return Response(json.dumps(envelope), error.status, error.headers, media_type=media_type)
