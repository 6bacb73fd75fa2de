"""Markdown and span handling: the machine-translation spans, inline Markdown to plain text, sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt
from markdown_it.token import Token

from conformance.errors import SpecParseError

MARKDOWN = MarkdownIt("commonmark").enable("table")

# A sentence ends at . ! ? (optionally followed by a closing quote or bracket) before whitespace and a
# capital, a digit, a quote or a bracket. Applied to one segment or paragraph, never to the whole file.
_SENTENCE_END = re.compile(r"(?<=[.!?])([\"'”)\]]?)\s+(?=[\"“'(\[A-Z0-9])")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Segment:
    """One translation unit: the English Markdown (from the sxs-lookup span) and the localized Markdown."""

    english: str
    localized: str
    segment_id: str | None
    merged: bool  # a `-pNNN` id: several sentences merged into one unit


@dataclass(frozen=True)
class Where:
    """Where a piece of text sits in the page, for error messages."""

    file: str
    section: str
    line: int


def plain_text(markdown_source: str) -> str:
    """Inline Markdown rendered to plain text (links keep their text, code keeps its content)."""
    html = MARKDOWN.renderInline(markdown_source)
    text = BeautifulSoup(html, "html.parser").get_text()
    return _WHITESPACE.sub(" ", text).strip()


def code_spans(markdown_source: str) -> list[str]:
    """The contents of the inline code spans of a Markdown fragment."""
    tokens = MARKDOWN.parseInline(markdown_source)
    return [
        child.content for token in tokens for child in token.children or [] if child.type == "code_inline"
    ]


def link_texts(markdown_source: str) -> list[str]:
    """The texts of the links of a Markdown fragment, in order."""
    return [text for text, _target in links(markdown_source)]


def links(markdown_source: str) -> list[tuple[str, str]]:
    """(text, target) of the links of a Markdown fragment, in order."""
    html = MARKDOWN.renderInline(markdown_source)
    anchors = BeautifulSoup(html, "html.parser").find_all("a")
    return [(anchor.get_text().strip(), str(anchor.get("href") or "")) for anchor in anchors]


def split_sentences(text: str) -> list[str]:
    """Split one paragraph or merged segment of English into sentences."""
    pieces = _SENTENCE_END.split(text)
    sentences: list[str] = []
    # split() returns [s0, closer0, s1, closer1, ...]: glue each closer back onto its sentence.
    for index in range(0, len(pieces), 2):
        sentence = pieces[index] + (pieces[index + 1] if index + 1 < len(pieces) else "")
        sentence = sentence.strip()
        if sentence:
            sentences.append(sentence)
    return sentences


def has_translation_spans(inline: Token) -> bool:
    """Whether an inline token holds machine-translation spans."""
    return any(
        child.type == "html_inline" and "data-ttu-id" in child.content for child in inline.children or []
    )


def _check_balanced(inline: Token, where: Where) -> None:
    """Every `<span ...>` in an inline run must be closed in the same run."""
    depth = 0
    for child in inline.children or []:
        if child.type != "html_inline":
            continue
        tag = BeautifulSoup(child.content, "html.parser").find()
        if isinstance(tag, Tag) and tag.name == "span":
            depth += 1
        elif child.content.replace(" ", "").lower() == "</span>":
            depth -= 1
        if depth < 0:
            raise SpecParseError("a </span> closes a span that was never opened", **where.__dict__)
    if depth:
        raise SpecParseError(
            f"{depth} translation span(s) not closed; each <span ...> needs its </span>", **where.__dict__
        )


def _inner_markdown(tag: Tag) -> str:
    """The source text inside a span (the spans hold Markdown, which the HTML parser leaves as text)."""
    return "".join(str(part) for part in tag.contents)


def segments(inline: Token, where: Where) -> list[Segment]:
    """The translation units of an inline run; a run without spans is one unit of its own text."""
    if not has_translation_spans(inline):
        return [Segment(english=inline.content, localized=inline.content, segment_id=None, merged=False)]
    _check_balanced(inline, where)
    soup = BeautifulSoup(inline.content, "html.parser")
    found: list[Segment] = []
    for translated in soup.find_all("span", attrs={"data-ttu-id": True}):
        segment_id = str(translated["data-ttu-id"])
        lookup = translated.find_next_sibling("span")
        if not isinstance(lookup, Tag) or "sxs-lookup" not in (lookup.get("class") or []):
            raise SpecParseError(
                f"translation span {segment_id!r} has no sxs-lookup span with its English after it",
                **where.__dict__,
            )
        english = lookup.find("span", attrs={"data-stu-id": True})
        if not isinstance(english, Tag) or english["data-stu-id"] != segment_id:
            raise SpecParseError(
                f"sxs-lookup span after {segment_id!r} does not hold a data-stu-id={segment_id!r} span",
                **where.__dict__,
            )
        if translated.find("span") is not None:
            raise SpecParseError(f"translation span {segment_id!r} contains another span", **where.__dict__)
        found.append(
            Segment(
                english=_inner_markdown(english),
                localized=_inner_markdown(translated),
                segment_id=segment_id,
                merged=segment_id.rsplit("-", 1)[-1].startswith("p"),
            )
        )
    return found


def heading_anchor(inline: Token) -> str | None:
    """The `<a name="...">` anchor of a heading, when the page gives one."""
    for child in inline.children or []:
        if child.type == "html_inline":
            anchor = BeautifulSoup(child.content, "html.parser").find("a")
            if isinstance(anchor, Tag) and anchor.get("name"):
                return str(anchor["name"])
    return None


def slug(title: str) -> str:
    """The anchor docs.microsoft.com derives from an English heading ("HTTP request" -> "http-request")."""
    kept = "".join(ch for ch in title.lower() if ch.isalnum() or ch in " -_")
    return "-".join(kept.split())
