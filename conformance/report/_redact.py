"""Defence-in-depth redaction of secrets in everything the report writers put on disk."""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[REDACTED]"

_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)\b(Bearer)(\s+|%20|\+)(?!\[REDACTED\]|\$|\{)[^\s\"'<>,;\\&]+")
_SECRET_NAMES = r"client_secret|password|access_token|refresh_token|id_token|assertion|client_assertion"
_FORM_SECRET = re.compile(rf"(?i)\b({_SECRET_NAMES})=(?!\[REDACTED\])[^&\s\"'<>\\]+")
_JSON_SECRET = re.compile(
    rf"(?i)([\"']?(?:{_SECRET_NAMES})[\"']?\s*[:=]\s*)([\"'])(?!\[REDACTED\])(?:\\.|(?!\2).)*\2"
)
_YAML_SECRET = re.compile(rf"(?im)^(\s*-?\s*(?:{_SECRET_NAMES})\s*:\s*)(?![\"'\s])(?!\[REDACTED\])(\S.*)$")
_SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}


# Each pattern can only match where its trigger occurs; one cheap scan for the trigger spares the pattern's
# scan of a whole report (several MB) when it does not.
_JWT_TRIGGER = "eyJ"
_BEARER_TRIGGER = re.compile(r"(?i)bearer")
_SECRET_NAME_TRIGGER = re.compile(rf"(?i)(?:{_SECRET_NAMES})[\"']?\s*[:=]")  # what all three need


def redact_text(text: str) -> str:
    """Replace JWT-shaped strings, bearer tokens and secret-named values with a marker."""
    if _JWT_TRIGGER in text:
        text = _JWT.sub(REDACTED, text)
    if _BEARER_TRIGGER.search(text):
        text = _BEARER.sub(lambda match: f"{match.group(1)} {REDACTED}", text)
    if not _SECRET_NAME_TRIGGER.search(text):
        return text
    text = _FORM_SECRET.sub(lambda match: f"{match.group(1)}={REDACTED}", text)
    text = _JSON_SECRET.sub(lambda match: f"{match.group(1)}{match.group(2)}{REDACTED}{match.group(2)}", text)
    return _YAML_SECRET.sub(lambda match: f"{match.group(1)}{REDACTED}", text)


def redact_headers(headers: Any) -> dict[str, str]:
    """A copy of a header mapping with credential headers masked and every value redacted."""
    if not isinstance(headers, dict):
        return {}
    masked: dict[str, str] = {}
    for name, value in headers.items():
        if str(name).lower() in _SECRET_HEADERS:
            scheme = str(value).split(" ", 1)[0] if " " in str(value) else ""
            masked[str(name)] = f"{scheme} {REDACTED}".strip()
        else:
            masked[str(name)] = redact_text(str(value))
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
