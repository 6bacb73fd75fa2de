"""Build an action's requirement catalog from its parsed page plus its hand-kept overlay (spec/actions/)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.errors import SpecParseError
from conformance.spec import overlays
from conformance.spec.catalog import COMMON_ACTION, LEVELS, PROFILES, Requirement
from conformance.spec.evidence import GraphEvidence, graph_evidence
from conformance.spec.model import ApiPage, Route
from conformance.spec.routes import ROUTE_SECTION, route_names

OVERLAY_FILE = overlays.ACTIONS_DIR / "cancel.yaml"  # cancel's overlay (the first action's)
OVERLAY_NAME = overlays.display_name(OVERLAY_FILE)  # as generated files name it


@dataclass(frozen=True)
class CatalogEntry:
    """A requirement plus the route roots it applies to (None: every route) and, for routes, its template."""

    requirement: Requirement
    roots: tuple[str, ...] | None
    route: str | None = None


def load_overlay(path: Path = OVERLAY_FILE) -> dict[str, Any]:
    """Read an overlay file (cancel's unless named)."""
    return overlays.load_overlay(path)


def overlay_applies(page: ApiPage, overlay: dict[str, Any]) -> bool:
    """Whether the overlay is for this page: its action (`event: cancel`, from the routes) and English text.

    The overlay picks doc sentences by English phrases, so a page translated without its English text
    (the plain localized format) gets the description only.
    """
    operation = f"{page.resource}: {page.action}"
    return str(overlay.get("action", "")).strip() == operation and page.page_format != "localized"


def _route_profile(route: Route, rules: dict[str, Any]) -> str:
    for rule in rules.get("profiles", []):
        if "segment" in rule and rule["segment"] in route.literals:
            return str(rule["profile"])
        if "root" in rule and route.literals[0] == rule["root"]:
            return str(rule["profile"])
    return str(rules.get("default_profile", "core"))


def _pick_sentences(
    page: ApiPage, spec: dict[str, Any], requirement_id: str, where_file: str
) -> tuple[str, str]:
    """The page text a doc-level overlay entry points at, and its section anchor."""
    where = f"overlay entry {requirement_id}"
    if "section" in spec:
        section = str(spec["section"])
        sentences = page.sentences.get(section)
        if sentences is None:
            raise SpecParseError(
                f"{where}: the page has no section {section!r}", file=page.file, section=section
            )
        picked: list[str] = []
        for phrase in spec.get("sentences", []):
            alternatives = [part.strip().lower() for part in str(phrase).split("|")]  # "a|b": either wording
            match = next(
                (s.text for part in alternatives for s in sentences if part in s.text.lower()), None
            )
            if match is None:
                raise SpecParseError(
                    f"{where}: no sentence contains {phrase!r}; update the overlay",
                    file=page.file,
                    section=section,
                )
            if match not in picked:
                picked.append(match)
        return " ".join(picked), section
    if "error" in spec:
        error = next((e for e in page.errors if e.status == int(spec["error"])), None)
        if error is None:
            raise SpecParseError(f"{where}: the page quotes no HTTP {spec['error']} error", file=page.file)
        return error.sentence, error.section
    if "permission" in spec:
        row = next((r for r in page.permissions if r.kind == spec["permission"]), None)
        if row is None:
            unread = (
                f"; the table is in the include {page.permissions_include}, which is not beside the page "
                "(put the docs repository's includes/ folder where the link points)"
                if page.permissions_include and not page.permissions
                else ""
            )
            raise SpecParseError(
                f"{where}: the permissions table has no {spec['permission']!r} row{unread}",
                file=page.file,
                section="permissions",
            )
        return f"{row.account_type}: {', '.join(row.permissions)}", "permissions"
    if "header" in spec:
        header = next((h for h in page.headers if h.name.lower() == str(spec["header"]).lower()), None)
        if header is None:
            raise SpecParseError(
                f"{where}: no request header {spec['header']!r}", file=page.file, section="request-headers"
            )
        return f"{header.name} ({header.type}): {header.description}", "request-headers"
    if "parameter" in spec:
        parameter = next((p for p in page.body_parameters if p.name == spec["parameter"]), None)
        if parameter is None:
            raise SpecParseError(
                f"{where}: no body parameter {spec['parameter']!r}", file=page.file, section="request-body"
            )
        return f"{parameter.name} ({parameter.type}): {parameter.description}", "request-body"
    if "example" in spec:
        for example in page.examples:
            if (
                example.kind == spec["example"]
                and isinstance(example.body, dict)
                and spec["contains"] in example.body
            ):
                key = str(spec["contains"])
                return f"{json.dumps(key)}: {json.dumps(example.body[key], ensure_ascii=False)}", "example"
        raise SpecParseError(
            f"{where}: no {spec['example']} example with {spec.get('contains')!r}",
            file=page.file,
            section="example",
        )
    raise SpecParseError(
        f"{where}: 'from' needs section, error, permission, header, parameter or example",
        file=where_file,
    )


def _entry(
    page: ApiPage, spec: dict[str, Any], source: str, action: str, where: str
) -> CatalogEntry:
    """One overlay entry as a catalog entry: its sentence from the page (doc) or its evidence (graph)."""
    requirement_id = str(spec.get("id", ""))
    level = str(spec.get("level", "doc"))
    profile = str(spec.get("profile", ""))
    if level not in LEVELS or profile not in PROFILES or not spec.get("check"):
        raise SpecParseError(
            f"overlay entry {requirement_id!r} needs a level in {LEVELS}, a profile in {PROFILES} "
            "and a check",
            file=where,
        )
    check = str(spec["check"])
    if level == "doc":
        sentence, section = _pick_sentences(page, spec.get("from", {}), requirement_id, where)
        requirement = Requirement(
            requirement_id, sentence, level, profile, source, section, check, "", action
        )
    else:
        evidence = graph_evidence(spec, where)
        main_source = evidence.sources[0].url
        requirement = Requirement(
            requirement_id, evidence.sentence, level, profile, main_source, "", check, evidence.reference,
            action,
        )
    roots = tuple(spec["roots"]) if "roots" in spec else None
    return CatalogEntry(requirement, roots)


def build_catalog(
    page: ApiPage,
    overlay: dict[str, Any],
    source: str,
    *,
    where: str = str(OVERLAY_FILE),
    common: dict[str, Any] | None = None,
) -> list[CatalogEntry]:
    """The catalog entries: one per route (derived), the overlay's entries in its order, then the common ones.

    `where` names the overlay in errors; `common` (spec/common.yaml) adds the cross-action conventions, whose
    rows say `action: common`.
    """
    rules = overlay.get("routes", {})
    prefix = overlay.get("id_prefix")
    entries: list[CatalogEntry] = []
    for route in page.routes:
        names = route_names(route, page.action, str(prefix) if prefix else None)
        requirement = Requirement(
            id=names.requirement_id,
            sentence=f"{route.method} {route.template}",
            level="doc",
            profile=_route_profile(route, rules),
            source=source,
            section=ROUTE_SECTION,
            check=str(rules.get("check", "")),
            action=page.action,
        )
        entries.append(CatalogEntry(requirement, (route.literals[0],), route.template))
    entries += [_entry(page, spec, source, page.action, where) for spec in overlay["requirements"]]
    if common is not None:
        where_common = str(overlays.COMMON_FILE)
        entries += [
            _entry(page, spec, source, COMMON_ACTION, where_common) for spec in common["requirements"]
        ]
    seen: set[str] = set()
    for entry in entries:
        if entry.requirement.id in seen:
            raise SpecParseError(f"requirement id {entry.requirement.id!r} is produced twice", file=where)
        seen.add(entry.requirement.id)
    return entries


def overlay_evidence(overlay: dict[str, Any], where: str = str(OVERLAY_FILE)) -> list[GraphEvidence]:
    """The evidence of every `graph` entry of the overlay, in its order."""
    return [
        graph_evidence(spec, where)
        for spec in overlay["requirements"]
        if str(spec.get("level", "doc")) == "graph"
    ]


def requirements_for_route(entries: list[CatalogEntry], route: Route) -> list[str]:
    """The ids that apply to one route: its own route requirement plus the shared ones for its root."""
    ids = []
    for entry in entries:
        if entry.route is not None:
            if entry.route == route.template:
                ids.append(entry.requirement.id)
        elif entry.roots is None or route.literals[0] in entry.roots:
            ids.append(entry.requirement.id)
    return ids
