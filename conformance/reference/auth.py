"""Bearer tokens: minting and verifying the server's JWTs, and the permissions a caller holds."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt

from conformance.reference.faults import Fault
from conformance.reference.graph_errors import MESSAGES, GraphError
from conformance.reference.seed import CONSUMER_TENANT_ID, user
from conformance.reference.store import Store

AUDIENCE = "https://graph.microsoft.com"
TOKEN_LIFETIME_S = 3600
_ALGORITHM = "HS256"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a delegated user (with scopes) or an application (with roles)."""

    kind: str  # "delegated" | "app"
    permissions: frozenset[str]
    client_id: str
    tenant_id: str
    user_id: str | None = None

    @property
    def is_app(self) -> bool:
        """True for an app-only token."""
        return self.kind == "app"

    @property
    def is_personal(self) -> bool:
        """True for a personal Microsoft account (the consumer tenant)."""
        return self.tenant_id == CONSUMER_TENANT_ID

    def has_any(self, *permissions: str) -> bool:
        """True when the caller holds at least one of `permissions`."""
        return any(permission in self.permissions for permission in permissions)


def mint_token(store: Store, claims: dict[str, object], lifetime_s: int = TOKEN_LIFETIME_S) -> str:
    """Sign `claims` with this server's key, adding audience and lifetime."""
    now = int(time.time())
    payload = {"aud": AUDIENCE, "iat": now, "nbf": now, "exp": now + lifetime_s, **claims}
    return jwt.encode(payload, _signing_key(store), algorithm=_ALGORITHM)


class TokenVerifier:
    """Verifies bearer tokens with the server's key, remembering recent good ones until they expire."""

    _CACHE_SIZE = 4096

    def __init__(self, store: Store) -> None:
        self._key = _signing_key(store)
        self._verified: dict[str, tuple[Principal, float]] = {}

    def authenticate(self, authorization: str | None, faults: frozenset[str]) -> Principal:
        """The caller of a request from its Authorization header; 401 InvalidAuthenticationToken otherwise."""
        token = _bearer_value(authorization)
        if not token:
            if Fault.AUTH_IGNORED in faults:
                return _organizer_stand_in()
            raise _unauthenticated(MESSAGES["token-empty"])
        remembered = self._verified.get(token)
        if remembered is not None and remembered[1] > time.time():
            return remembered[0]
        try:
            claims = jwt.decode(token, self._key, algorithms=[_ALGORITHM], audience=AUDIENCE)
        except jwt.PyJWTError as error:
            if Fault.INVALID_TOKEN_ACCEPTED in faults:
                return _organizer_stand_in()
            expired = isinstance(error, jwt.ExpiredSignatureError)
            raise _unauthenticated(MESSAGES["token-expired" if expired else "token-invalid"]) from error
        principal = _principal_of(claims)
        if isinstance(claims.get("exp"), int | float):
            if len(self._verified) >= self._CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = (principal, float(claims["exp"]))
        return principal


def _organizer_stand_in() -> Principal:
    """Who a request without a valid token acts as under the auth-ignored / invalid-token-accepted faults."""
    scopes = frozenset(("Calendars.ReadWrite", "Mail.Read", "User.Read"))
    return Principal("delegated", scopes, "anonymous", "", user("organizer").user_id)


def _principal_of(claims: dict[str, Any]) -> Principal:
    tenant_id, client_id = str(claims.get("tid", "")), str(claims.get("appid", ""))
    if "scp" in claims:
        scopes = frozenset(str(claims["scp"]).split())
        return Principal("delegated", scopes, client_id, tenant_id, str(claims.get("oid", "")))
    return Principal("app", frozenset(claims.get("roles", ()) or ()), client_id, tenant_id)


def _bearer_value(authorization: str | None) -> str:
    if not authorization:
        return ""
    scheme, _, value = authorization.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _unauthenticated(message: str) -> GraphError:
    return GraphError(
        401,
        "InvalidAuthenticationToken",
        message,
        {"WWW-Authenticate": 'Bearer realm="", authorization_uri="", client_id=""'},
    )


def _signing_key(store: Store) -> str:
    key = store.meta("signing_key")
    if key is None:
        raise RuntimeError("the store is not seeded: no signing key")
    return key
