"""The requirement catalog as the report sees it (read by the spec layer) and digests of what was checked."""

from __future__ import annotations

import hashlib
from dataclasses import fields
from pathlib import Path

from conformance._paths import DESCRIPTION_FILE, openapi_dir
from conformance.report.model import RequirementInfo
from conformance.spec.catalog import CATALOG_FILE, Requirement, load_catalog, read_catalog
from conformance.target.actions import action_of

_FIELDS = tuple(item.name for item in fields(RequirementInfo))


def requirement_info(requirement: Requirement) -> RequirementInfo:
    """The report's view of one catalog requirement (fields the spec layer adds later are ignored)."""
    values = {name: str(getattr(requirement, name, "") or "") for name in _FIELDS}
    values["action"] = action_of(requirement)  # `cancel` for a catalog written before the field existed
    return RequirementInfo(**values)


def load_requirements(catalog_path: str | None = None) -> dict[str, RequirementInfo]:
    """The catalog from the given file or the generated one; a bad file raises SpecParseError naming it."""
    catalog = read_catalog(Path(catalog_path)) if catalog_path else load_catalog()
    return {requirement_id: requirement_info(entry) for requirement_id, entry in catalog.items()}


def sha256_of(path: Path) -> str | None:
    """The SHA-256 hex digest of a file, or None when it does not exist."""
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def description_digests(catalog_path: str | None = None) -> dict[str, dict[str, str | None]]:
    """Digests of the requirement catalog and the OpenAPI description the run was checked against."""
    catalog_file = Path(catalog_path) if catalog_path else openapi_dir() / CATALOG_FILE
    openapi_file = openapi_dir() / DESCRIPTION_FILE
    return {
        "catalog": {"file": catalog_file.name, "sha256": sha256_of(catalog_file)},
        "openapi": {"file": openapi_file.name, "sha256": sha256_of(openapi_file)},
    }
