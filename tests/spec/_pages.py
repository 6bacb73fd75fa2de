"""The doc pages the spec-layer tests parse: the shipped seed page and the pages kept beside the tests."""

from __future__ import annotations

from pathlib import Path

from conformance._paths import openapi_dir

PAGES_DIR = Path(__file__).with_name("pages")
SEED_PAGE = openapi_dir() / "sources" / "event-cancel.ru-RU.md"
ENGLISH_V1 = PAGES_DIR / "event-cancel.v1.0.en.md"
ENGLISH_BETA = PAGES_DIR / "event-cancel.beta.en.md"
