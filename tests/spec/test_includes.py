"""Pages whose permissions table is an `[!INCLUDE]` (the current format): read from beside the page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conformance.cli import main
from conformance.spec.page import parse_page
from tests.spec._pages import ENGLISH_BETA

# The shape of the docs repository's generated include files (beta/includes/permissions/), written
# for this test: a front matter and one table with least- and higher-privileged columns.
INCLUDE_TABLE = """---
description: "Automatically generated file. DO NOT MODIFY"
ms.topic: include
---

|Permission type|Least privileged permissions|Higher privileged permissions|
|:---|:---|:---|
|Delegated (work or school account)|Calendars.ReadWrite|Not available.|
|Delegated (personal Microsoft account)|Calendars.ReadWrite|Not available.|
|Application|Calendars.ReadWrite|Not available.|
"""


def docs_tree(root: Path, *, with_include: bool) -> Path:
    """`api/event-cancel.md` (the beta page), and `includes/permissions/...` beside it if asked; the page."""
    page = root / "api" / "event-cancel.md"
    page.parent.mkdir(parents=True)
    shutil.copyfile(ENGLISH_BETA, page)
    if with_include:
        include = root / "includes" / "permissions" / "event-cancel-permissions.md"
        include.parent.mkdir(parents=True)
        include.write_text(INCLUDE_TABLE, encoding="utf-8")
    return page


def test_the_included_table_gives_the_permission_rows(tmp_path: Path) -> None:
    page = parse_page(docs_tree(tmp_path, with_include=True))
    rows = {row.kind: row.permissions for row in page.permissions}
    assert rows == {
        "delegated-work": ("Calendars.ReadWrite",),
        "delegated-personal": ("Calendars.ReadWrite",),
        "application": ("Calendars.ReadWrite",),
    }


def test_generate_reads_the_include_and_the_current_permissions_wording(tmp_path: Path) -> None:
    out = tmp_path / "beta.yaml"
    assert main(["generate", "--source", str(docs_tree(tmp_path, with_include=True)), "--out", str(out)]) == 0
    description = yaml.safe_load(out.read_text(encoding="utf-8"))
    operation = description["paths"]["/me/events/{event-id}/cancel"]["post"]
    assert "CANCEL-PERM-REQUIRED" in operation["x-requirements"]
    assert any("Calendars.ReadWrite" in scopes for item in operation["security"] for scopes in item.values())


def test_a_missing_include_fails_generation_naming_where_it_was_looked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = docs_tree(tmp_path, with_include=False)
    assert main(["generate", "--source", str(page), "--out", str(tmp_path / "beta.yaml")]) == 2
    said = capsys.readouterr().err
    assert "../includes/permissions/event-cancel-permissions.md" in said and "not beside the page" in said
    assert "Traceback" not in said
    assert not (tmp_path / "beta.yaml").exists()
