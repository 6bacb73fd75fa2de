"""A Graph on a stub server's base URL, with literal tokens (no token endpoint needed)."""

from __future__ import annotations

from typing import Any

from conformance.target.client import Graph
from conformance.target.config import target_from_document
from conformance.target.redact import Redactor
from conformance.target.transcript import Transcript

ORGANIZER_TOKEN = "opaque-organizer-token-5f3a9"


def make_graph(base_url: str, **overrides: Any) -> Graph:
    """A Graph on `base_url` with literal tokens; `overrides` are target-file keys (timeouts, retries...)."""
    document = {
        "base_url": base_url,
        "identities": {
            "organizer": {
                "user_id": "u-1",
                "user_principal_name": "adele@contoso.test",
                "token": {"kind": "literal", "value": ORGANIZER_TOKEN},
            },
            "attendees": [{"user_id": "u-2", "token": {"kind": "literal", "value": "attendee-token-1"}}],
        },
        **overrides,
    }
    target = target_from_document(document, source="test", environ={})
    return Graph(target, Transcript(Redactor(target.secrets())))
