"""The run's actions (the target's `actions`, narrowed by `--actions`); other actions' cases not-applicable.

A case's actions are those of its `@pytest.mark.actions(...)` marker, else of its requirements (`common` ones
aside), else `cancel` (the hand-written probes of the common requirements send to cancel's routes). A case of
no selected action is marked skipped at collection, with a `not-applicable: ...` reason: it sends nothing, and
every report lists it under its action.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from conformance._stash import CATALOG_INI
from conformance.errors import ConformanceError
from conformance.pytest_plugin._keys import ACTIONS_KEY
from conformance.spec.catalog import load_catalog, read_catalog
from conformance.target.actions import (
    COMMON,
    DEFAULT_ACTION,
    actions_by_requirement,
    applies,
    catalog_actions,
    not_selected_reason,
    parse_action_list,
    select_actions,
)
from conformance.target.config import TargetConfig

MARKER = "actions"


def pytest_configure(config: pytest.Config) -> None:
    """Register the `actions` marker."""
    config.addinivalue_line(
        "markers", f"{MARKER}(*names): the actions a case acts on (default: its requirements' actions)"
    )


def _catalog_by_id(config: pytest.Config) -> dict[str, str]:
    """Each catalog requirement's action (the ini's catalog, else the generated one)."""
    value = str(config.getini(CATALOG_INI) or "") if _has_ini(config) else ""
    catalog = read_catalog(Path(config.rootpath / value)) if value else load_catalog()
    return actions_by_requirement(catalog)


def _has_ini(config: pytest.Config) -> bool:
    try:
        config.getini(CATALOG_INI)
    except ValueError:  # the report plugin (which registers it) is not loaded
        return False
    return True


def embedded_actions() -> tuple[str, ...]:
    """The actions the embedded reference server implements (what its target document declares)."""
    from conformance.reference.target_document import implemented_actions

    return tuple(implemented_actions())


def resolve_actions(config: pytest.Config, target: TargetConfig | None) -> TargetConfig | None:
    """Fix the run's actions in the stash (ConformanceError for an unknown name); the target narrowed."""
    chosen = config.getoption("actions", None)
    try:
        available = catalog_actions_of(config)
    except ConformanceError:
        if chosen is not None:
            raise
        return target  # an unreadable catalog: the report plugin names it; nothing to narrow by
    declared = target.actions if target is not None else embedded_actions()
    where = f"actions in {target.source}" if target is not None else "the embedded reference server's actions"
    selected = select_actions(
        available, declared, parse_action_list(chosen) if chosen is not None else None, declared_where=where
    )
    config.stash[ACTIONS_KEY] = selected
    if target is None:
        return None
    return replace(target, actions=selected)


def catalog_actions_of(config: pytest.Config) -> tuple[str, ...]:
    """The actions of the run's catalog, in catalog order."""
    return catalog_actions(_catalog_by_id(config).values())


def case_actions(item: pytest.Item, by_id: dict[str, str]) -> tuple[str, ...]:
    """The actions a case acts on: its marker's, else its requirements' (common aside), else cancel."""
    marker = item.get_closest_marker(MARKER)
    if marker is not None and marker.args:
        return tuple(str(name) for name in marker.args)
    ids = [str(rid) for mark in item.iter_markers("requirement") for rid in mark.args]
    if any(rid not in by_id for rid in ids):
        return (COMMON,)  # a requirement of no catalog this run knows: never narrowed away
    own = tuple(dict.fromkeys(by_id[rid] for rid in ids if by_id[rid] != COMMON))
    return own or (DEFAULT_ACTION,)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Cases of no selected action: skipped as not-applicable before any fixture (no request sent)."""
    selected = config.stash.get(ACTIONS_KEY, None)
    if selected is None:
        return
    try:
        by_id = _catalog_by_id(config)
    except ConformanceError:
        return
    for item in items:
        if item.get_closest_marker("requirement") is None:
            continue
        actions = case_actions(item, by_id)
        if not applies(actions, selected):
            reason = not_selected_reason(actions, selected)
            item.add_marker(pytest.mark.skip(reason=f"not-applicable: {reason}"))
