"""Makes the graph-conformance plugins active when running from the repo root without an install."""

from importlib.metadata import entry_points

_INSTALLED = {entry.value for entry in entry_points(group="pytest11")}
pytest_plugins = [name for name in ("conformance.plugin", "conformance.report.plugin") if name not in _INSTALLED]
