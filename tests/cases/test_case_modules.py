"""Hand-written cases need only the toolkit: no private helper modules, nothing of the reference server."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CASES_DIR = Path(__file__).resolve().parents[2] / "conformance" / "cases"
TOOLKIT = "conformance.cases.toolkit"
# the Schemathesis cases have modules of their own; every other case module is written with the toolkit
HAND_WRITTEN = sorted(path for path in CASES_DIR.glob("test_*.py") if "schemathesis" not in path.name)


def imported_modules(source: str) -> list[str]:
    """The modules a Python source imports from (`import a.b` and `from a.b import c` both give `a.b`)."""
    modules: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
    return modules


def forbidden_imports(source: str) -> list[str]:
    """Imports a case module must not have: the reference server, or case helpers besides the toolkit."""
    return [
        module
        for module in imported_modules(source)
        if module.startswith("conformance.reference")
        or (module.startswith("conformance.cases") and not module.startswith(TOOLKIT))
    ]


def test_there_are_hand_written_cases() -> None:
    assert len(HAND_WRITTEN) >= 6, [path.name for path in HAND_WRITTEN]


@pytest.mark.parametrize("path", HAND_WRITTEN, ids=[path.name for path in HAND_WRITTEN])
def test_a_case_module_imports_the_toolkit_and_no_other_case_helper(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert TOOLKIT in imported_modules(source), f"{path.name} does not use {TOOLKIT}"
    assert not forbidden_imports(source), f"{path.name} imports {forbidden_imports(source)}"


def test_the_toolkit_does_not_import_the_reference_server() -> None:
    for path in sorted((CASES_DIR / "toolkit").glob("*.py")):
        modules = imported_modules(path.read_text(encoding="utf-8"))
        assert not [module for module in modules if module.startswith("conformance.reference")], path.name


def test_the_import_check_catches_private_helpers_and_the_reference_server() -> None:
    source = (
        "from conformance.cases._expect import expect\n"
        "import conformance.reference.app\n"
        "from conformance.cases.toolkit import expect\n"
        "from conformance.cases.toolkit.checks import poll\n"
        "from conformance.target.client import Graph\n"
    )
    assert forbidden_imports(source) == ["conformance.cases._expect", "conformance.reference.app"]
