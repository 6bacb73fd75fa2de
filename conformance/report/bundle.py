"""The certification bundle (`reports/<run-id>/bundle/`): evidence files plus a SHA-256 manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from conformance.target.redact import redact_text

MANIFEST = "MANIFEST.sha256"
PRODUCT = "product.yaml"
CERTIFICATION = "certification.json"
JUNIT = "junit.xml"
SUITE_VERSION = "suite-version.txt"
DIGESTS = "digests.json"
BUNDLE_FILES = (PRODUCT, CERTIFICATION, JUNIT, SUITE_VERSION, DIGESTS)


def sha256_hex(data: bytes) -> str:
    """The SHA-256 hex digest of some bytes."""
    return hashlib.sha256(data).hexdigest()


def render_manifest(directory: Path, names: tuple[str, ...] = BUNDLE_FILES) -> str:
    """A `sha256sum`-compatible manifest of the named files (`sha256sum -c MANIFEST.sha256` checks it)."""
    return "".join(f"{sha256_hex((directory / name).read_bytes())}  {name}\n" for name in sorted(names))


def parse_manifest(text: str) -> dict[str, str]:
    """File name -> digest from a manifest; malformed lines are returned under their text with digest ''."""
    entries: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        digest, separator, name = line.partition("  ")
        if not separator or len(digest) != 64:
            entries[line] = ""
            continue
        entries[name.lstrip("*")] = digest.lower()
    return entries


def write_bundle(
    directory: Path,
    *,
    product: dict[str, str],
    certification: dict[str, Any],
    junit_xml: str,
    suite_version: str,
    digests: dict[str, Any],
) -> Path:
    """Write the bundle files and their manifest into `directory`; return the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    contents = {
        PRODUCT: yaml.safe_dump(product, sort_keys=False, allow_unicode=True),
        CERTIFICATION: json.dumps(certification, indent=2, ensure_ascii=False) + "\n",
        JUNIT: junit_xml,
        SUITE_VERSION: suite_version.strip() + "\n",
        DIGESTS: json.dumps(digests, indent=2, sort_keys=True) + "\n",
    }
    for name, text in contents.items():
        (directory / name).write_text(redact_text(text), encoding="utf-8")
    (directory / MANIFEST).write_text(render_manifest(directory), encoding="utf-8")
    return directory
