"""Validation of a target document against target.schema.json, with errors that name the offending key."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from conformance.errors import TargetConfigError

SCHEMA_PATH = Path(__file__).with_name("target.schema.json")

# Fields each token kind needs once `token_defaults` is merged in ("a|b": one of them).
REQUIRED_TOKEN_FIELDS: dict[str, tuple[str, ...]] = {
    "literal": ("value",),
    "env": ("var",),
    "password": ("token_url", "client_id", "username", "password|password_env", "scope"),
    "client_credentials": ("token_url", "client_id", "client_secret|client_secret_env", "scope"),
    "msal": ("authority", "client_id", "scopes"),
}


@lru_cache(maxsize=1)
def target_schema() -> dict[str, Any]:
    """The JSON Schema of a target file."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def key_path(parts: Iterable[Any]) -> str:
    """`identities.attendees[0].token.kind` from a jsonschema path."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _describe(error: jsonschema.ValidationError) -> str:
    where = key_path(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        unknown = sorted(set(error.instance) - set(schema.get("properties", {})))
        allowed = ", ".join(sorted(schema.get("properties", {})))
        return f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; allowed keys: {allowed}"
    if error.validator == "required":
        return f"{where}: {error.message}; add it to the target file"
    if error.validator == "enum" and isinstance(error.validator_value, list):
        allowed = ", ".join(map(repr, error.validator_value))
        return f"{where}: {error.instance!r} is not one of {allowed}"
    return f"{where}: {error.message}"


def validate_document(document: Any, source: str) -> None:
    """Raise TargetConfigError naming the first offending key when `document` breaks the schema."""
    if not isinstance(document, Mapping):
        raise TargetConfigError(
            f"{source}: a target file must be a YAML mapping, got {type(document).__name__}"
        )
    validator = jsonschema.Draft202012Validator(target_schema())
    errors = sorted(validator.iter_errors(document), key=lambda error: list(map(str, error.absolute_path)))
    if errors:
        details = "; ".join(_describe(error) for error in errors[:3])
        raise TargetConfigError(f"{source}: invalid target file: {details} (schema: {SCHEMA_PATH.name})")


def check_token_fields(fields: Mapping[str, Any], where: str, source: str) -> str:
    """The token kind, after checking the merged fields hold what that kind needs."""
    kind = fields.get("kind")
    if kind is None:
        raise TargetConfigError(
            f"{source}: {where}.kind is missing; set it (or token_defaults.kind) to one of "
            f"{', '.join(map(repr, REQUIRED_TOKEN_FIELDS))}"
        )
    for needed in REQUIRED_TOKEN_FIELDS[kind]:
        options = needed.split("|")
        if not any(fields.get(option) not in (None, "") for option in options):
            raise TargetConfigError(
                f"{source}: {where}.{options[0]} is required for token kind {kind!r}"
                + (f" (or {where}.{options[1]})" if len(options) > 1 else "")
            )
    return str(kind)
