"""Every `graph` requirement names a public source, and its evidence text ships in openapi/ (the package)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance._paths import openapi_dir, repo_root
from conformance.errors import SpecParseError
from conformance.spec import generate
from conformance.spec.catalog import load_catalog, read_catalog
from conformance.spec.evidence import EVIDENCE_FILE, graph_evidence
from conformance.spec.overlays import ACTIONS_DIR, COMMON_FILE

PUBLIC_URL = re.compile(r"^https://(learn\.microsoft\.com/|github\.com/[^/]+/[^/]+/(issues|pull)/\d+$)")
GRAPH_IDS = [rid for rid, requirement in load_catalog().items() if requirement.level == "graph"]


def _evidence_text() -> str:
    return (openapi_dir() / EVIDENCE_FILE).read_text(encoding="utf-8")


def _section(anchor: str) -> str:
    """The evidence file's entry under `anchor` (up to the next entry)."""
    return _evidence_text().split(f'<a name="{anchor}"></a>', 1)[1].split("\n## ", 1)[0]


def test_there_are_graph_requirements_to_check() -> None:
    assert len(GRAPH_IDS) >= 20


@pytest.mark.parametrize("requirement_id", GRAPH_IDS)
def test_graph_source_is_a_public_url_or_a_shipped_file(requirement_id: str) -> None:
    source = load_catalog()[requirement_id].source
    assert PUBLIC_URL.match(source) or (openapi_dir() / source).is_file(), source


@pytest.mark.parametrize("requirement_id", GRAPH_IDS)
def test_graph_evidence_is_in_the_shipped_file_with_its_source(requirement_id: str) -> None:
    requirement = load_catalog()[requirement_id]
    file_name, _, anchor = requirement.evidence.partition("#")
    assert file_name == EVIDENCE_FILE and (openapi_dir() / file_name).is_file()
    section = _section(anchor)
    assert section.startswith(requirement_id)
    assert requirement.sentence in section and f"<{requirement.source}>" in section
    assert "**Basis: " in section and "Sources:" in section


def test_no_catalog_row_overlay_or_evidence_names_graph_facts() -> None:
    sources = [requirement.source for requirement in load_catalog().values()]
    assert not [source for source in sources if "GRAPH-FACTS" in source]
    for text in (
        (openapi_dir() / "requirements.yaml").read_text(encoding="utf-8"),
        _evidence_text(),
        *(path.read_text(encoding="utf-8") for path in (*ACTIONS_DIR.glob("*.yaml"), COMMON_FILE)),
    ):
        assert "GRAPH-FACTS" not in text


def test_evidence_file_is_fresh_and_in_the_wheel() -> None:
    assert _evidence_text() == generate.evidence_text()
    pyproject = tomllib.loads((repo_root() / "pyproject.toml").read_text(encoding="utf-8"))
    force_include = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert force_include["openapi"] == "conformance/_data/openapi"


def test_unsettled_answers_are_accepted_in_every_likely_form() -> None:
    catalog = load_catalog()
    other_methods = catalog["GRAPH-405-OTHER-METHODS"]
    assert "400 or 405" in other_methods.sentence and "400 or 405" in other_methods.check
    second_cancel = catalog["GRAPH-SECOND-CANCEL-4XX"]
    assert "any 4xx" in second_cancel.sentence and "any 4xx" in second_cancel.check
    assert "effect is observed" in second_cancel.check and "not-verified" in second_cancel.check
    for requirement_id in ("GRAPH-405-OTHER-METHODS", "GRAPH-SECOND-CANCEL-4XX"):
        assert "**Basis: inferred.**" in _section(requirement_id.lower())


def _graph_entry(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "GRAPH-X",
        "sentence": "s",
        "check": "c",
        "basis": "observed",
        "evidence": [{"url": "https://github.com/o/r/issues/1", "says": "it shows"}],
    }
    return {**entry, **changes}


@pytest.mark.parametrize(
    "changes",
    [
        {"basis": "folklore"},
        {"evidence": []},
        {"evidence": [{"url": "GRAPH-FACTS.md", "says": "x"}]},
        {"evidence": [{"url": "http://learn.microsoft.com/en-us/graph/errors", "says": "x"}]},
        {"evidence": [{"url": "https://github.com/o/r/blob/main/README.md", "says": "x"}]},
        {"evidence": [{"url": "https://github.com/o/r/issues/1", "says": " "}]},
    ],
    ids=["basis", "no-evidence", "file-name", "http", "not-an-issue", "says-nothing"],
)
def test_graph_entry_without_public_evidence_is_one_clear_error(changes: dict[str, Any]) -> None:
    with pytest.raises(SpecParseError) as raised:
        graph_evidence(_graph_entry(**changes), "overlay.yaml")
    assert "GRAPH-X" in str(raised.value) and "\n" not in str(raised.value)


def test_a_catalog_without_the_evidence_field_is_still_read(tmp_path: Path) -> None:
    document = yaml.safe_load((openapi_dir() / "requirements.yaml").read_text(encoding="utf-8"))
    for row in document["requirements"]:
        row.pop("evidence")
    older = tmp_path / "requirements.yaml"
    older.write_text(yaml.safe_dump(document), encoding="utf-8")
    catalog = read_catalog(older)
    assert list(catalog) == list(load_catalog())
    assert catalog["GRAPH-404-UNKNOWN-ID"].evidence == ""
