"""Route templates of the HTTP request block, and the names Graph's own OpenAPI gives them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from conformance.errors import SpecParseError
from conformance.spec.catalog import CATALOG_FILE, DEFAULT_ACTION, Requirement, load_catalog
from conformance.spec.model import Route, RouteParameter

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ROUTE_SECTION = "http-request"  # the page section routes come from, and the section of route requirements
_NAMESPACE_PREFIX = "microsoft.graph."
_OPERATION_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")  # an OpenAPI component/operationId-safe name

# Graph's spelling of navigation segments whose casing a page may not keep (lower-cased -> Graph's).
_GRAPH_SPELLING = {
    "calendargroups": "calendarGroups",
    "calendargroup": "calendarGroup",
    "calendarview": "calendarView",
    "mailfolders": "mailFolders",
    "childfolders": "childFolders",
    "contactfolders": "contactFolders",
    "exceptionoccurrences": "exceptionOccurrences",
    "todo": "todo",
}


def parse_route_block(block: str, first_line: int, file: str, section: str) -> tuple[Route, ...]:
    """Parse `METHOD /path` lines (blank lines allowed) into routes."""
    routes: list[Route] = []
    for offset, raw in enumerate(block.split("\n")):
        text = raw.strip()
        if not text:
            continue
        line = first_line + offset
        method, _, path = text.partition(" ")
        path = path.strip().split("?", 1)[0].strip()  # `GET /me/calendarView?startDateTime=...`: the path
        if method.upper() not in HTTP_METHODS or not path.startswith("/"):
            raise SpecParseError(
                f"route line {text!r} is not 'METHOD /path' (METHOD one of {', '.join(HTTP_METHODS)})",
                file=file,
                section=section,
                line=line,
            )
        routes.append(Route(method.upper(), _segments(path, file, section, line), line))
    if not routes:
        raise SpecParseError(
            "the HTTP request block lists no routes", file=file, section=section, line=first_line
        )
    return tuple(routes)


def _segments(path: str, file: str, section: str, line: int) -> tuple[str | RouteParameter, ...]:
    segments: list[str | RouteParameter] = []
    for part in path.strip("/").split("/"):
        part = part.strip()
        if part.startswith("{") and part.endswith("}"):
            alternatives = tuple(name.strip() for name in part[1:-1].split("|") if name.strip())
            if not alternatives or not segments or isinstance(segments[-1], RouteParameter):
                raise SpecParseError(
                    f"route parameter {part!r} must follow a collection segment in {path!r}",
                    file=file,
                    section=section,
                    line=line,
                )
            segments.append(RouteParameter(alternatives, str(segments[-1])))
        elif not part or "{" in part or "}" in part:
            raise SpecParseError(
                f"malformed route segment {part!r} in {path!r}", file=file, section=section, line=line
            )
        else:
            segments.append(part)
    return tuple(segments)


def graph_segment(segment: str) -> str:
    """A navigation segment in Graph's casing (`calendargroups` -> `calendarGroups`)."""
    return _GRAPH_SPELLING.get(segment.lower(), segment)


def entity_name(collection: str) -> str:
    """The entity type a collection segment holds (`users` -> `user`, `calendarGroups` -> `calendarGroup`)."""
    name = graph_segment(collection)
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("s"):
        return name[:-1]
    return name


def _bare(segment: str) -> str:
    """An action segment without a namespace prefix or a function's parentheses (`delta()` -> `delta`)."""
    return segment.removeprefix(_NAMESPACE_PREFIX).split("(", 1)[0]


def bound_operation(route: Route, file: str, section: str) -> tuple[str, str]:
    """(resource, action) as a route names them, never as the page's (possibly translated) title does.

    `POST /me/events/{id}/cancel` -> ("event", "cancel"); a route ending in a key names no action, so its
    method does: `GET /me/events/{id}` -> ("event", "get").
    """
    *head, last = route.segments
    if isinstance(last, RouteParameter):
        return entity_name(last.collection), route.method.lower()
    action = _bare(last)
    if not _OPERATION_NAME.match(action):
        raise SpecParseError(
            f"the route's last segment {last!r} is not an action name (letters, digits, underscores)",
            file=file,
            section=section,
            line=route.line,
        )
    bound = head[-1] if head else "me"
    if isinstance(bound, RouteParameter):
        return entity_name(bound.collection), action
    return ("user" if bound == "me" else entity_name(bound)), action


@dataclass(frozen=True)
class RouteNames:
    """The OpenAPI names of one route, in Graph's style."""

    path: str  # "/me/events/{event-id}/cancel"
    operation_id: str  # "me.events.event.cancel"
    tag: str  # "me.event"
    parameters: tuple[tuple[str, RouteParameter], ...]  # ("event-id", the page's parameter)
    family: str  # the literal segments before the action: "me-calendargroups-calendars-events"
    requirement_id: str  # "CANCEL-ROUTE-ME-CALENDARGROUPS-CALENDARS-EVENTS"


def route_names(route: Route, action: str, prefix: str | None = None) -> RouteNames:
    """Graph's names for a route: path with `{entity-id}` parameters, operationId, tag, requirement id.

    The requirement id starts with `prefix` (an overlay's `id_prefix`, e.g. TENTATIVE), else the action
    upper-cased.
    """
    used: dict[str, int] = {}
    path_parts: list[str] = []
    id_parts: list[str] = []
    parameters: list[tuple[str, RouteParameter]] = []
    for segment in route.segments:
        if isinstance(segment, RouteParameter):
            entity = entity_name(segment.collection)
            count = used.get(entity, 0)
            used[entity] = count + 1
            name = f"{entity}-id" + (str(count) if count else "")
            parameters.append((name, segment))
            path_parts.append("{" + name + "}")
            id_parts.append(entity)
        else:
            path_parts.append(segment)
            id_parts.append(graph_segment(segment))
    literals = list(route.literals)
    ends_in_action = bool(literals) and _bare(literals[-1]).lower() == action.lower()
    if ends_in_action and isinstance(route.segments[-1], str):
        literals.pop()
        id_parts[-1] = action
    family = "-".join(literal.lower() for literal in literals)
    navigation = [s for s in route.segments[1:] if isinstance(s, str) and _bare(s).lower() != action.lower()]
    tag_entity = entity_name(navigation[0]) if navigation else action
    return RouteNames(
        path="/" + "/".join(path_parts),
        operation_id=".".join(id_parts if id_parts[-1] == action else [*id_parts, action]),
        tag=f"{route.literals[0]}.{tag_entity}",
        parameters=tuple(parameters),
        family=family,
        requirement_id=f"{(prefix or action).upper()}-ROUTE-{family.upper()}",
    )


def route_families(
    catalog: Mapping[str, Requirement] | None = None, action: str = DEFAULT_ACTION
) -> dict[str, str]:
    """Each route family (`me-calendargroups-calendars-events`) -> its route requirement id, in catalog order.

    Derived from the catalog's route requirements of one action (cancel unless named; their sentence is the
    page's route line), so tests and tools name the families without spelling them out.
    """
    requirements = load_catalog() if catalog is None else catalog
    families: dict[str, str] = {}
    for requirement in requirements.values():
        if requirement.section != ROUTE_SECTION or requirement.action != action:
            continue
        for route in parse_route_block(requirement.sentence, 1, CATALOG_FILE, ROUTE_SECTION):
            _, action = bound_operation(route, CATALOG_FILE, ROUTE_SECTION)
            families[route_names(route, action).family] = requirement.id
    return families
