"""Certification runs: product validation, no deselection, the bundle, and `graph-conformance verify`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.report.bundle import MANIFEST, render_manifest
from conformance.report.product import load_product
from tests.report._inner_project import PRODUCT_YAML, InnerProject, certification_of, run_dir_of
from tests.report._refusals import refusal

pytest_plugins = ["pytester"]

CERTIFIABLE_ROWS = [
    ("TEST-PASS-ONE", "doc", "core", "The action returns 202 Accepted."),
    ("TEST-NA-ONE", "doc", "groups", "POST /groups/{id}/events/{id}/cancel"),
    ("TEST-MIXED", "doc", "core", "One case passes, one is not applicable."),
    (
        "TEST-NOCASE",
        "graph",
        "core",
        "A convention no case checks (graph level does not block certification).",
    ),
]


def _certify(pytester: pytest.Pytester, *extra: str) -> pytest.RunResult:
    (pytester.path / "product.yaml").write_text(PRODUCT_YAML, encoding="utf-8")
    return pytester.runpytest("--certify", "--product", "product.yaml", *extra)


def _verify(bundle: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["verify", str(bundle)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def certified_bundle(inner_project: InnerProject) -> Path:
    """A passing certification run's bundle."""
    pytester = inner_project(failing=False, rows=CERTIFIABLE_ROWS)
    result = _certify(pytester)
    assert result.ret == 0, result.stdout.str()
    return run_dir_of(pytester.path) / "bundle"


def test_passing_certification_writes_a_bundle_that_verifies(
    certified_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sorted(path.name for path in certified_bundle.iterdir()) == [
        MANIFEST,
        "certification.json",
        "digests.json",
        "junit.xml",
        "product.yaml",
        "suite-version.txt",
    ]
    document = json.loads((certified_bundle / "certification.json").read_text(encoding="utf-8"))
    assert document["mode"] == "certification" and document["result"]["certified"] is True
    assert document["product"]["vendor"] == "Contoso Ltd."
    assert len(document["digests"]["catalog"]["sha256"]) == 64
    code, output = _verify(certified_bundle, capsys)
    assert code == 0, output
    assert "is valid: Contoso Calendar 2.4.1" in output


def _edit_certification(bundle: Path) -> None:
    path = bundle / "certification.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"pass"', '"fail"', 1), encoding="utf-8")


def _edit_product_and_manifest(bundle: Path) -> None:
    (bundle / "product.yaml").write_text(PRODUCT_YAML.replace("2.4.1", "3.0.0"), encoding="utf-8")
    (bundle / MANIFEST).write_text(render_manifest(bundle), encoding="utf-8")


def _swap_files(bundle: Path) -> None:
    (bundle / "junit.xml").unlink()
    (bundle / "extra.txt").write_text("x", encoding="utf-8")


TAMPERINGS: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "hand-edited-certification": (_edit_certification, ["certification.json was altered"]),
    "recomputed-manifest": (
        _edit_product_and_manifest,
        ["product.yaml differs from the product recorded in certification.json"],
    ),
    "missing-and-unexpected-files": (_swap_files, ["junit.xml is missing", "unexpected file 'extra.txt'"]),
}


@pytest.mark.parametrize("tamper, messages", TAMPERINGS.values(), ids=TAMPERINGS.keys())
def test_a_tampered_bundle_does_not_verify_and_the_problem_is_named(
    certified_bundle: Path,
    capsys: pytest.CaptureFixture[str],
    tamper: Callable[[Path], None],
    messages: list[str],
) -> None:
    tamper(certified_bundle)
    code, output = _verify(certified_bundle, capsys)
    assert code == 1
    assert all(message in output for message in messages), output


def test_verify_of_a_non_directory_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = _verify(tmp_path / "nope", capsys)
    assert code == 2 and "is not a directory" in output


def test_verify_of_a_folder_without_certification_json_names_the_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "junit.xml").write_text("<testsuites/>", encoding="utf-8")
    code, output = _verify(tmp_path, capsys)
    assert code == 2
    assert output.count("\n") == 1 and "holds no certification.json" in output, output
    assert "not a JSON object" not in output


