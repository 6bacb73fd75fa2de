"""Where the generated OpenAPI description and catalog live: the repo's openapi/ or the installed copy."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
DESCRIPTION_FILE = "event-cancel.yaml"  # cancel's generated OpenAPI description, in openapi_dir()


def openapi_dir() -> Path:
    """The directory holding event-cancel.yaml, requirements.yaml and sources/."""
    repo_copy = _PACKAGE_DIR.parent / "openapi"
    if repo_copy.is_dir():
        return repo_copy
    return _PACKAGE_DIR / "_data" / "openapi"


def description_files() -> list[Path]:
    """Every action's generated OpenAPI description (`event-<action>.yaml`), in the catalog's action order."""
    from conformance.spec.catalog import actions_of, load_catalog  # the catalog names the actions

    return [openapi_dir() / f"event-{action}.yaml" for action in actions_of(load_catalog())]


def repo_root() -> Path:
    """The checkout the package was installed from in editable mode (the parent of the package)."""
    return _PACKAGE_DIR.parent
