"""The OAuth2 token endpoint, shaped like the Microsoft identity platform's v2.0 endpoint."""

from __future__ import annotations

import secrets
import uuid
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse

from conformance.reference.auth import TOKEN_LIFETIME_S, mint_token
from conformance.reference.seed import CONSUMER_TENANT_ID, TENANT_DOMAIN, TENANT_ID
from conformance.reference.store import Store

GRAPH_RESOURCE = "https://graph.microsoft.com/"
_OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
_TENANT_NAMES = frozenset(
    {TENANT_DOMAIN, TENANT_ID, "common", "organizations", "consumers", CONSUMER_TENANT_ID}
)


async def token_endpoint(request: Request) -> JSONResponse:
    """POST /{tenant}/oauth2/v2.0/token: client_credentials and password grants."""
    store: Store = request.app.state.store
    tenant = request.path_params["tenant"]
    if tenant.lower() not in {name.lower() for name in _TENANT_NAMES}:
        return _oauth_error(400, "invalid_request", f"AADSTS90002: Tenant '{tenant}' not found.")
    try:
        form = {key: values[0] for key, values in parse_qs((await request.body()).decode("utf-8")).items()}
    except UnicodeDecodeError:
        return _oauth_error(400, "invalid_request", "AADSTS900144: The request body must be form-encoded.")
    grant_type = form.get("grant_type", "")
    if grant_type not in ("client_credentials", "password"):
        return _oauth_error(
            400, "unsupported_grant_type", f"AADSTS70003: The grant type '{grant_type}' is not supported."
        )
    app_row = store.row("SELECT * FROM apps WHERE client_id = ?", (form.get("client_id", ""),))
    if app_row is None:
        return _oauth_error(
            400,
            "unauthorized_client" if form.get("client_id") else "invalid_request",
            f"AADSTS700016: Application '{form.get('client_id', '')}' was not found.",
        )
    secret = form.get("client_secret")
    if (grant_type == "client_credentials" or secret is not None) and not _same(secret, app_row["secret"]):
        return _oauth_error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
    requested = [_strip_resource(scope) for scope in form.get("scope", "").split()]
    requested = [scope for scope in requested if scope.lower() not in _OIDC_SCOPES]
    if not requested:
        return _oauth_error(400, "invalid_scope", "AADSTS90014: The request body must contain 'scope'.")
    if grant_type == "client_credentials":
        if requested != [".default"]:
            return _oauth_error(
                400,
                "invalid_scope",
                "AADSTS1002012: The provided value for scope is not valid; "
                "client credential flows must use a scope ending in /.default.",
            )
        roles = app_row["roles"].split()
        claims = {
            "tid": TENANT_ID,
            "appid": app_row["client_id"],
            "idtyp": "app",
            "roles": roles,
            "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, app_row["client_id"])),
            "app_displayname": app_row["name"],
        }
        return _token_answer(store, claims, f"{GRAPH_RESOURCE}.default")
    user_row = store.row("SELECT * FROM users WHERE upn = ?", (form.get("username", ""),))
    if user_row is None or not _same(form.get("password"), user_row["password"]):
        return _oauth_error(
            400,
            "invalid_grant",
            "AADSTS50126: Error validating credentials due to invalid username or password.",
        )
    consented = app_row["delegated"].split()
    consented_folded = {scope.lower(): scope for scope in consented}
    if requested == [".default"]:
        scopes = consented
    else:
        unknown = [scope for scope in requested if scope.lower() not in consented_folded]
        if unknown:
            return _oauth_error(
                400,
                "invalid_scope",
                f"AADSTS65001: The user or administrator has not "
                f"consented to use the application for: {' '.join(unknown)}.",
            )
        scopes = sorted({consented_folded[scope.lower()] for scope in requested})
    claims = {
        "tid": user_row["tenant_id"],
        "appid": app_row["client_id"],
        "idtyp": "user",
        "oid": user_row["id"],
        "upn": user_row["upn"],
        "name": user_row["display_name"],
        "scp": " ".join(scopes),
    }
    return _token_answer(store, claims, " ".join(f"{GRAPH_RESOURCE}{scope}" for scope in scopes))


def _strip_resource(scope: str) -> str:
    for prefix in (GRAPH_RESOURCE, "00000003-0000-0000-c000-000000000000/"):
        if scope.lower().startswith(prefix.lower()):
            return scope[len(prefix) :]
    return scope


def _same(given: str | None, expected: str) -> bool:
    return given is not None and secrets.compare_digest(given.encode(), expected.encode())


def _token_answer(store: Store, claims: dict[str, object], scope: str) -> JSONResponse:
    token = mint_token(store, claims)
    return JSONResponse(
        {
            "token_type": "Bearer",
            "scope": scope,
            "expires_in": TOKEN_LIFETIME_S,
            "ext_expires_in": TOKEN_LIFETIME_S,
            "access_token": token,
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    body = {
        "error": error,
        "error_description": description,
        "error_codes": [int(description[6:].split(":")[0]) if description.startswith("AADSTS") else 0],
        "trace_id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
    }
    return JSONResponse(body, status_code=status)
