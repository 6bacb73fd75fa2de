"""Every catalog requirement has a conformance case, and every case names catalog requirements only."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conformance.spec.catalog import load_catalog

REPO_ROOT = Path(__file__).resolve().parents[2]
CASES_DIR = REPO_ROOT / "conformance" / "cases"
COLLECT_TIMEOUT_S = 120

# A child pytest that only collects, and writes {node id: [requirement ids]} (null: no `requirement` mark).
_COLLECTOR = textwrap.dedent(
    """
    import json, sys
    import pytest

    class MarkCollector:
        def __init__(self):
            self.marks = {}

        def pytest_collection_finish(self, session):
            for item in session.items:
                found = list(item.iter_markers("requirement"))
                self.marks[item.nodeid] = None if not found else [str(i) for m in found for i in m.args]

    collector = MarkCollector()
    code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "-p", "no:graph_conformance_report",
                        *sys.argv[2:]], plugins=[collector])
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump({"exit": int(code), "marks": collector.marks}, out)
    """
)


def collect_requirement_marks(paths: list[Path], out_file: Path) -> dict[str, list[str] | None]:
    """Collect `paths` in a child pytest; each test's requirement ids (None when it has no mark)."""
    completed = subprocess.run(
        [sys.executable, "-c", _COLLECTOR, str(out_file), *map(str, paths)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=COLLECT_TIMEOUT_S,
        check=False,
    )
    if not out_file.exists():
        output = completed.stdout[-3000:] + completed.stderr[-3000:]
        pytest.fail(f"the collecting child pytest wrote nothing:\n{output}")
    result = json.loads(out_file.read_text(encoding="utf-8"))
    if result["exit"] != 0:
        pytest.fail(
            f"collecting {', '.join(map(str, paths))} failed (exit {result['exit']}):\n"
            f"{completed.stdout[-3000:]}"
        )
    marks: dict[str, list[str] | None] = result["marks"]
    return marks


def uncovered(catalog_ids: list[str], marks: dict[str, list[str] | None]) -> list[str]:
    """Catalog ids that no collected case names."""
    named = {requirement_id for ids in marks.values() for requirement_id in ids or []}
    return [requirement_id for requirement_id in catalog_ids if requirement_id not in named]


def unmarked(marks: dict[str, list[str] | None]) -> list[str]:
    """Cases with no `requirement` mark, or a mark naming no id."""
    return sorted(node_id for node_id, ids in marks.items() if not ids)


def unknown(catalog_ids: list[str], marks: dict[str, list[str] | None]) -> dict[str, list[str]]:
    """Cases naming ids the catalog does not have: node id -> those ids."""
    known = set(catalog_ids)
    found = {node_id: [i for i in ids or [] if i not in known] for node_id, ids in marks.items()}
    return {node_id: ids for node_id, ids in sorted(found.items()) if ids}


@pytest.fixture(scope="module")
def suite_marks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str] | None]:
    """The requirement marks of every collected case of conformance/cases (Schemathesis cases included)."""
    marks = collect_requirement_marks([CASES_DIR], tmp_path_factory.mktemp("collect") / "marks.json")
    assert marks, "conformance/cases collected no case at all"
    return marks


@pytest.fixture(scope="module")
def catalog_ids() -> list[str]:
    """The ids of the generated requirement catalog, in file order."""
    return list(load_catalog())


def test_every_catalog_requirement_has_a_case(
    catalog_ids: list[str], suite_marks: dict[str, list[str] | None]
) -> None:
    missing = uncovered(catalog_ids, suite_marks)
    assert not missing, f"catalog requirements without any conformance case: {', '.join(missing)}"


def test_every_case_names_a_requirement(suite_marks: dict[str, list[str] | None]) -> None:
    bare = unmarked(suite_marks)
    assert not bare, "cases without @pytest.mark.requirement(...): " + ", ".join(bare)


def test_every_named_requirement_is_in_the_catalog(
    catalog_ids: list[str], suite_marks: dict[str, list[str] | None]
) -> None:
    strays = unknown(catalog_ids, suite_marks)
    assert not strays, f"cases naming ids that are not in openapi/requirements.yaml: {strays}"


def test_the_checks_catch_an_uncovered_id_an_unmarked_case_and_an_unknown_id(tmp_path: Path) -> None:
    """The three checks above on a small case file with each defect (so they can fail)."""
    case_file = tmp_path / "test_defects.py"
    case_file.write_text(
        textwrap.dedent(
            """
        import pytest

        @pytest.mark.requirement("KNOWN-A")
        def test_marked(): pass

        def test_unmarked(): pass

        @pytest.mark.requirement("NOT-IN-CATALOG")
        def test_stray(): pass

        @pytest.mark.parametrize("x", [pytest.param(1, marks=pytest.mark.requirement("KNOWN-B"), id="one"),
                                       pytest.param(2, id="two")])
        def test_param(x): pass
        """
        ),
        encoding="utf-8",
    )
    marks = collect_requirement_marks([case_file], tmp_path / "marks.json")
    ids = ["KNOWN-A", "KNOWN-B", "KNOWN-C"]
    assert uncovered(ids, marks) == ["KNOWN-C"]
    assert [node_id.rsplit("::", 1)[-1] for node_id in unmarked(marks)] == [
        "test_param[two]",
        "test_unmarked",
    ]
    assert [ids_ for ids_ in unknown(ids, marks).values()] == [["NOT-IN-CATALOG"]]
