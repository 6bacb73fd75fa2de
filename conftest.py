"""Makes the graph-conformance plugins active when running from the repo root without an install."""

from importlib.metadata import entry_points

_PLUGINS = ("conformance.plugin", "conformance.report.plugin", "conformance.cases._schemathesis_options")
_INSTALLED = {entry.value for entry in entry_points(group="pytest11")}
pytest_plugins = [name for name in _PLUGINS if name not in _INSTALLED]
