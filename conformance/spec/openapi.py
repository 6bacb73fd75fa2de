"""Build an OpenAPI 3.1 description (Graph's naming style) from a parsed reference page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from conformance.errors import SpecParseError
from conformance.spec._examples import request_example, request_examples
from conformance.spec.model import ApiPage, BodyParameter, Route
from conformance.spec.requirements import CatalogEntry, requirements_for_route
from conformance.spec.resources import resource_page
from conformance.spec.routes import RouteNames, route_names

SERVER_URL = "https://graph.microsoft.com/v1.0"
SECURITY_SCHEME = "azureaadv2"
# The page's `Authorization: Bearer {token}` header as an HTTP scheme (the same token as azureaadv2): tools
# such as Schemathesis probe auth only on apiKey/basic/http schemes, never on oauth2 alone.
BEARER_SCHEME = "graphBearer"
ERROR_SCHEMA = "microsoft.graph.ODataErrors.ODataError"
_AUTHORITY = "https://login.microsoftonline.com/common/oauth2/v2.0"
# Headers OpenAPI tells tools to ignore as parameters (security and requestBody carry them); they are
# documented in the operation's x-ms-request-headers instead.
_IMPLICIT_HEADERS = ("authorization", "content-type", "accept")
# Graph ids: standard base64 (also URL-safe letters), padded, at least 18 raw bytes.
_ITEM_ID = {
    "type": "string",
    "minLength": 24,
    "pattern": "^(?:[A-Za-z0-9+/_-]{4}){6,}(?:[A-Za-z0-9+/_-]{2}==|[A-Za-z0-9+/_-]{3}=)?$",
}
_COMPONENT_NAME = re.compile(r"^[a-zA-Z0-9.\-_]+$")  # OpenAPI's rule for components' keys
_GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_KEY_SCHEMAS: dict[str, dict[str, Any]] = {
    "user": {"type": "string", "pattern": f"^(?:{_GUID}|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+)$"},
    "group": {"type": "string", "pattern": f"^{_GUID}$"},
}
_PRIMITIVES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "int32": {"type": "integer", "format": "int32"},
    "int64": {"type": "integer", "format": "int64"},
    "double": {"type": "number"},
    "datetimeoffset": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "guid": {"type": "string", "format": "uuid"},
}


def _type_schema(type_name: str, components: dict[str, Any], resources: Path | None = None) -> dict[str, Any]:
    """JSON Schema for a Graph type as the page writes it (String, Boolean, Collection(x), a complex type).

    A complex type whose resource page is found from `resources` (the page's folder) gets its properties
    from that page's table; otherwise it is an object described by name.
    """
    name = type_name.strip()
    lowered = name.lower()
    if lowered.startswith("collection(") and lowered.endswith(")"):
        return {"type": "array", "items": _type_schema(name[len("collection(") : -1], components, resources)}
    if lowered.endswith(" collection"):
        return {"type": "array", "items": _type_schema(name[: -len(" collection")], components, resources)}
    if lowered.removeprefix("edm.") in _PRIMITIVES:
        return dict(_PRIMITIVES[lowered.removeprefix("edm.")])
    resource = resource_page(resources, name)
    graph_name = name[0].lower() + name[1:]  # Graph's type names start lower-case (dateTimeTimeZone)
    schema_name = f"microsoft.graph.{graph_name}"
    reference = {"$ref": f"#/components/schemas/{schema_name}"}
    if schema_name in components:
        return reference
    described = f"The {graph_name} complex type (see its page)."
    components[schema_name] = {"type": "object", "description": described}
    if resource is not None:
        properties = {
            row.name: {**_type_schema(row.type, components, resources), "description": row.description}
            for row in resource.properties
        }
        components[schema_name] = {
            "type": "object",
            "description": resource.summary or described,
            "properties": properties,
            "x-ms-source": Path(resource.file).name,
        }
    return reference


_DEFAULT = re.compile(r"\bDefault is `?(true|false|-?\d+)`?", re.IGNORECASE)


def _with_default(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """The schema with the `default` the description states (`Default is true.`), when it states one."""
    match = _DEFAULT.search(description)
    if match is None:
        return schema
    value = match.group(1).lower()
    return {**schema, "default": value == "true" if value in ("true", "false") else int(value)}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def _body_schema(page: ApiPage, components: dict[str, Any], resources: Path | None) -> dict[str, Any]:
    example = request_example(page)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for parameter in page.body_parameters:
        schema = _type_schema(parameter.type, components, resources)
        schema = schema if parameter.required else _nullable(schema)
        schema = _with_default(schema, parameter.description)
        properties[parameter.name] = {**schema, "description": parameter.description}
        if parameter.required:
            required.append(parameter.name)
        for spelling in _example_spellings(parameter, example):
            properties[spelling] = {
                **properties[parameter.name],
                "description": f"{parameter.description} (the page's example spells it {spelling!r})",
            }
    body: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        body["required"] = required
    return body


def _example_spellings(parameter: BodyParameter, example: Any) -> list[str]:
    if not isinstance(example, dict):
        return []
    return [key for key in example if key != parameter.name and key.lower() == parameter.name.lower()]


def _parameters(names: RouteNames) -> list[dict[str, Any]]:
    parameters = []
    for name, parameter in names.parameters:
        entity = name.rsplit("-", 1)[0]
        description = f"The unique identifier of {entity}"
        if len(parameter.alternatives) > 1:
            description += (
                f". The page writes this segment as `{parameter.template}`: any of "
                f"{', '.join(parameter.alternatives)}"
            )
        parameters.append(
            {
                "name": name,
                "in": "path",
                "description": description,
                "required": True,
                "schema": dict(_KEY_SCHEMAS.get(entity, _ITEM_ID)),
                "x-ms-docs-key-type": entity,
            }
        )
    return parameters


def _permissions(page: ApiPage) -> list[dict[str, Any]]:
    return [
        {"type": row.account_type, "kind": row.kind, "permissions": list(row.permissions)}
        for row in page.permissions
    ]


def _security_scheme(page: ApiPage) -> dict[str, Any]:
    delegated = sorted({p for row in page.permissions if row.kind != "application" for p in row.permissions})
    application = sorted(
        {p for row in page.permissions if row.kind == "application" for p in row.permissions}
    )
    flows: dict[str, Any] = {}
    if delegated:
        flows["authorizationCode"] = {
            "authorizationUrl": f"{_AUTHORITY}/authorize",
            "tokenUrl": f"{_AUTHORITY}/token",
            "scopes": {scope: f"{scope} (delegated)" for scope in delegated},
        }
    if application:
        flows["clientCredentials"] = {
            "tokenUrl": f"{_AUTHORITY}/token",
            "scopes": {scope: f"{scope} (application)" for scope in application},
        }
    if not flows:
        flows["clientCredentials"] = {"tokenUrl": f"{_AUTHORITY}/token", "scopes": {}}
    return {
        "type": "oauth2",
        "description": "Microsoft identity platform; scopes from the page's permissions table",
        "flows": flows,
        "x-ms-permissions": _permissions(page),
    }


def _responses(page: ApiPage, components: dict[str, Any]) -> dict[str, Any]:
    success = page.response
    reason = success.reason or "Success"
    described = " ".join(sentence.text for sentence in success.sentences) or reason
    responses: dict[str, Any] = {str(success.status): {"description": f"{reason}. {described}"}}
    if not success.empty_body and success.body_type:
        schema = _type_schema(success.body_type, components)
        if success.collection:
            schema = {"type": "object", "properties": {"value": {"type": "array", "items": schema}}}
        responses[str(success.status)]["content"] = {"application/json": {"schema": schema}}
    for error in page.errors:
        responses[str(error.status)] = {
            "description": f"{error.reason or 'Error'}: {error.message}",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}},
            "x-ms-error-message": error.message,
        }
    responses["4XX"] = {"$ref": "#/components/responses/error"}
    responses["5XX"] = {"$ref": "#/components/responses/error"}
    return responses


def _operation(
    page: ApiPage, route: Route, names: RouteNames, entries: list[CatalogEntry], components: dict[str, Any]
) -> dict[str, Any]:
    scopes = sorted({p for row in page.permissions for p in row.permissions})
    operation: dict[str, Any] = {
        "tags": [names.tag],
        "summary": f"Invoke action {page.action}",
        "description": " ".join(sentence.text for sentence in page.description),
        "operationId": names.operation_id,
        "externalDocs": {
            "description": "Find more info here",
            "url": f"https://learn.microsoft.com/graph/api/{page.resource.lower()}-{page.action.lower()}"
            "?view=graph-rest-1.0",
        },
        "security": [{SECURITY_SCHEME: scopes}, {BEARER_SCHEME: []}],
    }
    header_parameters = [
        {
            "name": h.name,
            "in": "header",
            "description": h.description,
            "required": bool(h.required),
            "schema": {"type": "string"},
        }
        for h in page.headers
        if h.name.lower() not in _IMPLICIT_HEADERS
    ]
    if header_parameters:
        operation["parameters"] = header_parameters
    if page.body_parameters:
        media: dict[str, Any] = {"schema": {"$ref": f"#/components/schemas/{page.action}RequestBody"}}
        media["examples"] = request_examples(page)
        operation["requestBody"] = {
            "description": "Action parameters",
            "required": any(p.required for p in page.body_parameters),
            "content": {"application/json": media},
        }
    operation["responses"] = _responses(page, components)
    operation["x-ms-docs-operation-type"] = "action" if route.method == "POST" else "operation"
    operation["x-ms-permissions"] = _permissions(page)
    operation["x-ms-request-headers"] = [
        {"name": h.name, "type": h.type, "description": h.description, "required": h.required}
        for h in page.headers
    ]
    operation["x-requirements"] = requirements_for_route(entries, route)
    return operation


def _error_schemas() -> dict[str, Any]:
    nullable_string = {"type": ["string", "null"]}
    return {
        ERROR_SCHEMA: {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"$ref": "#/components/schemas/microsoft.graph.ODataErrors.MainError"}},
        },
        "microsoft.graph.ODataErrors.MainError": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "target": nullable_string,
                "innerError": {"$ref": "#/components/schemas/microsoft.graph.ODataErrors.InnerError"},
            },
        },
        "microsoft.graph.ODataErrors.InnerError": {
            "type": "object",
            "properties": {
                # Graph's metadata says date-time, but the service sends "2021-03-24T10:05:31" (no offset),
                # which is not RFC 3339: no `format`, so a Graph-like server is not failed for it.
                "date": {"type": ["string", "null"], "description": "When the error occurred (UTC)."},
                "request-id": nullable_string,
                "client-request-id": nullable_string,
            },
        },
    }


def build_openapi(
    page: ApiPage, entries: list[CatalogEntry], source_note: dict[str, Any], resources: Path | None = None
) -> dict[str, Any]:
    """The OpenAPI 3.1 document for every route of the page (deterministic: page order, no timestamps).

    `resources` is the page's folder, where the resource pages of its complex types are looked for.
    """
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    tags: set[str] = set()
    for route in page.routes:
        names = route_names(route, page.action)
        tags.add(names.tag)
        item = paths.setdefault(
            names.path,
            {
                "description": f"Provides operations to call the {page.action} method.",
                "parameters": _parameters(names),
            },
        )
        item[route.method.lower()] = _operation(page, route, names, entries, schemas)
    if page.body_parameters:
        schemas[f"{page.action}RequestBody"] = _body_schema(page, schemas, resources)
    schemas.update(_error_schemas())
    invalid = sorted(name for name in schemas if not _COMPONENT_NAME.match(name))
    if invalid:
        raise SpecParseError(
            f"the page yields schema names OpenAPI does not allow: {', '.join(invalid)} "
            "(a type in a parameter table that is not a Graph type name?)",
            file=page.file,
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"Microsoft Graph {page.title}",
            "version": "v1.0",
            "description": (
                f"Generated by `graph-conformance generate` from the reference page {source_note['page']}"
                " — do not edit by hand. The page text is Microsoft Graph documentation, CC BY 4.0."
            ),
            "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"},
            "x-source": source_note,
        },
        "servers": [{"url": SERVER_URL}],
        "tags": [{"name": tag} for tag in sorted(tags)],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "responses": {
                "error": {
                    "description": "error",
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}
                    },
                }
            },
            "securitySchemes": {
                SECURITY_SCHEME: _security_scheme(page),
                BEARER_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "The `Authorization: Bearer {token}` header: the azureaadv2 access token",
                },
            },
        },
    }
