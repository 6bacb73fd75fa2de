"""The hand-kept overlays: one file per action (spec/actions/<action>.yaml) and the common conventions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance._yaml import safe_load
from conformance.errors import SpecParseError

SPEC_DIR = Path(__file__).resolve().parent
ACTIONS_DIR = SPEC_DIR / "actions"
COMMON_FILE = SPEC_DIR / "common.yaml"
_ORDER_LAST = 10_000  # an overlay without `order` comes after the ordered ones (then by action name)


def display_name(path: Path) -> str:
    """A spec file as generated files and errors name it (`conformance/spec/actions/cancel.yaml`)."""
    try:
        return path.resolve().relative_to(SPEC_DIR.parent.parent).as_posix()
    except ValueError:
        return str(path)


def load_overlay(path: Path) -> dict[str, Any]:
    """Read one overlay file (an action's, or the common conventions')."""
    try:
        overlay = safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SpecParseError(f"cannot read the overlay: {error}", file=str(path)) from None
    if not isinstance(overlay, dict) or not isinstance(overlay.get("requirements"), list):
        raise SpecParseError("the overlay needs 'action', 'routes' and a 'requirements' list", file=str(path))
    return overlay


@dataclass(frozen=True)
class ActionOverlay:
    """One action's overlay file: the operation it is for, its page (relative to openapi/) and its entries."""

    path: Path
    operation: str  # "event: cancel"
    page: str  # "sources/event-cancel.ru-RU.md"
    order: int
    data: dict[str, Any]

    @property
    def name(self) -> str:
        """The file as generated files name it."""
        return display_name(self.path)

    @property
    def resource(self) -> str:
        """The entity the action is bound to (`event`)."""
        return self.operation.partition(":")[0].strip()

    @property
    def action(self) -> str:
        """The action (`cancel`, ...): the routes' last segment as the page spells it."""
        return self.operation.partition(":")[2].strip()

    @property
    def description_file(self) -> str:
        """The generated OpenAPI description's file name in openapi/ (`event-cancel.yaml`)."""
        return f"{self.resource}-{self.action}.yaml"


def action_overlay(path: Path) -> ActionOverlay:
    """One action's overlay, checked: `action: "event: <name>"` matching the file name, and its `page`."""
    data = load_overlay(path)
    operation = str(data.get("action", "")).strip()
    resource, _, action = (part.strip() for part in operation.partition(":"))
    if not resource or action != path.stem:
        raise SpecParseError(
            f"the overlay's 'action' must be 'resource: {path.stem}' (the file is named after its action); "
            f"got {operation!r}",
            file=str(path),
        )
    page = data.get("page")
    if not isinstance(page, str) or not page.strip():
        raise SpecParseError(
            "the overlay needs 'page': its reference page relative to openapi/ (sources/event-accept.md)",
            file=str(path),
        )
    order = data.get("order", _ORDER_LAST)
    if not isinstance(order, int) or isinstance(order, bool):
        raise SpecParseError(f"the overlay's 'order' must be an integer; got {order!r}", file=str(path))
    return ActionOverlay(path, operation, page.strip(), order, data)


def action_overlays(directory: Path | None = None) -> list[ActionOverlay]:
    """Every action's overlay in the directory (spec/actions/), in action order (`order`, then name)."""
    directory = ACTIONS_DIR if directory is None else directory
    overlays = [action_overlay(path) for path in sorted(directory.glob("*.yaml"))]
    if not overlays:
        raise SpecParseError("no action overlays (<action>.yaml) found", file=str(directory))
    return sorted(overlays, key=lambda overlay: (overlay.order, overlay.action))


def load_common(path: Path = COMMON_FILE) -> dict[str, Any]:
    """The cross-action conventions (graph level only), which hold on every action's routes."""
    common = load_overlay(path)
    wrong = [str(spec.get("id")) for spec in common["requirements"] if spec.get("level") != "graph"]
    if wrong:
        raise SpecParseError(
            f"the common conventions are graph level only (doc sentences belong to an action's page): "
            f"{', '.join(wrong)}",
            file=str(path),
        )
    return common
