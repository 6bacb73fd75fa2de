"""The requirement catalog as the report sees it: from the spec layer, or a catalog file given in the ini."""

from __future__ import annotations

import hashlib
from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml

from conformance._paths import openapi_dir
from conformance._yaml import safe_load
from conformance.errors import TargetConfigError
from conformance.report.model import RequirementInfo

CATALOG_FILE = "requirements.yaml"
OPENAPI_FILE = "event-cancel.yaml"
_FIELDS = {item.name for item in fields(RequirementInfo)}


def _info_from(entry: Any, default_id: str = "") -> RequirementInfo | None:
    """A RequirementInfo from a catalog object (a Requirement dataclass or a mapping)."""
    raw = entry if isinstance(entry, dict) else getattr(entry, "__dict__", None)
    if not isinstance(raw, dict):
        return None
    values = {key: str(value) for key, value in raw.items() if key in _FIELDS and value is not None}
    values.setdefault("id", default_id)
    return RequirementInfo(**values) if values["id"] else None


def _entries_of(document: Any) -> list[tuple[str, Any]]:
    """(id, entry) pairs from the shapes a catalog file may take: list, {requirements: ...}, {id: entry}."""
    if isinstance(document, dict) and "requirements" in document:
        document = document["requirements"]
    if isinstance(document, list):
        return [(str(entry.get("id", "")), entry) for entry in document if isinstance(entry, dict)]
    if isinstance(document, dict):
        return [(str(key), value) for key, value in document.items() if isinstance(value, dict)]
    return []


def load_catalog_file(path: Path) -> dict[str, RequirementInfo]:
    """Read a requirements YAML file; a wrong file gives a TargetConfigError naming it."""
    try:
        document = safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise TargetConfigError(
            f"requirement catalog {path}: cannot be read ({error}); "
            "run `graph-conformance generate` or fix the path"
        ) from error
    catalog: dict[str, RequirementInfo] = {}
    for requirement_id, entry in _entries_of(document):
        info = _info_from(entry, requirement_id)
        if info is not None:
            catalog[info.id] = info
    if not catalog:
        raise TargetConfigError(
            f"requirement catalog {path}: no requirements found; "
            "expected a list of {id, sentence, level, profile, ...}"
        )
    return catalog


def load_requirements(catalog_path: str | None = None) -> dict[str, RequirementInfo]:
    """The catalog: the given file or the generated one, read by the spec layer when it is installed."""
    try:
        from conformance.spec.catalog import load_catalog, read_catalog
    except ImportError:  # the spec layer is optional for the report writers
        return load_catalog_file(Path(catalog_path)) if catalog_path else _packaged_catalog()
    loaded = read_catalog(Path(catalog_path)) if catalog_path else load_catalog()
    catalog = {rid: info for rid, entry in loaded.items() if (info := _info_from(entry, rid)) is not None}
    return catalog or _packaged_catalog()


def _packaged_catalog() -> dict[str, RequirementInfo]:
    """The catalog file shipped in openapi/, read without the spec layer; {} when absent."""
    packaged = openapi_dir() / CATALOG_FILE
    return load_catalog_file(packaged) if packaged.is_file() else {}


def sha256_of(path: Path) -> str | None:
    """The SHA-256 hex digest of a file, or None when it does not exist."""
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def description_digests(catalog_path: str | None = None) -> dict[str, dict[str, str | None]]:
    """Digests of the requirement catalog and the OpenAPI description the run was checked against."""
    catalog_file = Path(catalog_path) if catalog_path else openapi_dir() / CATALOG_FILE
    openapi_file = openapi_dir() / OPENAPI_FILE
    return {
        "catalog": {"file": catalog_file.name, "sha256": sha256_of(catalog_file)},
        "openapi": {"file": openapi_file.name, "sha256": sha256_of(openapi_file)},
    }
