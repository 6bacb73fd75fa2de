"""The requirement catalog: the Requirement record and loading the generated openapi/requirements.yaml."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from conformance._paths import openapi_dir
from conformance._yaml import safe_load
from conformance.errors import SpecParseError

CATALOG_FILE = "requirements.yaml"
LEVELS = ("doc", "graph")
PROFILES = (
    "core",
    "groups",
    "routes-legacy",
    "application-permissions",
    "groups-application",
    "personal-accounts",
    "recurrence",
    "deleted-items-folder",
    "reminders",
    "proposals",
)
DEFAULT_ACTION = "cancel"  # the action of a row written before rows named theirs
COMMON_ACTION = "common"  # the cross-action conventions: they hold on every action's routes
_FIELDS = ("id", "sentence", "level", "profile", "source", "section", "check")
_OPTIONAL_FIELDS = ("evidence", "action")  # catalogs written before these fields existed stay readable
_ACTION_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


@dataclass(frozen=True)
class Requirement:
    """One requirement: stable id, its doc sentence or Graph convention, level, profile, source and check.

    `source` is the page (doc level) or the public URL the convention rests on (graph level); `evidence`
    is where the shipped evidence text is, relative to openapi/ (graph level only, e.g.
    `graph-evidence.md#graph-404-unknown-id`). `action` is the route's last segment (`cancel`, ...,
    as the page spells it), or `common` for the conventions that hold on every action's routes.
    """

    id: str
    sentence: str
    level: str
    profile: str
    source: str
    section: str
    check: str
    evidence: str = ""
    action: str = DEFAULT_ACTION

    def as_dict(self) -> dict[str, str]:
        """The requirement as a plain mapping (the catalog file's row)."""
        return asdict(self)


def requirement_from_mapping(row: Any, where: str) -> Requirement:
    """Build a Requirement from one catalog row, checking its fields."""
    if not isinstance(row, dict) or not set(_FIELDS) <= set(row) <= {*_FIELDS, *_OPTIONAL_FIELDS}:
        raise SpecParseError(
            f"catalog row must have the fields {', '.join(_FIELDS)} (and optionally "
            f"{', '.join(_OPTIONAL_FIELDS)}); got {row!r}",
            file=where,
        )
    if row["level"] not in LEVELS or row["profile"] not in PROFILES:
        raise SpecParseError(
            f"requirement {row['id']!r}: level must be one of {LEVELS} and profile one of {PROFILES}",
            file=where,
        )
    if "action" in row and not _ACTION_NAME.match(str(row["action"])):
        raise SpecParseError(
            f"requirement {row['id']!r}: action must be an action name (e.g. cancel) or "
            f"{COMMON_ACTION!r}; got {row['action']!r}",
            file=where,
        )
    return Requirement(**{name: str(row[name]) for name in (*_FIELDS, *_OPTIONAL_FIELDS) if name in row})


def actions_of(catalog: Mapping[str, Requirement]) -> tuple[str, ...]:
    """The actions the catalog's requirements belong to, in catalog order (`common` left out)."""
    actions = dict.fromkeys(requirement.action for requirement in catalog.values())
    actions.pop(COMMON_ACTION, None)
    return tuple(actions)


def requirements_of(catalog: Mapping[str, Requirement], *actions: str) -> dict[str, Requirement]:
    """The catalog's requirements of the given actions (`common` included only when named), in order."""
    return {rid: requirement for rid, requirement in catalog.items() if requirement.action in actions}


def read_catalog(path: Path) -> dict[str, Requirement]:
    """Read a catalog file into requirements keyed by id, in file order."""
    try:
        document = safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SpecParseError(
            f"cannot read the catalog: {error}; run `graph-conformance generate`", file=str(path)
        ) from None
    rows = document.get("requirements") if isinstance(document, dict) else None
    if not isinstance(rows, list):
        raise SpecParseError(
            "the catalog has no 'requirements' list; run `graph-conformance generate`", file=str(path)
        )
    catalog: dict[str, Requirement] = {}
    for row in rows:
        requirement = requirement_from_mapping(row, str(path))
        if requirement.id in catalog:
            raise SpecParseError(f"requirement id {requirement.id!r} appears twice", file=str(path))
        catalog[requirement.id] = requirement
    return catalog


@lru_cache(maxsize=1)
def _cached_catalog(path: str) -> tuple[Requirement, ...]:
    return tuple(read_catalog(Path(path)).values())


def load_catalog() -> dict[str, Requirement]:
    """The generated catalog (openapi/requirements.yaml), ordered as in the file; a fresh dict per call."""
    requirements = _cached_catalog(str(openapi_dir() / CATALOG_FILE))
    return {requirement.id: requirement for requirement in requirements}
