"""Resource pages (e.g. resources/timeslot.md): the properties of a complex type a parameter table names."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from conformance.errors import SpecParseError
from conformance.spec._blocks import Section, Table, Text, parse_document
from conformance.spec._markup import plain_text, split_sentences
from conformance.spec.model import TableParameter

# Where a page's complex types are looked for, relative to the page's folder: shipped beside the pages
# (openapi/sources/resources/), or as in a checkout of the docs repository (api/ beside resources/).
RESOURCE_FOLDERS = ("resources", "../resources")


@dataclass(frozen=True)
class ResourcePage:
    """A complex type as its resource page describes it: a one-sentence summary and its properties."""

    file: str
    summary: str
    properties: tuple[TableParameter, ...]  # the Properties table's rows (Property, Type, Description)


def _find(section: Section, anchor: str) -> Section | None:
    if section.anchor == anchor:
        return section
    for child in section.subsections:
        found = _find(child, anchor)
        if found is not None:
            return found
    return None


def _summary(section: Section) -> str:
    for child in section.subsections:
        for block in child.blocks:
            if isinstance(block, Text):
                text = plain_text(" ".join(segment.english for segment in block.segments))
                if text and not text.startswith("Namespace:"):
                    return split_sentences(text)[0]
    return ""


@lru_cache(maxsize=64)
def _parse(path: Path) -> ResourcePage:
    document = parse_document(path.read_text(encoding="utf-8"), str(path))
    section = _find(document.root, "properties")
    tables = [block for block in section.blocks if isinstance(block, Table)] if section else []
    if not tables:
        raise SpecParseError("no Properties table", file=str(path), section="properties")
    rows = []
    for row in tables[0].rows:
        if len(row) < 3:
            raise SpecParseError(
                "the Properties table needs Property, Type and Description columns",
                file=str(path),
                section="properties",
                line=row[0].line if row else None,
            )
        rows.append(TableParameter(row[0].english, row[1].english, row[2].english, None, row[0].line))
    return ResourcePage(str(path), _summary(document.root), tuple(rows))


def resource_page(folder: Path | None, type_name: str) -> ResourcePage | None:
    """The resource page of a complex type (`timeSlot` -> resources/timeslot.md), when one is there."""
    if folder is None:
        return None
    for relative in RESOURCE_FOLDERS:
        path = (folder / relative / f"{type_name.lower()}.md").resolve()
        if path.is_file():
            return _parse(path)
    return None
