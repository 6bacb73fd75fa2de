"""Reading a JSON request body as Graph's OData reader does: anything but strict, sane JSON is a 400."""

from __future__ import annotations

import json
import math
from typing import Any

from conformance.reference.graph_errors import GraphError, bad_request

MAX_DEPTH = 64  # nesting of objects and arrays; an event body needs 4
_INT64 = 2**63


class _Refused(ValueError):
    """A value the reader refuses while decoding (duplicate name, NaN, number out of range)."""


def parse_json(raw: bytes) -> Any:
    """The decoded body; 400 RequestBodyRead for bad UTF-8, bad JSON, duplicate names, NaN or too deep."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _unreadable("The request body is not valid UTF-8.") from error
    try:
        value = json.loads(
            text, object_pairs_hook=_object, parse_constant=_constant, parse_float=_float, parse_int=_int
        )
    except _Refused as error:
        raise _unreadable(str(error)) from error
    except RecursionError as error:
        raise _too_deep() from error
    except ValueError as error:
        raise _unreadable("Invalid JSON. A token was not recognized in the JSON content.") from error
    _check_shape(value)
    return value


def _unreadable(message: str) -> GraphError:
    return bad_request(message, "RequestBodyRead")


def _too_deep() -> GraphError:
    return _unreadable(f"The request payload is nested deeper than {MAX_DEPTH} levels.")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise _Refused(f"Multiple properties with the name '{name}' were detected in the payload.")
        result[name] = value
    return result


def _constant(name: str) -> Any:
    raise _Refused(f"Cannot convert the literal '{name}': JSON has no {name}.")


def _float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _Refused(f"The number '{literal[:40]}' is out of range.")
    return value


def _int(literal: str) -> int:
    value = int(literal)  # Python refuses more than 4,300 digits with a ValueError
    if not -_INT64 <= value < _INT64:
        raise _Refused(f"The number '{literal[:40]}' is out of range for Edm.Int64.")
    return value


def _check_shape(value: Any) -> None:
    """400 when objects/arrays nest deeper than MAX_DEPTH or a string holds a lone surrogate (\\ud800)."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise _too_deep()
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as error:
                raise _unreadable(
                    "The request payload holds an unpaired surrogate (\\uD800-\\uDFFF)."
                ) from error
