"""The product under certification (`--product product.yaml`): name, version, vendor, URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import yaml

from conformance._yaml import safe_load
from conformance.errors import TargetConfigError

EXAMPLE = "{name: Contoso Calendar Server, version: 2.4.1, vendor: Contoso Ltd., url: https://contoso.example.com}"

PRODUCT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "version", "vendor", "url"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S"},
        "version": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^\\s]+$"},
        "vendor": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S"},
        "url": {"type": "string", "pattern": "^https?://[^\\s/]+[^\\s]*$"},
        "contact": {"type": "string"},
        "notes": {"type": "string"},
    },
}


def load_product(path: str) -> dict[str, str]:
    """Read and validate a product file; a problem names the file, the field and the fix."""
    file = Path(path)
    try:
        document = safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise TargetConfigError(f"--product {path}: cannot be read ({error})") from error
    if isinstance(document, dict) and isinstance(document.get("version"), int | float):
        document["version"] = str(document["version"])  # `version: 2.4` is a float to YAML
    errors = sorted(jsonschema.Draft202012Validator(PRODUCT_SCHEMA).iter_errors(document), key=str)
    if errors:
        problems = "; ".join(
            (f"field '{'.'.join(map(str, error.absolute_path))}': " if error.absolute_path else "")
            + error.message
            for error in errors[:5]
        )
        raise TargetConfigError(f"--product {path}: {problems}. Expected the form (YAML): {EXAMPLE}")
    return {key: str(value) for key, value in document.items()}
