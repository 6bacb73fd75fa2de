"""Shared paths and page fixtures for the spec-layer tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance._paths import openapi_dir
from conformance.spec.model import ApiPage
from conformance.spec.page import parse_page

PAGES_DIR = Path(__file__).with_name("pages")
SEED_PAGE = openapi_dir() / "sources" / "event-cancel.ru-RU.md"
ENGLISH_V1 = PAGES_DIR / "event-cancel.v1.0.en.md"
ENGLISH_BETA = PAGES_DIR / "event-cancel.beta.en.md"


@pytest.fixture(scope="session")
def seed_page() -> ApiPage:
    """The localized seed page, parsed."""
    return parse_page(SEED_PAGE, display_name="openapi/sources/event-cancel.ru-RU.md")


@pytest.fixture(scope="session")
def english_v1_page() -> ApiPage:
    """The current English v1.0 page, parsed."""
    return parse_page(ENGLISH_V1)


@pytest.fixture(scope="session")
def english_beta_page() -> ApiPage:
    """The current English beta page, parsed."""
    return parse_page(ENGLISH_BETA)
