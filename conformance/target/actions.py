"""Which actions a run checks: the catalog's, narrowed by the target file's `actions` and by `--actions`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from conformance.errors import TargetConfigError

COMMON = "common"  # requirements of every action's routes (judged whenever any is selected)
DEFAULT_ACTION = "cancel"  # a catalog row without `action` (written before the field existed)


def action_of(requirement: object) -> str:
    """A catalog requirement's action (`cancel` for a row written before the field existed)."""
    return str(getattr(requirement, "action", "") or DEFAULT_ACTION)


def catalog_actions(actions: Iterable[str]) -> tuple[str, ...]:
    """The actions of a catalog's rows, in catalog order, once each (`common` is no action of its own)."""
    return tuple(action for action in dict.fromkeys(actions) if action != COMMON)


def parse_action_list(text: str) -> tuple[str, ...]:
    """`cancel, other` -> ("cancel", "other") (blanks and empty parts ignored, order kept, no repeats)."""
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def _checked(names: Sequence[str], available: Sequence[str], where: str) -> tuple[str, ...]:
    """The names, each one of `available` (matched case-insensitively, spelled as the catalog spells it)."""
    spelled = {action.lower(): action for action in available}
    unknown = [name for name in names if name.lower() not in spelled]
    if unknown:
        raise TargetConfigError(
            f"{where}: {', '.join(map(repr, unknown))} is not an action of the catalog; "
            f"use some of {', '.join(available)}"
        )
    if not names:
        raise TargetConfigError(f"{where}: names no action; use some of {', '.join(available)}")
    return tuple(dict.fromkeys(spelled[name.lower()] for name in names))


def select_actions(
    available: Sequence[str],
    declared: Sequence[str] = (),
    chosen: Sequence[str] | None = None,
    *,
    declared_where: str = "actions in the target file",
) -> tuple[str, ...]:
    """The actions this run checks, in catalog order: those the target declares (none declared: all the
    catalog's), narrowed to `--actions` when given. An unknown name, or a choice the target does not
    implement, is a TargetConfigError (one line, exit 2)."""
    implemented = _checked(declared, available, declared_where) if declared else tuple(available)
    if chosen is None:
        return tuple(action for action in available if action in implemented)
    wanted = _checked(chosen, available, "--actions")
    outside = [action for action in wanted if action not in implemented]
    if outside:
        raise TargetConfigError(
            f"--actions: {', '.join(map(repr, outside))} is not among the actions the target implements "
            f"({declared_where}: {', '.join(implemented)}); choose some of those"
        )
    return tuple(action for action in available if action in wanted)


def applies(case_actions: Iterable[str], selected: Iterable[str]) -> bool:
    """Whether a case of these actions runs: one of them is selected (`common` with any selection)."""
    selection = set(selected)
    return any(action in selection or (action == COMMON and selection) for action in case_actions)


def not_selected_reason(case_actions: Iterable[str], selected: Sequence[str]) -> str:
    """Why a case of unselected actions is not-applicable (its skip reason, shown in every report)."""
    names = ", ".join(sorted(set(case_actions) - {COMMON}))
    return f"action {names} is not selected for this run (actions: {', '.join(selected) or 'none'})"


def actions_by_requirement(catalog: Mapping[str, object]) -> dict[str, str]:
    """Each requirement id's action."""
    return {requirement_id: action_of(requirement) for requirement_id, requirement in catalog.items()}
