"""The test tree mirrors the package; one import style: packages, no sys.path edits, no conftest imports."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
PACKAGE_DIR = REPO_ROOT / "conformance"
CHECKED_DIRS = (TESTS_DIR, REPO_ROOT / "bench")  # the project's tests and the benchmarks
LAYERS = ("spec", "target", "cases", "report", "reference")
# files known to break the import style, each with its fix; the test below fails when an entry goes stale
KNOWN_PROBLEMS: dict[str, str] = {}


def python_files(folder: Path) -> list[Path]:
    """The Python files below a folder (caches left out)."""
    return [path for path in sorted(folder.rglob("*.py")) if "__pycache__" not in path.parts]


HELPER_NAMES = frozenset(path.stem for path in python_files(TESTS_DIR) if path.stem.startswith("_"))


def imported_modules(tree: ast.AST) -> Iterator[str]:
    """The absolute module names a module imports (`from x import y` gives x and x.y)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def sys_path_edits(tree: ast.AST) -> Iterator[int]:
    """Line numbers of calls on sys.path (insert, append, extend, ...)."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        if (isinstance(owner, ast.Attribute) and owner.attr == "path"
                and isinstance(owner.value, ast.Name) and owner.value.id == "sys"):
            yield node.lineno


def import_problems(source: str, where: str) -> list[str]:
    """What in one module's source breaks the import style (empty when nothing does)."""
    tree = ast.parse(source, filename=where)
    problems = [f"{where}:{line}: edits sys.path" for line in sys_path_edits(tree)]
    for module in imported_modules(tree):
        last = module.rsplit(".", 1)[-1]
        if last == "conftest":
            problems.append(f"{where}: imports a conftest ({module}); shared helpers live in a _module")
        elif module.startswith("tests.") and last.startswith("test_"):
            problems.append(f"{where}: imports a test module ({module}); shared helpers live in a _module")
        elif module in HELPER_NAMES:
            problems.append(f"{where}: imports {module} by bare name; import it as tests.<package>.{module}")
    return problems


def test_tests_and_benchmarks_import_as_packages_without_sys_path_edits_or_conftest_imports() -> None:
    problems: dict[str, list[str]] = {}
    for path in (path for folder in CHECKED_DIRS for path in python_files(folder)):
        where = str(path.relative_to(REPO_ROOT))
        problems[where] = import_problems(path.read_text(encoding="utf-8"), where)
    new = [problem for where, found in problems.items() if where not in KNOWN_PROBLEMS for problem in found]
    assert not new, "\n".join(new)
    stale = sorted(where for where in KNOWN_PROBLEMS if not problems.get(where))
    assert not stale, f"fixed (or gone), remove from KNOWN_PROBLEMS: {stale}"


def test_every_folder_of_tests_holding_python_is_a_package() -> None:
    folders = {path.parent for path in python_files(TESTS_DIR)}
    missing = sorted(str(folder.relative_to(REPO_ROOT)) for folder in folders
                     if not (folder / "__init__.py").exists())
    assert not missing, f"folders without __init__.py (the tests import as packages): {missing}"


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_of_the_package_has_its_test_package(layer: str) -> None:
    assert (PACKAGE_DIR / layer / "__init__.py").exists(), f"conformance/{layer} is gone: update LAYERS"
    assert (TESTS_DIR / layer / "__init__.py").exists(), f"conformance/{layer} has no tests/{layer} package"


FORBIDDEN = {
    "sys-path": ("import sys\nsys.path.insert(0, 'x')\n", "edits sys.path"),
    "conftest": ("from tests.target.conftest import Gaps\n", "imports a conftest"),
    "test-module": ("from tests.cases.test_toolkit import statuses\n", "imports a test module"),
    "bare-helper": ("from _inner_run import REPO_ROOT\n", "by bare name"),
}


@pytest.mark.parametrize(("source", "expected"), list(FORBIDDEN.values()), ids=list(FORBIDDEN))
def test_the_import_check_catches_each_style_it_forbids(source: str, expected: str) -> None:
    problems = import_problems(source, "probe.py")
    assert any(expected in problem for problem in problems), problems
