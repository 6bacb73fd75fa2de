"""Read a Microsoft Graph API reference page (English, localized with sxs-lookup spans, or plain)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conformance.errors import SpecParseError
from conformance.spec._blocks import CodeBlock, Document, Section, Table, Text, parse_document
from conformance.spec._markup import code_spans, link_texts, links, plain_text, split_sentences
from conformance.spec.model import (
    ApiPage,
    BodyParameter,
    HeaderParameter,
    HttpExample,
    PermissionRow,
    QuotedError,
    Route,
    Sentence,
    SuccessResponse,
)
from conformance.spec.routes import bound_operation, parse_route_block

_STATUS_IN_SENTENCE = re.compile(r"HTTP\s+([1-5]\d\d)\s*([A-Za-z][A-Za-z ]*[A-Za-z])?")
_STATUS_CODE = re.compile(r"^([1-5]\d\d)(?:\s+(.+))?$")
_NAMESPACE = re.compile(r"^[a-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)+$")
_QUOTES = "\"“”'"
_NO_BODY_PHRASES = ("not return anything", "n't return anything", "does not return a response body")


def _error(document: Document, section: Section, message: str, line: int | None = None) -> SpecParseError:
    return SpecParseError(message, file=document.file, section=section.anchor, line=line or section.line)


def _top(document: Document, anchor: str) -> Section | None:
    """A main section (a child of the page title, or top-level): never an example's sub-heading."""
    for section in document.root.subsections:
        if section.anchor == anchor and section.level > 1:
            return section
        for child in section.subsections:
            if child.anchor == anchor:
                return child
    return None


def _require(document: Document, anchor: str, what: str) -> Section:
    section = _top(document, anchor)
    if section is None:
        raise SpecParseError(
            f"the page has no '{anchor}' section ({what}); add a heading with <a name=\"{anchor}\"> "
            "or the English title",
            file=document.file,
            section=anchor,
            line=1,
        )
    return section


def _sentences(section: Section, *, deep: bool = False) -> tuple[Sentence, ...]:
    """The sentences of a section's paragraphs (English units split into sentences)."""
    found: list[Sentence] = []
    blocks = section.all_blocks() if deep else section.blocks
    for block in blocks:
        if not isinstance(block, Text) or block.english_markdown.lstrip().startswith("[!INCLUDE"):
            continue
        for segment in block.segments:
            for sentence in split_sentences(plain_text(segment.english)):
                found.append(Sentence(sentence, section.anchor, block.line))
    return tuple(found)


def _tables(section: Section) -> list[Table]:
    return [block for block in section.blocks if isinstance(block, Table)]


# "Required." / "Optional." as the machine translations of plain localized pages (no English spans) write
# them: words of the space-separated languages, and the CJK phrases (no spaces to split on).
_REQUIRED_WORDS = frozenset(
    {
        "required",
        "erforderlich",
        "obligatoire",
        "obligatorio",
        "obrigatório",
        "obbligatorio",
        "обязательный",
        "обязательно",
        "vereist",
        "wymagane",
        "gerekli",
    }
)
_OPTIONAL_WORDS = frozenset(
    {
        "optional",
        "facultatif",
        "opcional",
        "facoltativo",
        "необязательный",
        "необязательно",
        "optioneel",
        "opcjonalne",
        "isteğe",
    }
)
_REQUIRED_CJK = ("必須", "必需", "필수")
_OPTIONAL_CJK = ("省略可能", "可选", "選用", "선택 사항")


def _required(description: str) -> bool | None:
    """Whether a header or parameter description says Required (True) or Optional (False), in any of them."""
    words = {word.strip(".,;:()。").lower() for word in description.split()}
    if words & _REQUIRED_WORDS or any(phrase in description for phrase in _REQUIRED_CJK):
        return True
    if words & _OPTIONAL_WORDS or any(phrase in description for phrase in _OPTIONAL_CJK):
        return False
    return None


