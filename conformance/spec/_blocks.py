"""A reference page as front matter plus a tree of sections holding paragraphs, tables and code blocks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml
from markdown_it.rules_block.table import escapedSplit
from markdown_it.token import Token

from conformance._yaml import safe_load
from conformance.errors import SpecParseError
from conformance.spec._markup import MARKDOWN, Segment, Where, heading_anchor, plain_text, segments, slug


@dataclass(frozen=True)
class Text:
    """A paragraph or table cell: its translation units and where it is."""

    segments: tuple[Segment, ...]
    line: int

    @property
    def english_markdown(self) -> str:
        """The English Markdown of the whole run (units joined by a space)."""
        return " ".join(segment.english.strip() for segment in self.segments)

    @property
    def english(self) -> str:
        """The English plain text of the whole run."""
        return plain_text(self.english_markdown)


@dataclass(frozen=True)
class Table:
    """A pipe table: header cells and body rows, each row with its line."""

    header: tuple[Text, ...]
    rows: tuple[tuple[Text, ...], ...]
    line: int


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block and the `blockType` annotation comment before it, if any."""

    info: str
    content: str
    annotation: dict[str, Any]
    line: int


Block = Text | Table | CodeBlock


@dataclass
class Section:
    """A heading with its anchor, its blocks and its sub-sections."""

    anchor: str
    title: str
    level: int
    line: int
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)

    def find(self, anchor: str) -> Section | None:
        """The first sub-section (any depth) with this anchor."""
        for child in self.subsections:
            if child.anchor == anchor:
                return child
            deeper = child.find(anchor)
            if deeper is not None:
                return deeper
        return None

    def all_blocks(self) -> list[Block]:
        """The blocks of this section and of its sub-sections, in page order."""
        collected = list(self.blocks)
        for child in self.subsections:
            collected.extend(child.all_blocks())
        return collected


@dataclass
class Document:
    """The parsed page: front matter, whether it carries translation spans, and its sections."""

    file: str
    front_matter: dict[str, Any]
    translated: bool
    root: Section


def split_front_matter(source: str, file: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter, and the source with it blanked out (so line numbers stay true)."""
    lines = source.split("\n")
    start = 0
    in_comment = False
    while start < len(lines):  # skip blank lines and leading HTML comments (e.g. a provenance note)
        stripped = lines[start].strip()
        if in_comment or stripped.startswith("<!--"):
            in_comment = "-->" not in stripped
        elif stripped:
            break
        start += 1
    if start >= len(lines) or lines[start].strip() != "---":
        return {}, source
    for end in range(start + 1, len(lines)):
        if lines[end].strip() == "---":
            try:
                front = safe_load("\n".join(lines[start + 1 : end])) or {}
            except yaml.YAMLError as error:
                raise SpecParseError(
                    f"front matter is not valid YAML: {error}", file=file, line=start + 1
                ) from None
            if not isinstance(front, dict):
                raise SpecParseError("front matter is not a YAML mapping", file=file, line=start + 1)
            blanked = lines[:start] + [""] * (end - start + 1) + lines[end + 1 :]
            return front, "\n".join(blanked)
    raise SpecParseError("front matter opened with '---' is never closed", file=file, line=start + 1)


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


def _annotation(token: Token) -> dict[str, Any]:
    """The JSON inside an `<!-- { "blockType": ... } -->` comment, or {}."""
    body = token.content.strip()
    if not (body.startswith("<!--") and body.endswith("-->")):
        return {}
    try:
        parsed = json.loads(body[4:-3])
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _is_tab_heading(inline: Token) -> bool:
    """Docs tab markers (`# [HTTP](#tab/http)`) are headings in Markdown but not sections."""
    return any(
        child.type == "link_open" and str(child.attrGet("href") or "").startswith("#tab/")
        for child in inline.children or []
    )


def _table(tokens: list[Token], start: int, source_lines: list[str], where: Where) -> tuple[Table, int]:
    """Read a table starting at tokens[start] (table_open); return it and the index after table_close."""
    header: list[Text] = []
    rows: list[tuple[Text, ...]] = []
    current: list[Text] = []
    row_line = where.line
    index = start + 1
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            current, row_line = [], _line(token)
            if row_line and row_line > where.line + 1:  # a body row: compare its real cell count
                cells = escapedSplit(source_lines[row_line - 1].strip())
                cells = cells[1:] if cells and cells[0] == "" else cells
                cells = cells[:-1] if cells and cells[-1].strip() == "" else cells
                if len(cells) != len(header):
                    raise SpecParseError(
                        f"table row has {len(cells)} cells but the header has {len(header)}",
                        file=where.file,
                        section=where.section,
                        line=row_line,
                    )
        elif token.type == "inline":
            cell_where = Where(where.file, where.section, row_line)
            current.append(Text(tuple(segments(token, cell_where)), row_line))
        elif token.type == "tr_close":
            if not header:
                header = current
            else:
                rows.append(tuple(current))
        index += 1
    return Table(tuple(header), tuple(rows), where.line), index + 1


def parse_document(source: str, file: str) -> Document:
    """Parse the page into a section tree (headings by level; anchors from `<a name>` or the English)."""
    front_matter, body = split_front_matter(source, file)
    source_lines = body.split("\n")
    tokens = MARKDOWN.parse(body)
    root = Section(anchor="", title="", level=0, line=1)
    stack = [root]
    translated = False
    pending_annotation: dict[str, Any] = {}
    index = 0
    while index < len(tokens):
        token = tokens[index]
        section = stack[-1]
        where = Where(file, section.anchor, _line(token))
        if token.type == "heading_open":
            inline = tokens[index + 1]
            level = int(token.tag[1])
            if not _is_tab_heading(inline):
                units = segments(inline, where)
                translated = translated or any(unit.segment_id for unit in units)
                title = plain_text(" ".join(unit.english for unit in units))
                anchor = heading_anchor(inline) or slug(title)
                while stack[-1].level >= level:
                    stack.pop()
                child = Section(anchor=anchor, title=title, level=level, line=_line(token))
                stack[-1].subsections.append(child)
                stack.append(child)
            index += 3
            continue
        if token.type == "paragraph_open":
            units = segments(tokens[index + 1], where)
            translated = translated or any(unit.segment_id for unit in units)
            section.blocks.append(Text(tuple(units), _line(token)))
            index += 3
            continue
        if token.type == "table_open":
            table, index = _table(tokens, index, source_lines, where)
            section.blocks.append(table)
            continue
        if token.type == "html_block":
            pending_annotation = _annotation(token) or pending_annotation
        elif token.type in ("fence", "code_block"):
            section.blocks.append(
                CodeBlock(token.info.strip(), token.content, pending_annotation, _line(token))
            )
            pending_annotation = {}
        index += 1
    return Document(file=file, front_matter=front_matter, translated=translated, root=root)
