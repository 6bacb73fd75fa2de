"""`graph-conformance verify BUNDLE`: check a certification bundle offline and name what is wrong."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml

from conformance._yaml import safe_load
from conformance.outcomes import ExitCode
from conformance.report.bundle import (
    BUNDLE_FILES,
    CERTIFICATION,
    DIGESTS,
    JUNIT,
    MANIFEST,
    PRODUCT,
    SUITE_VERSION,
    parse_manifest,
    sha256_hex,
)
from conformance.report.certification import CERTIFICATION_PROFILE, validate_certification
from conformance.report.model import VERDICTS, aggregate_outcomes
from conformance.report.requirements import description_digests, load_requirements


def _check_files(bundle: Path) -> list[str]:
    """Files present, listed in the manifest, and matching their digests; no unlisted extras."""
    manifest_file = bundle / MANIFEST
    if not manifest_file.is_file():
        return [f"{MANIFEST} is missing: the bundle cannot be checked for alterations"]
    entries = parse_manifest(manifest_file.read_text(encoding="utf-8", errors="replace"))
    problems = [f"{MANIFEST}: malformed line {line!r}" for line, digest in entries.items() if not digest]
    for name in BUNDLE_FILES:
        file = bundle / name
        if not file.is_file():
            problems.append(f"{name} is missing")
        elif name not in entries:
            problems.append(f"{name} is not listed in {MANIFEST}")
        elif sha256_hex(file.read_bytes()) != entries[name]:
            problems.append(f"{name} was altered: its SHA-256 does not match {MANIFEST}")
    for name, digest in entries.items():
        if digest and name not in BUNDLE_FILES:
            problems.append(f"{MANIFEST} lists an unexpected file {name!r}")
    extras = sorted(path.name for path in bundle.iterdir() if path.name not in (*BUNDLE_FILES, MANIFEST))
    problems += [f"unexpected file {name!r} in the bundle" for name in extras]
    return problems


def _load(bundle: Path, name: str) -> Any:
    """Parse a bundle file (JSON or YAML); None when it is missing or unreadable."""
    file = bundle / name
    if not file.is_file():
        return None
    try:
        text = file.read_text(encoding="utf-8")
        return json.loads(text) if name.endswith(".json") else safe_load(text)
    except (ValueError, yaml.YAMLError):
        return None


def _check_doc_requirements(certification: dict[str, Any]) -> list[str]:
    """Every `doc` requirement present (when this suite has the same catalog) and passing."""
    problems: list[str] = []
    entries = {entry["id"]: entry for entry in certification["requirements"]}
    selected = {entry["action"] for entry in certification["actions"] if entry["selected"]}
    for entry in entries.values():
        if entry["level"] != "doc" or entry["verdict"] == "pass":
            continue
        if entry["verdict"] == "not-applicable" and entry["action"] not in selected:
            continue  # an action the product does not implement: certified without it, and says so
        if entry["verdict"] == "not-applicable" and entry["profile"] != CERTIFICATION_PROFILE:
            continue
        problems.append(f"doc requirement {entry['id']} is {entry['verdict']}")
    bundle_catalog = certification["digests"]["catalog"]["sha256"]
    if bundle_catalog and bundle_catalog == description_digests()["catalog"]["sha256"]:
        for requirement_id, info in load_requirements().items():
            if info.level == "doc" and requirement_id not in entries:
                problems.append(f"doc requirement {requirement_id} is absent from {CERTIFICATION}")
    elif not any(entry["level"] == "doc" for entry in entries.values()):
        problems.append(f"{CERTIFICATION} holds no doc requirement at all")
    return problems


def _check_actions(certification: dict[str, Any]) -> list[str]:
    """Each action's recorded verdict and counts are those of its requirements; at least one is selected."""
    problems: list[str] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in certification["requirements"]:
        groups.setdefault(entry["action"], []).append(entry)
    recorded = {entry["action"]: entry for entry in certification["actions"]}
    for action in sorted(set(groups) | set(recorded)):
        if action not in recorded:
            problems.append(f"action {action} has requirements but no verdict in {CERTIFICATION}'s actions")
            continue
        entry, rows = recorded[action], groups.get(action, [])
        verdict = aggregate_outcomes(row["verdict"] for row in rows)
        counts = {name: sum(row["verdict"] == name for row in rows) for name in VERDICTS}
        if not rows or entry["verdict"] != verdict or entry["all"] != counts:
            problems.append(
                f"action {action}: {CERTIFICATION} records {entry['verdict']} {entry['all']}, but its "
                f"requirements give {verdict} {counts}"
            )
    if not any(entry["selected"] for entry in certification["actions"]):
        problems.append(f"{CERTIFICATION} selects no action: nothing was certified")
    return problems


