"""Which actions a run checks: the catalog's, narrowed by the target file's `actions` and by `--actions`."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conformance.errors import TargetConfigError
from conformance.target.actions import (
    COMMON,
    action_of,
    applies,
    catalog_actions,
    not_selected_reason,
    parse_action_list,
    select_actions,
)

CATALOG = ("cancel", "accept", "decline")


def test_a_row_without_action_is_cancel_and_common_is_no_action_of_its_own() -> None:
    assert action_of(SimpleNamespace()) == "cancel"
    assert action_of(SimpleNamespace(action="accept")) == "accept"
    assert catalog_actions(["cancel", COMMON, "accept", "cancel", "decline"]) == CATALOG


def test_no_declaration_and_no_option_select_every_action() -> None:
    assert select_actions(CATALOG) == CATALOG


def test_the_target_declares_and_the_option_narrows_in_catalog_order() -> None:
    assert select_actions(CATALOG, ("decline", "cancel")) == ("cancel", "decline")
    assert select_actions(CATALOG, ("decline", "cancel"), parse_action_list(" Decline ,")) == ("decline",)
    assert select_actions(CATALOG, (), ("accept", "cancel")) == ("cancel", "accept")


@pytest.mark.parametrize(
    ("declared", "chosen", "message"),
    [
        (("cancel", "frobnicate"), None, "actions in the target file: 'frobnicate' is not an action"),
        ((), ("frobnicate",), "--actions: 'frobnicate' is not an action of the catalog; use some of cancel"),
        (("cancel",), ("accept",), "--actions: 'accept' is not among the actions the target implements"),
        ((), (), "--actions: names no action"),
    ],
)
def test_an_unknown_or_unimplemented_action_is_a_one_line_mistake(
    declared: tuple[str, ...], chosen: tuple[str, ...] | None, message: str
) -> None:
    with pytest.raises(TargetConfigError) as raised:
        select_actions(CATALOG, declared, chosen)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_a_case_applies_when_one_of_its_actions_is_selected_common_with_any() -> None:
    assert applies(("accept",), ("cancel", "accept"))
    assert not applies(("accept",), ("cancel",))
    assert applies((COMMON,), ("decline",)) and not applies((COMMON,), ())
    assert not_selected_reason(("accept", COMMON), ("cancel",)) == (
        "action accept is not selected for this run (actions: cancel)"
    )


def test_the_reference_server_declares_the_actions_it_implements_every_one_of_the_catalog() -> None:
    """`serve --write-target` and the embedded run: its target document's `actions` (all seven)."""
    from conformance.reference.serve import ReferenceServer
    from conformance.spec.catalog import actions_of, load_catalog
    from conformance.target.config import target_from_document

    with ReferenceServer() as server:
        document = server.target_document()
    assert sorted(document["actions"]) == sorted(actions_of(load_catalog()))
    target = target_from_document(document, source="reference", environ={})
    assert select_actions(actions_of(load_catalog()), target.actions) == actions_of(load_catalog())
