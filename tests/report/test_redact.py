"""Defence-in-depth redaction: JWTs, bearer tokens and secret-named values never reach a report file."""

from __future__ import annotations

import json

import pytest

from conformance.target.redact import REDACTED, redact_headers, redact_text, redact_value
from tests.report._inner_project import KNOWN_JWT

CASES = {
    "jwt": (f"token {KNOWN_JWT} end", KNOWN_JWT),
    "bearer": ("Authorization: Bearer abc.def-123", "abc.def-123"),
    "bearer-url-encoded": ("?h=Bearer%20zzz-opaque", "zzz-opaque"),
    "form": ("grant_type=password&username=a&password=hunter2&client_secret=s3cr3t", "hunter2"),
    "form-secret": ("client_id=x&client_secret=s3cr3t&scope=y", "s3cr3t"),
    "json": ('{"client_secret": "s3cr3t-json", "x": 1}', "s3cr3t-json"),
    "json-escaped-quote": ('{"password": "pa\\"ss"}', 'pa\\"ss'),
    "yaml": ("token:\n  password: plain-yaml-secret\n", "plain-yaml-secret"),
}


@pytest.mark.parametrize("text, secret", CASES.values(), ids=CASES.keys())
def test_redact_text_removes_the_secret(text: str, secret: str) -> None:
    redacted = redact_text(text)
    assert secret not in redacted and REDACTED in redacted


def test_redact_text_keeps_ordinary_text() -> None:
    text = "POST /me/events/AAMk%2F=/cancel -> 202 (comment: 'Bearer of bad news' is fine?)"
    assert (
        redact_text("no secrets here: status 202, request-id abc")
        == "no secrets here: status 202, request-id abc"
    )
    assert "/me/events/AAMk%2F=/cancel" in redact_text(text)
    for placeholder in ("Authorization: Bearer {token}. Required.", "curl -H 'Authorization: Bearer $TOKEN'"):
        assert redact_text(placeholder) == placeholder


def test_redacting_serialised_json_keeps_it_valid() -> None:
    document = {
        "message": f"Bearer {KNOWN_JWT} client_secret=abc\\def password=x",
        "nested": ['"password": "y"'],
    }
    redacted = redact_text(json.dumps(document))
    assert KNOWN_JWT not in redacted
    json.loads(redacted)


def test_redact_value_and_headers() -> None:
    assert redact_value({"a": [f"x {KNOWN_JWT}"], "n": 3}) == {"a": [f"x {REDACTED}"], "n": 3}
    headers = redact_headers(
        {"Authorization": "Bearer opaque", "Cookie": "s=1", "Accept": "application/json"}
    )
    assert headers == {
        "Authorization": f"Bearer {REDACTED}",
        "Cookie": REDACTED,
        "Accept": "application/json",
    }
