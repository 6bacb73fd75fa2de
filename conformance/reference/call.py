"""One Graph API call as the handlers see it: route, caller, mailbox, query, body and answer helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from conformance.reference.access import Mailbox
from conformance.reference.auth import Principal
from conformance.reference.graph_errors import GraphError, bad_request
from conformance.reference.mail import SendLimit
from conformance.reference.payload import parse_json
from conformance.reference.routing import RouteMatch
from conformance.reference.settings import ServerSettings
from conformance.reference.store import Store


@dataclass(frozen=True)
class Call:
    """Everything a handler needs about the request it answers."""

    request: Request
    route: RouteMatch
    caller: Principal
    mailbox: Mailbox
    store: Store
    settings: ServerSettings
    body: bytes
    root_url: str

    @property
    def version_url(self) -> str:
        """e.g. http://127.0.0.1:8765/v1.0"""
        return f"{self.root_url}/{self.route.version}"

    @property
    def faults(self) -> frozenset[str]:
        """The active fault switches."""
        return self.settings.faults

    @property
    def send_limit(self) -> SendLimit | None:
        """The server's sending limit (None outside a running app)."""
        limit: SendLimit | None = getattr(self.request.app.state, "send_limit", None)
        return limit

    @property
    def query(self) -> dict[str, str]:
        """The query parameters (last value wins)."""
        return dict(self.request.query_params)

    @property
    def page_url(self) -> str:
        """The request URL without its query, for @odata.nextLink."""
        return f"{self.root_url}{self.request.scope.get('raw_path', b'').decode('latin-1').split('?')[0]}"

    def context(self, suffix: str) -> str:
        """An @odata.context value."""
        owner = "groups" if self.mailbox.kind == "group" else "users"
        return f"{self.version_url}/$metadata#{owner}('{self.mailbox.owner_id}')/{suffix}"

    def json_body(self) -> Any:
        """The parsed JSON body of a create request; 400 when it is empty or not strict JSON."""
        if not self.body.strip():
            raise bad_request("Empty Payload. JSON content expected.", "RequestBodyRead")
        return parse_json(self.body)


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # built once: json.dumps with options builds one per call


def json_response(
    payload: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A Graph JSON answer (odata.metadata=minimal)."""
    return Response(
        _ENCODER.encode(payload),
        status,
        headers,
        media_type="application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;"
        "charset=utf-8",
    )


def method_not_allowed(allowed: str) -> GraphError:
    """405 with an Allow header."""
    return GraphError(
        405,
        "Request_BadRequest",
        "The requested HTTP method is not allowed for this resource.",
        {"Allow": allowed},
    )