def _permissions(document: Document, page_path: Path) -> tuple[tuple[PermissionRow, ...], str | None]:
    """The permissions table's rows, also from a `[!INCLUDE]` beside the page; its name if unread."""
    section = _require(document, "permissions", "the permissions table")
    tables = _tables(section)
    if not tables:
        include = _include_link(section)
        if include is None:
            raise _error(document, section, "the permissions section has no table")
        name, target = include
        included = _included_document(page_path, target)
        if included is None:
            return (), f"{name} ({target})" if target else name
        tables = [block for block in included.root.all_blocks() if isinstance(block, Table)]
        if not tables:
            raise _error(document, section, f"the included permissions file {target} has no table")
    rows: list[PermissionRow] = []
    for row in tables[0].rows:
        if len(row) < 2:
            raise _error(document, section, "a permissions row needs a type and permissions")
        account_type = row[0].english
        lowered = account_type.lower()
        kind = (
            "application"
            if lowered.startswith("application")
            else "delegated-personal"
            if "personal" in lowered
            else "delegated-work"
            if "delegated" in lowered
            else None
        )
        names = tuple(name.strip() for name in row[1].english.split(",") if name.strip())
        rows.append(PermissionRow(account_type, kind, names, row[0].line))
    return tuple(rows), None


def _routes(blocks: list[CodeBlock], file: str, anchor: str) -> tuple[Route, ...]:
    """The routes of the section's route blocks (some pages split them by scenario), each route once.

    The first block must be routes (its errors name the line); a later one counts only if its first line is
    a route line, so a request example or a query-string note in the section is left alone.
    """
    routes: dict[tuple[str, str], Route] = {}
    route_blocks = blocks[:1] + [block for block in blocks[1:] if _ROUTE_LINE.match(_first_line(block))]
    for block in route_blocks:
        for route in parse_route_block(block.content, block.line + 1, file, anchor):
            routes.setdefault((route.method, route.template), route)
    return tuple(routes.values())


def _include_link(section: Section) -> tuple[str, str] | None:
    """(name, relative path) of the section's `[!INCLUDE [name](path)]`, if it has one."""
    for block in section.blocks:
        if isinstance(block, Text) and "[!INCLUDE" in block.english_markdown:
            found = links(block.english_markdown.replace("[!INCLUDE", "[INCLUDE"))
            return found[-1] if found else ("include", "")
    return None


def _included_document(page_path: Path, target: str) -> Document | None:
    """The include file at `target` (relative to the page, as in the docs repository); None if absent."""
    if not target or "://" in target:
        return None
    include_path = (page_path.parent / target.split("#", 1)[0]).resolve()
    try:
        source = include_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return parse_document(source, str(include_path))


def _parameter_rows(document: Document, anchor: str) -> list[tuple[str, str, str, int]]:
    section = _top(document, anchor)
    if section is None or not _tables(section):
        return []
    rows = []
    for row in _tables(section)[0].rows:
        if len(row) < 3:
            raise _error(document, section, f"the {anchor} table needs Name, Type and Description columns")
        rows.append((row[0].english, row[1].english, row[2].english, row[0].line))
    return rows


def _success(document: Document) -> SuccessResponse:
    section = _require(document, "response", "the success status")
    sentences = _sentences(section)
    for block in section.blocks:
        if not isinstance(block, Text):
            continue
        for code in code_spans(block.english_markdown):
            match = _STATUS_CODE.match(code.strip())
            if not match:
                continue
            lowered = block.english.lower()
            empty = any(phrase in lowered for phrase in _NO_BODY_PHRASES)
            linked = [] if empty else link_texts(block.english_markdown)  # the returned type is linked
            return SuccessResponse(
                status=int(match.group(1)),
                reason=(match.group(2) or "").strip(),
                empty_body=empty or not linked,
                body_type=linked[0] if linked else None,
                collection="collection" in lowered,
                sentences=sentences,
            )
    raise _error(
        document, section, "the response section names no status code in backticks (e.g. `202 Accepted`)"
    )


def _quoted_errors(document: Document, intro: Section) -> tuple[QuotedError, ...]:
    """Errors like '... gets an error (HTTP 400 Bad Request), with the following error message:' + quote."""
    errors: list[QuotedError] = []
    paragraphs = [block for block in intro.blocks if isinstance(block, Text)]
    for position, paragraph in enumerate(paragraphs):
        for sentence in split_sentences(paragraph.english):
            match = _STATUS_IN_SENTENCE.search(sentence)
            if not match or not sentence.rstrip().endswith(":"):
                continue
            if position + 1 >= len(paragraphs):
                continue
            quote = paragraphs[position + 1].english.strip()
            if not quote or quote[0] not in _QUOTES:
                continue
            errors.append(
                QuotedError(
                    status=int(match.group(1)),
                    reason=(match.group(2) or "").strip(),
                    message=quote.strip(_QUOTES).strip(),
                    sentence=f"{sentence} {quote}",
                    section=intro.anchor,
                    line=paragraph.line,
                )
            )
    return tuple(errors)