def _check_contents(bundle: Path) -> list[str]:
    """The files agree with each other, the schema, and the certification rules."""
    if not (bundle / CERTIFICATION).is_file():
        return []  # _check_files names it missing
    certification = _load(bundle, CERTIFICATION)
    if certification is None:
        return [f"{CERTIFICATION} is not valid JSON"]
    if not isinstance(certification, dict):
        return [f"{CERTIFICATION} is not a JSON object"]
    schema_problems = validate_certification(certification)
    if schema_problems:
        return [
            f"{CERTIFICATION} does not match certification.schema.json: {problem}"
            for problem in schema_problems[:10]
        ]
    problems: list[str] = []
    if certification["mode"] != "certification":
        problems.append(f"{CERTIFICATION} comes from a `{certification['mode']}` run, not a --certify run")
    if _load(bundle, PRODUCT) != certification["product"]:
        problems.append(f"{PRODUCT} differs from the product recorded in {CERTIFICATION}")
    version_file = bundle / SUITE_VERSION
    if (
        version_file.is_file()
        and version_file.read_text(encoding="utf-8").strip() != certification["suite_version"]
    ):
        problems.append(f"{SUITE_VERSION} differs from the suite version in {CERTIFICATION}")
    if _load(bundle, DIGESTS) != certification["digests"]:
        problems.append(f"{DIGESTS} differs from the digests recorded in {CERTIFICATION}")
    if certification["result"]["certified"] is not True:
        problems.append(f"{CERTIFICATION} records result.certified = {certification['result']['certified']}")
    problems += _check_actions(certification)
    problems += _check_doc_requirements(certification)
    problems += _check_junit(bundle, certification)
    return problems


def _check_junit(bundle: Path, certification: dict[str, Any]) -> list[str]:
    """junit.xml parses and shows no failing testcase for a requirement the certification calls passing."""
    try:
        root = ET.parse(bundle / JUNIT).getroot()
    except (ET.ParseError, OSError):
        return [f"{JUNIT} is not valid XML"]
    passing = {entry["id"] for entry in certification["requirements"] if entry["verdict"] == "pass"}
    failing = {case.get("name") for case in root.iter("testcase") if case.find("failure") is not None}
    return [f"{JUNIT} shows {name} failing, {CERTIFICATION} passing" for name in sorted(passing & failing)]


def verify_bundle(bundle: Path) -> list[str]:
    """Everything wrong with a bundle (empty when it is a valid, passing certification)."""
    return _check_files(bundle) + _check_contents(bundle)


def run_verify(bundle: str) -> int:
    """Check a bundle; print the verdict; 0 valid, 1 not valid, 2 usage error (no bundle directory)."""
    directory = Path(bundle)
    if not directory.is_dir():
        print(
            f"graph-conformance verify: error: {bundle!r} is not a directory; pass the bundle directory "
            "(reports/<run-id>/bundle)",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    if not (directory / CERTIFICATION).is_file():
        print(
            f"graph-conformance verify: error: {bundle!r} holds no {CERTIFICATION}; pass the bundle "
            "directory a --certify run wrote (reports/<run-id>/bundle)",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    problems = verify_bundle(directory)
    if problems:
        print(f"bundle {bundle} is NOT valid:")
        for problem in problems:
            print(f"  - {problem}")
        return ExitCode.NOT_CONFORMANT
    certification = _load(directory, CERTIFICATION)
    product = certification["product"]
    doc = certification["summary"]["doc"]
    actions = ", ".join(certification["target"]["actions"]) or "none"
    print(
        f"bundle {bundle} is valid: {product['name']} {product['version']} ({product['vendor']}) passes "
        f"{doc['pass']} doc requirements of {actions}; run {certification['run_id']}, "
        f"suite {certification['suite_version']}"
    )
    return ExitCode.CONFORMANT
