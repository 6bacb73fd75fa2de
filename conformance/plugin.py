"""The suite's pytest plugin (the pytest11 entry point): loads its parts from conformance.pytest_plugin."""

from conformance.pytest_plugin import PLUGIN_MODULES

pytest_plugins = list(PLUGIN_MODULES)
