"""No two catalog requirements check the same thing.

Two requirements check the same thing when they state the same sentence AND describe the same check, once
both are normalised (case folded, whitespace collapsed, a trailing full stop dropped): a second id for one
verdict would count one behaviour twice in every report and certification. Requirements that share a sentence
but check different things (the twelve routes share one check, each its own route line; the page's comment
and its example's `Comment` share a check, each its own sentence) are distinct.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from conformance.spec.catalog import Requirement, load_catalog


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip(".")


def same_checks(catalog: Mapping[str, Requirement]) -> list[tuple[str, str]]:
    """Pairs of requirement ids (catalog order) whose sentence and check are the same."""
    first_of: dict[tuple[str, str], str] = {}
    pairs: list[tuple[str, str]] = []
    for requirement in catalog.values():
        key = (_normalised(requirement.sentence), _normalised(requirement.check))
        if key in first_of:
            pairs.append((first_of[key], requirement.id))
        else:
            first_of[key] = requirement.id
    return pairs


def test_no_two_catalog_requirements_check_the_same_thing() -> None:
    assert same_checks(load_catalog()) == []


def test_a_second_id_for_the_same_sentence_and_check_is_flagged() -> None:
    """A copy of a requirement under another id (only spacing, case and a full stop changed) is a pair."""
    catalog = load_catalog()
    original = next(iter(catalog.values()))
    copy = dataclasses.replace(original, id="CANCEL-COPY", sentence=f"  {original.sentence.upper()}.",
                               check=original.check.replace(" ", "  "))
    assert same_checks({**catalog, copy.id: copy}) == [(original.id, "CANCEL-COPY")]
    reworded = dataclasses.replace(copy, check=f"{original.check}, and its copy too")
    assert same_checks({**catalog, reworded.id: reworded}) == []
