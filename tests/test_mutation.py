"""`make mutation`'s bookkeeping: the equivalents list parses, and each entry still names code that exists."""

from __future__ import annotations

import ast
import tomllib

import pytest

from tests.mutation import (
    EQUIVALENTS,
    REPO_ROOT,
    Change,
    Equivalent,
    change_of,
    function_of,
    parse_equivalents,
)


def function_lines(function: str) -> list[str] | None:
    """The whitespace-trimmed source lines of `module.function` (or `module.Class.method`), None if absent."""
    parts = function.split(".")
    for split in (len(parts) - 1, len(parts) - 2):
        path = REPO_ROOT.joinpath(*parts[:split]).with_suffix(".py")
        if split < 1 or not path.exists():
            continue
        source = path.read_text(encoding="utf-8")
        scope: list[ast.stmt] = ast.parse(source).body
        for name in parts[split:-1]:
            owner = next((n for n in scope if isinstance(n, ast.ClassDef) and n.name == name), None)
            scope = owner.body if owner is not None else []
        found = next((n for n in scope if isinstance(n, ast.FunctionDef) and n.name == parts[-1]), None)
        if found is not None:
            return [line.strip() for line in (ast.get_source_segment(source, found) or "").splitlines()]
    return None


EQUIVALENT_ENTRIES = parse_equivalents(EQUIVALENTS.read_text(encoding="utf-8"))


def test_each_listed_equivalent_says_why_once() -> None:
    assert all(len(entry.why) > 20 for entry in EQUIVALENT_ENTRIES)
    changes = [entry.change for entry in EQUIVALENT_ENTRIES]
    assert len(set(changes)) == len(changes), "an equivalent is listed twice"


@pytest.mark.parametrize("entry", EQUIVALENT_ENTRIES, ids=lambda entry: entry.change.function.split(".")[-1])
def test_each_listed_equivalent_still_names_existing_code(entry: Equivalent) -> None:
    change = entry.change
    lines = function_lines(change.function)
    assert lines is not None, f"{change.function} no longer exists: remove or re-key its entry"
    missing = [line for line in change.removed if line not in lines]
    assert not missing, f"{change.function} no longer holds {missing}: the mutant is gone, re-check the entry"


def test_every_listed_function_is_in_a_module_mutmut_mutates() -> None:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    modules = {path.removesuffix(".py").replace("/", ".") for path in config["only_mutate"]}
    for entry in EQUIVALENT_ENTRIES:
        function = entry.change.function
        assert any(function.startswith(f"{module}.") for module in modules), function
    for selection in config["pytest_add_cli_args_test_selection"]:
        assert (REPO_ROOT / selection).exists(), f"[tool.mutmut] selects {selection}, which does not exist"
        assert selection.startswith("tests/"), "the mutants run against (a part of) what `make test` runs"


def test_mutant_names_map_to_their_functions_whatever_their_number() -> None:
    assert function_of("conformance.report.model.x_build_verdicts__mutmut_3") == (
        "conformance.report.model.build_verdicts")
    assert function_of("conformance.cases.generated._family.x__only_flaw__mutmut_12") == (
        "conformance.cases.generated._family._only_flaw")
    assert function_of("conformance.report.model.xǁRunResultǁheadline__mutmut_1") == (
        "conformance.report.model.RunResult.headline")
    assert function_of("conformance.report.collect.xǁResultCollectorǁ__init____mutmut_4") == (
        "conformance.report.collect.ResultCollector.__init__")
    assert function_of("conformance.report.collect.xǁResultCollectorǁ_fold_outcome__mutmut_2") == (
        "conformance.report.collect.ResultCollector._fold_outcome")


def test_a_change_is_the_trimmed_lines_a_diff_removes_and_adds() -> None:
    diff = ("--- a.py\n+++ a.py\n@@ -1,3 +1,2 @@\n     keep\n-        response,\n-    )\n+        )\n")
    assert change_of("m.f", diff) == Change("m.f", ("response,", ")"), (")",))


def test_an_entry_needs_its_lines_and_a_reason() -> None:
    text = "# title\n\n### `m.f`\n- from: `a == 1`\n- to: ``b = `x` ``\n- why: because\n"
    [entry] = parse_equivalents(text)
    assert entry.change == Change("m.f", ("a == 1",), ("b = `x`",)) and entry.why == "because"
    with pytest.raises(ValueError, match=r"line 1: the entry for m.f needs"):
        parse_equivalents("### m.f\n- from: x\n")
    assert len(parse_equivalents(text + "\n## Notes\n\nFree text after the entries.\n")) == 1
    with pytest.raises(ValueError, match=r"line 2: expected `- from:`"):
        parse_equivalents("### m.f\nstray text\n")
