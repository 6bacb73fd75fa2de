"""docs/TROUBLESHOOTING.md cannot drift: every error text the suite can print appears in it.

The error texts are read from the source: each `raise` of a ConformanceError (TargetConfigError,
TargetUnreachable, TokenError, ...), each usage refusal (`refuse`, `_usage_error`, `pytest.exit`, a command's
`error: ...` line) and the configuration check's message catalog (conformance/target/checkup.py, urls.py).
Of each message the longest literal fragment (the words between its placeholders) must be in the page.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PAGE = REPO_ROOT / "docs" / "TROUBLESHOOTING.md"
SCANNED = ("conformance/target", "conformance/pytest_plugin", "conformance/report", "conformance/cases",
           "conformance/cli.py", "conformance/reference/serve.py")
ERRORS = {"TargetConfigError", "TargetUnreachable", "TokenError", "ConformanceError", "BundleError",
          "UsageError"}
REFUSALS = {"refuse", "_usage_error", "exit", "error"}
CATALOGS = ("conformance/target/checkup.py", "conformance/target/urls.py")
MIN_FRAGMENT = 12


def fragments_of(node: ast.AST, constants: dict[str, str]) -> list[str]:
    """The literal pieces of a message expression (f-string parts, `CONSTANT.format(...)`, plain strings)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.split(r"\{[^}]*\}", node.value)
    if isinstance(node, ast.JoinedStr):
        parts = [part.value for part in node.values if isinstance(part, ast.Constant)]
        return [part for part in parts if isinstance(part, str)]
    if isinstance(node, ast.BinOp):
        return fragments_of(node.left, constants) + fragments_of(node.right, constants)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        target = node.func.value
        if isinstance(target, ast.Name) and target.id in constants:
            return re.split(r"\{[^}]*\}", constants[target.id])
    return []


def longest(pieces: list[str]) -> str:
    return max((piece.strip(" ;:,.()'\"") for piece in pieces), key=len, default="")


def module_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level string constants (implicit concatenation included)."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                found[node.targets[0].id] = node.value.value
    return found


def messages() -> Iterator[tuple[str, str]]:
    """(where, the longest literal fragment) of every error text in the scanned source."""
    files: list[Path] = []
    for name in SCANNED:
        path = REPO_ROOT / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = module_constants(tree)
        where = str(path.relative_to(REPO_ROOT))
        for node in ast.walk(tree):
            message: ast.AST | None = None
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                func = node.exc.func
                if isinstance(func, ast.Name) and func.id in ERRORS:
                    message = node.exc.args[0]
            elif isinstance(node, ast.Call) and node.args:
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in REFUSALS and not (name == "exit" and not _is_pytest_exit(func)):
                    message = node.args[0]
            if message is not None:
                fragment = longest(fragments_of(message, constants))
                if len(fragment) >= MIN_FRAGMENT:
                    yield f"{where}:{getattr(node, 'lineno', 0)}", fragment
        if where in CATALOGS:
            for name, value in constants.items():
                fragment = longest(re.split(r"\{[^}]*\}", value))
                if len(fragment) >= MIN_FRAGMENT and name.isupper():
                    yield f"{where}:{name}", fragment


def _is_pytest_exit(func: ast.AST) -> bool:
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "pytest"


def test_every_error_the_suite_prints_is_in_the_troubleshooting_page() -> None:
    page = " ".join(PAGE.read_text(encoding="utf-8").split())
    found = list(messages())
    assert len(found) > 30  # the scan sees the error texts
    missing = [f"{where}: {fragment!r}" for where, fragment in found
               if " ".join(fragment.split()) not in page]
    assert not missing, "add these error texts (with their cause and fix) to docs/TROUBLESHOOTING.md:\n" + (
        "\n".join(missing)
    )
