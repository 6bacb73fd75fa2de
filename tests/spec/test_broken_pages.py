"""Broken pages get a SpecParseError naming the file, the section and the line; the CLI prints one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.cli import main
from conformance.errors import SpecParseError
from conformance.spec.page import parse_page
from tests.spec._pages import ENGLISH_V1, SEED_PAGE


def _broken_copy(tmp_path: Path, original: Path, old: str, new: str) -> Path:
    text = original.read_text(encoding="utf-8")
    assert old in text, "the test's edit no longer applies to the page"
    broken = tmp_path / original.name
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    return broken


def _parse_error(tmp_path: Path, original: Path, old: str, new: str) -> tuple[Path, SpecParseError]:
    """The broken copy of `original` (`old` replaced by `new`) and the SpecParseError parsing it raises."""
    page = _broken_copy(tmp_path, original, old, new)
    with pytest.raises(SpecParseError) as caught:
        parse_page(page)
    return page, caught.value


def _line_of(path: Path, needle: str) -> int:
    return next(
        number
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1)
        if needle in line
    )


def test_missing_http_request_section_names_file_and_section(tmp_path: Path) -> None:
    page, error = _parse_error(tmp_path, ENGLISH_V1, "## HTTP request", "## HTTP requests (moved)")
    assert error.file == str(page) and error.section == "http-request"
    assert error.line == 1
    assert str(page) in str(error) and "'http-request'" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "section", "line_marker"),
    [
        # the h5 "response" under Example still exists but names no status: it must not be taken silently
        (
            '<a name="response"></a><span data-ttu-id="e0990-145">',
            '<a name="answer"></a><span data-ttu-id="e0990-145">',
            "response",
            None,
        ),
        (
            "Calendars.ReadWrite</span></span> |\n",
            "Calendars.ReadWrite</span></span> | extra |\n",
            "permissions",
            "| extra |",
        ),
    ],
    ids=["response-section-renamed", "row-with-an-extra-cell"],
)
def test_broken_seed_names_file_section_and_line(
    tmp_path: Path, old: str, new: str, section: str, line_marker: str | None
) -> None:
    page, error = _parse_error(tmp_path, SEED_PAGE, old, new)
    assert error.section == section and str(page) in str(error)
    if line_marker is not None:
        assert error.line == _line_of(page, line_marker)


def test_ragged_table_row_names_section_and_line(tmp_path: Path) -> None:
    row = "| Content-Type | string  | Nature of the data in the body of an entity. Required. |"
    page, error = _parse_error(tmp_path, ENGLISH_V1, row, "| Content-Type | string |")
    assert error.section == "request-headers"
    assert error.line == _line_of(page, "| Content-Type | string |")
    assert "2 cells but the header has 3" in str(error)
    assert f"{page}:{error.line}" in str(error)


def test_unclosed_span_names_section_and_line(tmp_path: Path) -> None:
    broken_text = (
        '<span data-ttu-id="e0990-137">'
        + "В тексте запроса предоставьте JSON-объект с указанными ниже параметрами."
    )
    page, error = _parse_error(tmp_path, SEED_PAGE, broken_text + "</span>", broken_text)
    assert error.section == "request-body"
    assert error.line == _line_of(page, 'data-ttu-id="e0990-137"')
    assert "not closed" in str(error)


def test_translation_span_without_english_lookup(tmp_path: Path) -> None:
    lookup = (
        '<span class="sxs-lookup"><span data-stu-id="e0990-149">'
        "Here is an example of how to call this API.</span></span>"
    )
    page, error = _parse_error(tmp_path, SEED_PAGE, lookup, "")
    assert error.section == "example" and "e0990-149" in str(error)
    assert error.line == _line_of(page, 'data-ttu-id="e0990-149"')


def test_route_line_that_is_not_method_and_path(tmp_path: Path) -> None:
    page, error = _parse_error(
        tmp_path, ENGLISH_V1, "POST /groups/{id}/events/{id}/cancel", "SEND groups/{id}/events"
    )
    assert error.section == "http-request"
    assert error.line == _line_of(page, "SEND groups/{id}/events")


def test_cli_reports_a_broken_page_in_one_line_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = _broken_copy(tmp_path, ENGLISH_V1, "## Response", "## Answer")
    exit_code = main(["generate", "--source", str(page), "--out", str(tmp_path / "out.yaml")])
    captured = capsys.readouterr()
    assert exit_code == 2
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert str(page) in captured.err and "'response'" in captured.err
    assert not (tmp_path / "out.yaml").exists()


def test_missing_source_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--source", str(tmp_path / "nope.md"), "--out", str(tmp_path / "o.yaml")]) == 2
    assert "nope.md" in capsys.readouterr().err