def test_unparseable_certification_json_is_named_as_such(
    certified_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (certified_bundle / "certification.json").write_text("{not json", encoding="utf-8")
    code, output = _verify(certified_bundle, capsys)
    assert code == 1 and "certification.json is not valid JSON" in output


def test_failing_certification_exits_1_and_its_bundle_does_not_verify(
    inner_project: InnerProject, capsys: pytest.CaptureFixture[str]
) -> None:
    pytester = inner_project()
    result = _certify(pytester)
    assert result.ret == 1
    problems = certification_of(pytester.path)["result"]["problems"]
    assert "TEST-FAIL-ONE: fail (a documented requirement)" in problems
    assert not any("TEST-NV-ONE" in problem for problem in problems)  # graph level: reported, not blocking
    code, output = _verify(run_dir_of(pytester.path) / "bundle", capsys)
    assert code == 1
    assert "doc requirement TEST-FAIL-ONE is fail" in output and "result.certified = False" in output


def test_core_profile_cannot_be_not_applicable_in_a_certification(inner_project: InnerProject) -> None:
    rows = [*CERTIFIABLE_ROWS, ("TEST-CORE-NA", "doc", "core", "A core requirement.")]
    pytester = inner_project(failing=False, rows=rows)
    pytester.makepyfile(
        test_core_na=(
            "import pytest\nfrom conformance.outcomes import not_applicable\n"
            "@pytest.mark.requirement('TEST-CORE-NA')\n"
            "def test_core():\n    not_applicable('declared unsupported')\n"
        )
    )
    assert _certify(pytester).ret == 1
    assert "cannot be declared unsupported" in certification_of(pytester.path)["result"]["problems"][0]


@pytest.mark.parametrize(
    "option",
    [["-k", "passes"], ["-m", "requirement"], ["--deselect", "x.py::t"]],
    ids=["-k", "-m", "--deselect"],
)
def test_certification_refuses_deselection(inner_project: InnerProject, option: list[str]) -> None:
    pytester = inner_project(failing=False, rows=CERTIFIABLE_ROWS)
    (pytester.path / "product.yaml").write_text(PRODUCT_YAML, encoding="utf-8")
    result = pytester.runpytest_subprocess(
        "--certify", "--product", "product.yaml", *option, timeout=60
    )
    assert result.ret == 2
    result.stderr.fnmatch_lines([f"*--certify runs every doc requirement; {option[0]} would deselect some*"])
    assert not (pytester.path / "reports").exists()


def test_certification_without_product_is_a_usage_error(inner_project: InnerProject) -> None:
    pytester = inner_project(failing=False)
    result = pytester.runpytest_subprocess("--certify", timeout=60)
    assert result.ret == 2
    result.stderr.fnmatch_lines(["*--certify needs --product product.yaml*"])


BAD_PRODUCTS = {
    "missing-vendor": ("name: X\nversion: '1'\nurl: https://x.example\n", "'vendor' is a required property"),
    "bad-url": ("name: X\nversion: '1'\nvendor: V\nurl: contoso.example\n", "field 'url'"),
    "unknown-key": ("name: X\nversion: '1'\nvendor: V\nurl: https://x.example\ncolour: red\n", "'colour'"),
    "not-yaml": ("name: [\n", "cannot be read"),
}


@pytest.mark.parametrize("text, message", BAD_PRODUCTS.values(), ids=BAD_PRODUCTS.keys())
def test_product_file_errors_name_the_field(tmp_path: Path, text: str, message: str) -> None:
    assert message in refusal(load_product, tmp_path / "product.yaml", text, "--product")


def test_numeric_version_is_accepted_as_text(tmp_path: Path) -> None:
    path = tmp_path / "product.yaml"
    path.write_text("name: X\nversion: 2.4\nvendor: V\nurl: https://x.example\n", encoding="utf-8")
    assert load_product(str(path))["version"] == "2.4"