def _http_example(block: CodeBlock, kind: str) -> HttpExample:
    head, _, body_text = block.content.partition("\n\n")
    lines = [line for line in head.split("\n") if line.strip()]
    headers = tuple(
        (name.strip(), value.strip()) for name, _, value in (line.partition(":") for line in lines[1:])
    )
    body: object = None
    if body_text.strip():
        try:
            body = json.loads(body_text)
        except ValueError:
            body = body_text.strip()
    name = str(block.annotation.get("name", ""))
    return HttpExample(kind, name, lines[0].strip() if lines else "", headers, body, block.line)


def _examples(document: Document) -> tuple[HttpExample, ...]:
    section = _top(document, "example") or _top(document, "examples")
    if section is None:
        return ()
    examples = []
    for block in section.all_blocks():
        if isinstance(block, CodeBlock) and (kind := _example_kind(block)) is not None:
            examples.append(_http_example(block, kind))
    return tuple(examples)


_REQUEST_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE)\s+\S")  # an example's: the URL may be absolute
_ROUTE_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE)\s+/")
_STATUS_LINE = re.compile(r"^HTTP/\d(\.\d)?\s+\d{3}\b")


def _first_line(block: CodeBlock) -> str:
    return next((line.strip() for line in block.content.split("\n") if line.strip()), "")


def _example_kind(block: CodeBlock) -> str | None:
    """request | response: the block's `blockType` comment, else (an http block) its first line; else None."""
    annotated = block.annotation.get("blockType")
    if annotated in ("request", "response"):
        return str(annotated)
    if annotated is not None or block.info.strip().lower() != "http":
        return None  # "ignored", or another language (a tab's SDK snippet)
    first = _first_line(block)
    if _REQUEST_LINE.match(first):
        return "request"
    if _STATUS_LINE.match(first):
        return "response"
    return None


def _intro(document: Document) -> Section:
    titled = [section for section in document.root.subsections if section.level == 1]
    if not titled:
        raise SpecParseError("the page has no '# title' heading", file=document.file, section="title", line=1)
    return titled[0]


def parse_page(path: str | Path, display_name: str | None = None) -> ApiPage:
    """Parse one reference page into an ApiPage; SpecParseError names file, section and line on bad input."""
    file = display_name or str(path)
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SpecParseError(f"cannot read the page: {error}", file=file) from None
    document = parse_document(source, file)
    intro = _intro(document)
    intro_sentences = _sentences(intro)
    namespace = next(
        (
            s.text.rsplit(":", 1)[1].strip()
            for s in intro_sentences
            if ":" in s.text and _NAMESPACE.match(s.text.rsplit(":", 1)[1].strip())
        ),
        None,
    )
    request_section = _require(document, "http-request", "the HTTP request block with the routes")
    blocks = [block for block in request_section.blocks if isinstance(block, CodeBlock)]
    if not blocks:
        raise _error(document, request_section, "the HTTP request section has no code block")
    routes = _routes(blocks, file, request_section.anchor)
    resource, action = bound_operation(routes[0], file, request_section.anchor)
    permissions, include = _permissions(document, Path(path))
    headers = tuple(
        HeaderParameter(name, type_, description, _required(description), line)
        for name, type_, description, line in _parameter_rows(document, "request-headers")
    )
    body = tuple(
        BodyParameter(name, type_, description, _required(description), line)
        for name, type_, description, line in _parameter_rows(document, "request-body")
    )
    title = str(document.front_matter.get("title") or intro.title)
    return ApiPage(
        file=file,
        front_matter=document.front_matter,
        page_format=(
            "localized-sxs"
            if document.translated
            else "english"
            if str(document.front_matter.get("ms.contentlocale", "en-us")).lower().startswith("en")
            else "localized"
        ),
        title=title,
        resource=resource,
        action=action,
        namespace=namespace,
        description=tuple(s for s in intro_sentences if namespace is None or not s.text.endswith(namespace)),
        routes=routes,
        permissions=permissions,
        permissions_include=include,
        headers=headers,
        body_parameters=body,
        response=_success(document),
        errors=_quoted_errors(document, intro),
        examples=_examples(document),
        sentences={
            intro.anchor: intro_sentences,
            **{s.anchor: _sentences(s, deep=True) for s in intro.subsections},
        },
    )
