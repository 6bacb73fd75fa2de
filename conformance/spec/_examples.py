"""Request-body examples of the description: the page's own, and named comments every String must take."""

from __future__ import annotations

from typing import Any

from conformance.spec.model import ApiPage

# label in the operation's `examples` -> (summary, the comment): CANCEL-COMMENT-STRING names a non-ASCII,
# an 8,000-character and a multi-line comment
_COMMENTS: dict[str, tuple[str, str]] = {
    "non-ascii-comment": ("A non-ASCII {name}",
                          "Отмена: перенесём на следующую неделю · 会议取消 — 下周见 🎉"),
    "long-comment": ("An 8,000-character {name}", ("Cancelled for this week. " * 320)[:8000]),
    "multi-line-comment": ("A multi-line {name}", "Line one\nLine two\r\n\tIndented line three"),
}


def request_example(page: ApiPage) -> Any:
    """The body of the page's first request example, or None."""
    return next((e.body for e in page.examples if e.kind == "request" and e.body is not None), None)


def _string_parameter(page: ApiPage) -> str | None:
    return next((p.name for p in page.body_parameters if p.type.lower() == "string"), None)


def request_examples(page: ApiPage) -> dict[str, Any]:
    """An operation's named examples: the page's request first, then the named comments, written inline.

    Inline, not `$ref`s to `components.examples`: Schemathesis (4.32) leaves referenced examples out of its
    coverage phase, so the CLI would never send them.
    """
    examples: dict[str, Any] = {}
    example = request_example(page)
    if example is not None:
        examples["page"] = {"summary": "The page's example request", "value": example}
    name = _string_parameter(page)
    if name is not None:
        for label, (summary, comment) in _COMMENTS.items():
            examples[label] = {"summary": summary.format(name=name), "value": {name: comment}}
    return examples
