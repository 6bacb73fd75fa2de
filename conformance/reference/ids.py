"""Graph-shaped ids: base64 strings that always contain `+`, `/` and `=`, and their validation."""

from __future__ import annotations

import base64
import binascii
import os
import re
import uuid

_MARK = b"\xfb\xff\xbf"  # encodes to "+/+/" at a 3-byte boundary, so every id carries + and /
_OCCURRENCE_PREFIX = b"OCC"
_ID_SHAPE = re.compile(r"^[A-Za-z0-9+/_-]+={0,2}$")
_MIN_RAW_LENGTH = 8


def mint_item_id() -> str:
    """A new mailbox item id (event, message, calendar, calendar group): 28 raw bytes, `==` padded."""
    raw = b"\x00\x00\x00" + os.urandom(9) + _MARK + os.urandom(13)
    return base64.b64encode(raw).decode("ascii")


def decode_id(item_id: str) -> bytes | None:
    """The raw bytes of a well-formed id, or None when it is malformed."""
    if not _ID_SHAPE.match(item_id) or len(item_id) % 4:
        return None
    try:
        raw = base64.b64decode(item_id.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) >= _MIN_RAW_LENGTH else None


def occurrence_id(master_id: str, day: str) -> str:
    """The stable id of the occurrence of `master_id` on `day` (YYYY-MM-DD)."""
    raw = _OCCURRENCE_PREFIX + base64.b64decode(master_id) + b"\x00" + day.replace("-", "").encode("ascii")
    return base64.b64encode(raw).decode("ascii")


def split_occurrence_id(item_id: str) -> tuple[str, str] | None:
    """(master id, YYYY-MM-DD) when `item_id` names an occurrence, else None."""
    raw = decode_id(item_id)
    if raw is None or not raw.startswith(_OCCURRENCE_PREFIX) or len(raw) != 3 + 28 + 1 + 8:
        return None
    master_raw, day = raw[3:31], raw[32:].decode("ascii", "replace")
    if not day.isdigit():
        return None
    return base64.b64encode(master_raw).decode("ascii"), f"{day[:4]}-{day[4:6]}-{day[6:]}"


def mint_change_key() -> str:
    """A new changeKey value."""
    return base64.b64encode(os.urandom(16)).decode("ascii")


def stable_guid(name: str) -> str:
    """A deterministic GUID for seeded directory objects."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"graph-conformance:{name}"))
