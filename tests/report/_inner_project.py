"""The report tests' inner pytest project: a small catalog, fake conformance cases leaking known secrets."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# the inner_project fixture: make(failing=True, rows=CATALOG_ROWS) -> the Pytester of a new inner project
InnerProject = Callable[..., pytest.Pytester]


def _b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# Token-shaped values the fake cases leak on purpose: no report file may contain them. The JWT-shaped one
# is built here (a fake, unsigned) so that no token-looking literal sits in the repository.
_JWT_PARTS = ('{"alg":"HS256"}', '{"sub":"adele","scp":"Calendars.ReadWrite"}', "secret-signature")
KNOWN_JWT = ".".join(_b64url(part) for part in _JWT_PARTS)
KNOWN_OPAQUE_TOKEN = "opaque-token-value-7f3a9c"
KNOWN_PASSWORD = "Pa55w0rd-known-value"
KNOWN_CLIENT_SECRET = "client-secret-known-value"
KNOWN_SECRETS = (KNOWN_JWT, KNOWN_OPAQUE_TOKEN, KNOWN_PASSWORD, KNOWN_CLIENT_SECRET)

CATALOG_ROWS = [
    ("TEST-PASS-ONE", "doc", "core", "POST /me/events/{id}/cancel"),
    ("TEST-FAIL-ONE", "doc", "core", "An attendee gets HTTP 400 Bad Request."),
    ("TEST-NA-ONE", "doc", "groups", "POST /groups/{id}/events/{id}/cancel"),
    ("TEST-NV-ONE", "graph", "application-permissions", "/me with an app token gives 400 BadRequest."),
    ("TEST-NOCASE", "graph", "core", "A requirement no case checks."),
    ("TEST-MIXED", "doc", "core", "One case passes, one is not applicable."),
]

CONFTEST = '''
import pytest
from conformance._stash import EXCHANGES_KEY

@pytest.fixture
def record(request):
    """Append a fake transcript exchange (unredacted on purpose) to this test's exchanges."""
    exchanges = request.node.stash.setdefault(EXCHANGES_KEY, [])
    def add(method, path, status, identity="organizer", body=None, response_body=""):
        exchanges.append({
            "method": method, "url": "http://127.0.0.1:9/v1.0" + path,
            "request_headers": {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"},
            "request_body": body, "status": status,
            "response_headers": {"request-id": "rid-%d" % len(exchanges)}, "response_body": response_body,
            "request_id": "rid-%d" % len(exchanges), "elapsed_ms": 12.5, "identity": identity,
        })
    return add
'''

PASSING_CASES = """
import pytest
from conformance.outcomes import not_applicable, not_verified

@pytest.mark.requirement("TEST-PASS-ONE")
def test_passes(record):
    record("POST", "/me/events/AAMk%2Fabc%3D/cancel", 202, body={"comment": "hi", "password": PASSWORD})

@pytest.mark.requirement("TEST-NA-ONE")
def test_not_applicable(record):
    not_applicable("the target declares profile groups unsupported")

@pytest.mark.requirement("TEST-MIXED")
def test_mixed_passes(record):
    record("POST", "/users/u1/calendars/c1/events/e1/cancel", 202, identity="application")

@pytest.mark.requirement("TEST-MIXED")
def test_mixed_not_applicable():
    not_applicable("no group configured")
"""

FAILING_CASES = """
import pytest
from conformance.outcomes import not_verified

@pytest.mark.requirement("TEST-FAIL-ONE")
def test_fails(record):
    record("POST", "/me/events/e2/cancel", 202, identity="attendee",
           response_body='{"access_token": "' + TOKEN + '"}')
    assert False, ("TEST-FAIL-ONE: expected 400, got 202; token was Bearer " + OPAQUE
                   + " body client_id=x&client_secret=" + SECRET)

@pytest.mark.requirement("TEST-NV-ONE")
def test_not_verified():
    not_verified("no application identity configured (identities.application)")
"""


def with_secrets(source: str) -> str:
    """Prefix a module source with the known secret values it leaks."""
    prefix = (
        f"TOKEN = {KNOWN_JWT!r}\nOPAQUE = {KNOWN_OPAQUE_TOKEN!r}\n"
        f"PASSWORD = {KNOWN_PASSWORD!r}\nSECRET = {KNOWN_CLIENT_SECRET!r}\n"
    )
    return prefix + source


def catalog_yaml(rows: list[tuple[str, str, str, str]] = CATALOG_ROWS) -> str:
    """A catalog file in the spec layer's format."""
    entries = [
        {
            "id": rid,
            "sentence": sentence,
            "level": level,
            "profile": profile,
            "source": "openapi/sources/event-cancel.ru-RU.md",
            "section": "response",
            "check": "fake check",
        }
        for rid, level, profile, sentence in rows
    ]
    return json.dumps({"requirements": entries}, indent=1)


def run_dir_of(root: Path) -> Path:
    """The run directory `reports/latest` points at (asserting it is a symlink)."""
    latest = root / "reports" / "latest"
    assert latest.is_symlink(), f"{latest} is not a symlink"
    return latest.resolve()


def certification_of(root: Path) -> dict[str, Any]:
    """The certification.json of the latest run."""
    document: dict[str, Any] = json.loads(
        (run_dir_of(root) / "certification.json").read_text(encoding="utf-8")
    )
    return document


def verdicts_of(document: dict[str, Any]) -> dict[str, str]:
    """Requirement id -> verdict from a certification document."""
    return {entry["id"]: entry["verdict"] for entry in document["requirements"]}


PRODUCT_YAML = (
    "name: Contoso Calendar\nversion: 2.4.1\nvendor: Contoso Ltd.\nurl: https://contoso.example.com\n"
)
# every run of the inner project tests the report plugin alone (the suite's off); end-to-end tests use both
INNER_INI = (
    "[pytest]\n"
    "addopts = -p no:graph_conformance\n"
    "graph_conformance_catalog = requirements.yaml\n"
    "markers =\n    requirement(*ids): catalog requirement ids\n"
)
