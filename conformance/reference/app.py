"""The ASGI application: Graph routes under /v1.0 and /beta, the token endpoint, envelope and request ids."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import uuid
from urllib.parse import unquote, urlsplit

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from conformance.reference import gaps, static_mock
from conformance.reference.access import resolve_mailbox
from conformance.reference.actions import registry
from conformance.reference.actions.reminders import reminder_view
from conformance.reference.actions.support import stand_in
from conformance.reference.auth import Principal, TokenVerifier
from conformance.reference.call import Call, method_not_allowed
from conformance.reference.directory_api import handle_directory
from conformance.reference.events_api import handle_events
from conformance.reference.faults import Fault
from conformance.reference.graph_errors import GraphError, error_response
from conformance.reference.loopback import is_loopback_host
from conformance.reference.mail import SendLimit
from conformance.reference.routing import RouteMatch, action_shaped, cancel_shaped, match
from conformance.reference.settings import ServerSettings
from conformance.reference.store import Store
from conformance.reference.target_document import DISCOVERY_PATH, target_document
from conformance.reference.throttle import EveryNth, MailboxThrottle
from conformance.reference.token_endpoint import token_endpoint

_EVENT_KINDS = frozenset({"events", "event", "instances", "calendar-view"})  # and every action's
_LOG = logging.getLogger("conformance.reference")


_TOKEN_PATH = re.compile(r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/token/?$")


class ReferenceApp:
    """The ASGI entry: routes on the raw path itself, so odd bytes in a path never meet a framework 404."""

    def __init__(self, store: Store, settings: ServerSettings) -> None:
        self.state = State()
        self.state.store, self.state.settings = store, settings
        self.state.throttle = MailboxThrottle(settings.throttle, settings.rate_limit)
        self.state.every_nth = EveryNth(
            settings.throttle_every, settings.throttle_status, settings.retry_after
        )
        self.state.tokens = TokenVerifier(store)
        self.state.stopping = threading.Event()  # set when the server stops: held requests let go
        self.state.send_limit = SendLimit(settings.send_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        scope["app"] = self
        raw_path = (scope.get("raw_path") or scope["path"].encode()).split(b"?", 1)[0]
        token_path = _TOKEN_PATH.match(raw_path.decode("latin-1"))
        if token_path is not None:
            scope["path_params"] = {"tenant": unquote(token_path["tenant"])}
            if scope["method"] == "POST":
                response: Response = await _token_answer(Request(scope, receive))
            else:
                response = JSONResponse(
                    {"error": "invalid_request", "error_description": "Use POST."}, 405, {"Allow": "POST"}
                )
            response.headers["request-id"] = str(uuid.uuid4())
        elif raw_path == DISCOVERY_PATH.encode() and scope["method"] == "GET":
            response = _self_description(Request(scope, receive))
        else:
            response = await graph_entry(Request(scope, receive))
        await response(scope, receive, send)


def _self_description(request: Request) -> Response:
    """The server as a target document, for a loopback client only (it holds the seeded passwords)."""
    client_host = request.client.host if request.client else ""
    host = request.headers.get("host") or _netloc(request)
    host_name = urlsplit(f"//{host}").hostname or ""
    if not is_loopback_host(client_host) or not is_loopback_host(host_name):
        # not behind a proxy either: the Host a proxy forwards is its public name
        return JSONResponse({"error": "not_found", "error_description": "Only for loopback clients."}, 404)
    root_url = f"{request.scope.get('scheme', 'http')}://{host}"
    settings: ServerSettings = request.app.state.settings
    document = target_document(request.app.state.store, root_url, settings.faults, settings.send_limit)
    return JSONResponse(document)


async def _token_answer(request: Request) -> Response:
    try:
        return await token_endpoint(request)
    except Exception:  # an OAuth2 error body, never a bare 500
        _LOG.exception("unhandled error in the token endpoint")
        return JSONResponse({"error": "server_error", "error_description": "Unexpected error."}, 500)


def build_app(store: Store, settings: ServerSettings) -> ReferenceApp:
    """The ASGI app serving `store` with `settings`."""
    return ReferenceApp(store, settings)


async def graph_entry(request: Request) -> Response:
    """Answer one Graph request; every answer carries request-id, every error Graph's envelope."""
    store: Store = request.app.state.store
    settings: ServerSettings = request.app.state.settings
    throttle: MailboxThrottle = request.app.state.throttle
    request_id = str(uuid.uuid4())
    client_request_id = request.headers.get("client-request-id") or request_id
    mailbox_key: str | None = None
    admitted = False
    try:
        request.app.state.every_nth.check()
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        if request.method != "POST" and action_shaped(raw_path):
            if Fault.OTHER_METHODS_500 in settings.faults and cancel_shaped(raw_path):
                raise GraphError(500, "InternalServerError", "An internal server error occurred.")
            raise method_not_allowed("POST")
        route = match(raw_path, case_sensitive_cancel=Fault.CASE_SENSITIVE_SEGMENTS in settings.faults)
        body = await _read_body(request, settings.max_body_bytes)
        if Fault.GAP_HANG_MALFORMED_JSON in settings.faults and gaps.is_malformed_json(body):
            raise await gaps.hold(request.app.state.stopping)
        caller = _caller(request, route, store, settings.faults)
        mailbox = resolve_mailbox(store, route, caller, settings.faults)
        mailbox_key = mailbox.owner_id
        admitted = throttle.enter(mailbox_key)
        if settings.latency_ms:
            await asyncio.sleep(settings.latency_ms / 1000.0)
        host = request.headers.get("host") or _netloc(request)
        root_url = f"{request.scope.get('scheme', 'http')}://{host}"
        call = Call(request, route, caller, mailbox, store, settings, body, root_url)
        gaps.refuse(route, request.method, call.query, settings.faults)
        canned = static_mock.answer(call) if Fault.GAP_STATIC in settings.faults else None
        if canned is not None:
            response = canned
        elif route.kind == "reminder-view":
            response = reminder_view(call)
        elif route.kind in _EVENT_KINDS or route.kind in registry():
            response = handle_events(call)
        else:
            response = handle_directory(call)
        response = gaps.adjust(route, request.method, response, settings.faults)
    except GraphError as error:
        response = error_response(error, request_id, client_request_id, settings.faults)
    except Exception:  # never let a bug escape as a bare 500 without the envelope
        _LOG.exception("unhandled error answering %s %s", request.method, request.url.path)
        response = error_response(
            GraphError(500, "InternalServerError", "An internal server error occurred."),
            request_id,
            client_request_id,
            settings.faults,
        )
    finally:
        if admitted:
            throttle.leave(mailbox_key)
    response.headers["request-id"] = request_id
    response.headers["client-request-id"] = client_request_id
    return response


def _caller(request: Request, route: RouteMatch, store: Store, faults: frozenset[str]) -> Principal:
    """Who calls: the token's principal; no token, under an action's *-auth-ignored switch: a stand-in."""
    tokens: TokenVerifier = request.app.state.tokens
    action = registry().get(route.kind)
    header = request.headers.get("authorization")
    try:
        return tokens.authenticate(header, faults)
    except GraphError as error:
        no_token = not (header or "").strip().partition(" ")[2].strip()
        if error.status == 401 and no_token and action is not None and action.auth_ignored in faults:
            return stand_in(store, route.params)
        raise


def _netloc(request: Request) -> str:
    return request.url.netloc  # only for a request without a Host header (HTTP/1.0)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise GraphError(413, "RequestEntityTooLarge", f"The request body exceeds {limit} bytes.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise GraphError(413, "RequestEntityTooLarge", f"The request body exceeds {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)
