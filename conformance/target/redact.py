"""Token redaction for transcripts, failure texts and curl lines."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode

REDACTED = "[REDACTED]"
SECRET_KEYS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "password",
        "assertion",
        "client_assertion",
    }
)
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',]+")


class Redactor:
    """Removes secrets: known values, JWT-looking strings, bearer tokens and secret-named fields."""

    def __init__(self, known_secrets: Iterable[str] = ()) -> None:
        self._known: set[str] = {secret for secret in known_secrets if len(secret) >= 4}

    def add(self, secret: str) -> None:
        """Remember one more secret (e.g. a token just obtained)."""
        if len(secret) >= 4:
            self._known.add(secret)

    def text(self, value: str) -> str:
        """`value` with every known secret, JWT and bearer token replaced."""
        for secret in sorted(self._known, key=len, reverse=True):
            value = value.replace(secret, REDACTED)
        value = _JWT.sub(REDACTED, value)
        return _BEARER.sub(lambda match: match.group(1) + REDACTED, value)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Headers with secret-carrying ones replaced."""
        return {
            name: (self._auth_header(value) if name.lower() in SECRET_HEADERS else self.text(str(value)))
            for name, value in headers.items()
        }

    def _auth_header(self, value: str) -> str:
        scheme = value.split(" ", 1)[0] if " " in value else ""
        return f"{scheme} {REDACTED}".strip()

    def body(self, body: str | bytes | None) -> str | None:
        """A request or response body as text, secret fields and values removed."""
        if body is None or body == b"" or body == "":
            return None if body is None else ""
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict | list):
            return self.text(json.dumps(self._scrub(parsed), ensure_ascii=False))
        if "=" in text and "&" in text or text.split("=", 1)[0] in SECRET_KEYS:
            pairs = parse_qsl(text, keep_blank_values=True)
            if pairs:
                scrubbed = [(key, REDACTED if key.lower() in SECRET_KEYS else val) for key, val in pairs]
                return self.text(urlencode(scrubbed))
        return self.text(text)

    def _scrub(self, value: object) -> object:
        if isinstance(value, dict):
            return {
                key: (REDACTED if str(key).lower() in SECRET_KEYS else self._scrub(item))
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self._scrub(item) for item in value]
        return value
