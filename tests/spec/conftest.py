"""Page fixtures for the spec-layer tests: the seed page and the English pages, parsed once."""

from __future__ import annotations

import pytest

from conformance.spec.model import ApiPage
from conformance.spec.page import parse_page
from tests.spec._pages import ENGLISH_BETA, ENGLISH_V1, SEED_PAGE


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
