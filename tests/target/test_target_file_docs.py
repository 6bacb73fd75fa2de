"""docs/TARGET-FILE.md's worked examples are target files the suite accepts, with every key it documents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conformance.target.config import target_from_document
from conformance.target.safety import check_safe_to_run

PAGE = Path(__file__).resolve().parents[2] / "docs" / "TARGET-FILE.md"
EXAMPLES = re.findall(r"```yaml\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("text", EXAMPLES, ids=[f"example-{n + 1}" for n in range(len(EXAMPLES))])
def test_each_worked_example_is_a_valid_target_file(text: str) -> None:
    document = yaml.safe_load(text)
    variables = set(re.findall(r"_env: (\w+)", text))
    environ = dict.fromkeys(variables, "s3cret")
    target = target_from_document(document, source="TARGET-FILE.md", environ=environ)
    check_safe_to_run(target)  # remote, and it names the attendees
    assert target.is_remote and target.attendee_roles and "application" in target.identities


def test_every_top_level_and_identity_key_is_documented() -> None:
    schema = yaml.safe_load((Path(__file__).resolve().parents[2] / "conformance/target/target.schema.json")
                            .read_text(encoding="utf-8"))
    page = PAGE.read_text(encoding="utf-8")
    keys = list(schema["properties"]) + [f"identities.{key}" for key in schema["properties"]["identities"]
                                         ["properties"]]
    keys += list(schema["$defs"]["token_fields"]["properties"])
    assert len(EXAMPLES) == 2
    assert not [key for key in keys if f"`{key}" not in page and f" {key}" not in page]
