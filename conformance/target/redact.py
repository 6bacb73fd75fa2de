"""The one redactor: secrets out of transcripts, failure texts, curl lines and every report file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
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
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"})

_SECRET_NAMES = "|".join(sorted(SECRET_KEYS, key=len, reverse=True))
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
# `Bearer <token>`, also URL-encoded; placeholders (`$TOKEN`, `{token}`) and the marker itself are left alone.
_BEARER = re.compile(r"(?i)\b(Bearer)(\s+|%20|\+)(?!\[REDACTED\]|\$|\{)[^\s\"'<>,;\\&]+")
_FORM_SECRET = re.compile(rf"(?i)\b({_SECRET_NAMES})=(?!\[REDACTED\])[^&\s\"'<>\\]+")
_JSON_SECRET = re.compile(
    rf"(?i)([\"']?(?:{_SECRET_NAMES})[\"']?\s*[:=]\s*)([\"'])(?!\[REDACTED\])(?:\\.|(?!\2).)*\2"
)
_YAML_SECRET = re.compile(rf"(?im)^(\s*-?\s*(?:{_SECRET_NAMES})\s*:\s*)(?![\"'\s])(?!\[REDACTED\])(\S.*)$")

# Each pattern can only match where its trigger occurs; one cheap scan for the trigger spares the pattern's
# scan of a whole report (several MB) when it does not.
_JWT_TRIGGER = "eyJ"
_BEARER_TRIGGER = re.compile(r"(?i)bearer")
_SECRET_NAME_TRIGGER = re.compile(rf"(?i)(?:{_SECRET_NAMES})[\"']?\s*[:=]")  # what the last three need


def redact_text(text: str) -> str:
    """Replace JWT-shaped strings, bearer tokens and secret-named values (form, JSON, YAML) with a marker."""
    if _JWT_TRIGGER in text:
        text = _JWT.sub(REDACTED, text)
    if _BEARER_TRIGGER.search(text):
        text = _BEARER.sub(lambda match: f"{match.group(1)} {REDACTED}", text)
    if not _SECRET_NAME_TRIGGER.search(text):
        return text
    text = _FORM_SECRET.sub(lambda match: f"{match.group(1)}={REDACTED}", text)
    text = _JSON_SECRET.sub(lambda match: f"{match.group(1)}{match.group(2)}{REDACTED}{match.group(2)}", text)
    return _YAML_SECRET.sub(lambda match: f"{match.group(1)}{REDACTED}", text)


def _masked_credential(value: str) -> str:
    """A credential header's value reduced to its scheme (`Bearer [REDACTED]`)."""
    scheme = value.split(" ", 1)[0] if " " in value else ""
    return f"{scheme} {REDACTED}".strip()


def redact_headers(headers: Any) -> dict[str, str]:
    """A copy of a header mapping with credential headers masked and every other value redacted."""
    if not isinstance(headers, Mapping):
        return {}
    masked: dict[str, str] = {}
    for name, value in headers.items():
        secret = str(name).lower() in SECRET_HEADERS
        masked[str(name)] = _masked_credential(str(value)) if secret else redact_text(str(value))
    return masked


def redact_value(value: Any) -> Any:
    """Redact every string inside a JSON-like structure (dicts, lists, scalars)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {str(key): redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


class Redactor:
    """The run's redactor: the patterns above plus every secret value the run knows (tokens, passwords)."""

    def __init__(self, known_secrets: Iterable[str] = ()) -> None:
        self._known: set[str] = {secret for secret in known_secrets if len(secret) >= 4}

    def add(self, secret: str) -> None:
        """Remember one more secret (e.g. a token just obtained)."""
        if len(secret) >= 4:
            self._known.add(secret)

    def text(self, value: str) -> str:
        """`value` with every known secret, JWT, bearer token and secret-named value replaced."""
        for secret in sorted(self._known, key=len, reverse=True):
            if secret in value:
                value = value.replace(secret, REDACTED)
        return redact_text(value)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Headers with credential headers masked and known secrets removed from the others."""
        return {
            name: _masked_credential(str(value)) if name.lower() in SECRET_HEADERS else self.text(str(value))
            for name, value in headers.items()
        }

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
            return self.text(json.dumps(_scrub(parsed), ensure_ascii=False))
        if "=" in text and "&" in text or text.split("=", 1)[0] in SECRET_KEYS:
            pairs = parse_qsl(text, keep_blank_values=True)
            if pairs:
                scrubbed = [(key, REDACTED if key.lower() in SECRET_KEYS else val) for key, val in pairs]
                return self.text(urlencode(scrubbed))
        return self.text(text)


def _scrub_field(key: object, value: object) -> object:
    """A JSON field's value, replaced when the field is secret-named."""
    return REDACTED if str(key).lower() in SECRET_KEYS else _scrub(value)


def _scrub(value: object) -> object:
    """A JSON value with every secret-named field's value replaced."""
    if isinstance(value, dict):
        return {key: _scrub_field(key, item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value
