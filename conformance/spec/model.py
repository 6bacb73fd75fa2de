"""The parsed form of a Microsoft Graph API reference page (what catalog and OpenAPI are built from)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sentence:
    """One sentence of the page: English when the page has it, otherwise the page's own text."""

    text: str
    section: str
    line: int


@dataclass(frozen=True)
class RouteParameter:
    """A `{...}` segment of a route template, e.g. `{id | userPrincipalName}`."""

    alternatives: tuple[str, ...]
    collection: str  # the literal segment it keys into, e.g. "users"

    @property
    def template(self) -> str:
        """The segment as the page writes it."""
        return "{" + " | ".join(self.alternatives) + "}"


@dataclass(frozen=True)
class Route:
    """One line of the HTTP request block: method plus a template of literal and parameter segments."""

    method: str
    segments: tuple[str | RouteParameter, ...]
    line: int

    @property
    def template(self) -> str:
        """The route as written on the page, e.g. `/me/events/{id}/cancel`."""
        parts = [s.template if isinstance(s, RouteParameter) else s for s in self.segments]
        return "/" + "/".join(parts)

    @property
    def literals(self) -> tuple[str, ...]:
        """The literal segments in order."""
        return tuple(s for s in self.segments if isinstance(s, str))


@dataclass(frozen=True)
class PermissionRow:
    """A row of the permissions table: account type and its permissions (least to most privileged)."""

    account_type: str
    kind: str | None  # delegated-work | delegated-personal | application, when recognisable
    permissions: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class TableParameter:
    """A row of the request-headers or request-body table: name, type, description, Required/Optional."""

    name: str
    type: str
    description: str
    required: bool | None  # None when the description says neither
    line: int


HeaderParameter = TableParameter  # a row of the request-headers table
BodyParameter = TableParameter  # a row of the request-body table


@dataclass(frozen=True)
class QuotedError:
    """An error the page quotes: its status, reason phrase and message."""

    status: int
    reason: str
    message: str
    sentence: str
    section: str
    line: int


@dataclass(frozen=True)
class HttpExample:
    """An example request or response block of the page."""

    kind: str  # request | response
    name: str
    start_line: str  # "POST https://..." or "HTTP/1.1 202 Accepted"
    headers: tuple[tuple[str, str], ...]
    body: Any  # parsed JSON, raw text, or None
    line: int


@dataclass(frozen=True)
class SuccessResponse:
    """What the Response section says a success returns."""

    status: int
    reason: str
    empty_body: bool
    body_type: str | None  # e.g. "event" when the page returns an object
    collection: bool
    sentences: tuple[Sentence, ...]


@dataclass
class ApiPage:
    """Everything the generator needs from one reference page."""

    file: str
    front_matter: dict[str, Any]
    page_format: str  # english | localized-sxs | localized
    title: str  # as the page writes it: translated on some localized pages
    resource: str  # the entity the operation is bound to (`event`), named by the routes
    action: str  # the action (`cancel`), named by the routes' last segment; else the method (`get`)
    namespace: str | None
    description: tuple[Sentence, ...]
    routes: tuple[Route, ...]
    permissions: tuple[PermissionRow, ...]
    permissions_include: str | None
    headers: tuple[HeaderParameter, ...]
    body_parameters: tuple[BodyParameter, ...]
    response: SuccessResponse
    errors: tuple[QuotedError, ...]
    examples: tuple[HttpExample, ...]
    sentences: dict[str, tuple[Sentence, ...]] = field(default_factory=dict)  # by section anchor
