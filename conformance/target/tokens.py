"""Access tokens from the configured sources, cached and refreshed before they expire."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from conformance.errors import TokenEndpointUnreachable, TokenError
from conformance.target.config import SecretFields, TokenSpec
from conformance.target.redact import Redactor

REFRESH_MARGIN_S = 120.0
DEFAULT_LIFETIME_S = 3600.0
# how a failed name lookup reads (urllib3 2's NameResolutionError; the resolver's words under urllib3 1.26)
_NO_SUCH_HOST = ("Failed to resolve", "Name or service not known", "nodename nor servname",
                 "Temporary failure in name resolution", "getaddrinfo failed")


class TokenProvider:
    """One identity's token source; `token()` is cheap after the first call and thread-safe."""

    def __init__(
        self,
        role: str,
        spec: TokenSpec,
        *,
        timeout: tuple[float, float] = (5.0, 30.0),
        on_token: Callable[[str], None] = lambda _token: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.role, self.spec, self._timeout, self._on_token, self._clock = (
            role,
            spec,
            timeout,
            on_token,
            clock,
        )
        self._value: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def token(self) -> str:
        """A valid access token, fetched again when within REFRESH_MARGIN_S of expiry."""
        with self._lock:
            if self._value is None or self._clock() >= self._expires_at - REFRESH_MARGIN_S:
                value, lifetime = self._fetch()
                self._value, self._expires_at = value, self._clock() + lifetime
                self._on_token(value)
            return self._value

    def _fetch(self) -> tuple[str, float]:
        __tracebackhide__ = True  # its locals hold the secrets: pytest's `-l` must never print them
        fields = self.spec.fields
        if self.spec.kind == "literal":
            return str(fields["value"]), float("inf")
        if self.spec.kind == "msal":
            return _msal_token(self.role, fields)
        grant = (
            {"grant_type": "password", "username": fields["username"], "password": fields["password"]}
            if self.spec.kind == "password"
            else {"grant_type": "client_credentials"}
        )
        form = SecretFields(
            {"client_id": fields["client_id"], "scope": fields["scope"], **grant}
            | ({"client_secret": fields["client_secret"]} if fields.get("client_secret") else {})
        )
        del grant  # only `form` (masked in its repr) holds the secrets from here
        return self._post_token_request(str(fields["token_url"]), form)

    def _post_token_request(self, token_url: str, form: SecretFields) -> tuple[str, float]:
        __tracebackhide__ = True  # as _fetch: `form` holds the password and the client secret
        try:
            response = requests.post(token_url, data=dict(form), timeout=self._timeout)
        except (requests.ConnectionError, requests.Timeout) as error:
            why = _unanswered_why(error)
            raise TokenEndpointUnreachable(
                f"token endpoint {token_url} does not answer ({why}; identity {self.role!r}); "
                "is the server running?",
                why=why,
            ) from None
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        token = payload.get("access_token")
        if response.status_code != 200 or not isinstance(token, str) or not token:
            reason = _redacted_reason(
                payload.get("error_description") or payload.get("error") or f"HTTP {response.status_code}",
                form,
            )
            raise TokenError(
                f"identity {self.role!r}: the {self.spec.kind} grant at {token_url} failed: {reason}; "
                "check that identity's token settings in the target file",
                oauth_error=str(payload.get("error") or ""),
                reason=reason,
            )
        return token, _lifetime(payload.get("expires_in"))


def _unanswered_why(error: requests.RequestException) -> str:
    """How a request went unanswered, in a few words (`connection refused`, `timed out`, ...)."""
    text = str(error)
    if any(words in text for words in _NO_SUCH_HOST):
        return "its host name does not resolve"
    if isinstance(error, requests.Timeout):
        return "timed out"
    return "connection refused" if "refused" in text.lower() else "no connection could be made"


def _redacted_reason(reason: object, form: SecretFields) -> str:
    """The endpoint's reason, one line of at most 300 characters, the form's secrets taken out."""
    __tracebackhide__ = True
    text = " ".join(str(reason).split())[:300]
    return Redactor(str(form[key]) for key in ("client_secret", "password") if form.get(key)).text(text)


def _lifetime(expires_in: Any) -> float:
    """Seconds a token lives: the endpoint's `expires_in` (a number or numeric string), else the default."""
    try:
        seconds = float(expires_in)
    except (TypeError, ValueError):
        return DEFAULT_LIFETIME_S
    return seconds if seconds > 0 and seconds != float("inf") else DEFAULT_LIFETIME_S


def _msal_token(role: str, fields: Any) -> tuple[str, float]:
    try:
        import msal  # optional extra: imported only when a target asks for it
    except ImportError:
        raise TokenError(
            f"identity {role!r} uses token kind 'msal' but the msal package is not installed; "
            "install it with: pip install 'graph-conformance[msal]'"
        ) from None
    scopes = list(fields["scopes"])
    if fields.get("client_secret"):
        app = msal.ConfidentialClientApplication(
            fields["client_id"], authority=fields["authority"], client_credential=fields["client_secret"]
        )
        result = app.acquire_token_for_client(scopes=scopes)
    else:
        public = msal.PublicClientApplication(fields["client_id"], authority=fields["authority"])
        if not (fields.get("username") and fields.get("password")):
            raise TokenError(f"identity {role!r}: msal without client_secret needs username and password_env")
        result = public.acquire_token_by_username_password(
            fields["username"], fields["password"], scopes=scopes
        )
    if "access_token" not in result:
        reason = result.get("error_description") or result.get("error") or "no access_token"
        raise TokenError(f"identity {role!r}: MSAL could not get a token: {reason}")
    return str(result["access_token"]), float(result.get("expires_in", DEFAULT_LIFETIME_S))
