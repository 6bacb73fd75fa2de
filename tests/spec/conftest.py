"""Page fixtures for the spec-layer tests: the seed page and the English pages, parsed once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conformance._paths import openapi_dir, repo_root
from conformance.spec import generate
from conformance.spec.interfaces_doc import INTERFACES_DOC
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


@pytest.fixture()
def scratch_openapi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copies of openapi/ and docs/INTERFACES.md that run_generate writes to instead of the repo's."""
    copy = tmp_path / "openapi"
    shutil.copytree(openapi_dir(), copy)
    (tmp_path / "docs").mkdir()
    shutil.copy(repo_root() / INTERFACES_DOC, tmp_path / INTERFACES_DOC)
    monkeypatch.setattr(generate, "openapi_dir", lambda: copy)
    monkeypatch.setattr(generate, "repo_root", lambda: tmp_path)
    return copy
