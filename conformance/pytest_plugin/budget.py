"""The run's budget as a cap across processes: the controller makes the file xdist workers share the count in.

Each process takes every request from one Allowance (conformance.target.allowance); under xdist they all lock
the same small file, so the workers together never spend more than the budget, however the work is spread.
"""

from __future__ import annotations

import pytest

from conformance.pytest_plugin._keys import CHECK_REQUESTS_KEY, EXPLICIT_TARGET_KEY, is_worker
from conformance.target.allowance import Allowance, new_share_file, remove_share_file
from conformance.target.config import TargetConfig

SHARE_PATH_INPUT = "graph_conformance_budget_file"  # workerinput key: the controller's share file
_SHARE_PATH_KEY = pytest.StashKey[str]()
_ALLOWANCE_KEY = pytest.StashKey[Allowance]()
CONTROLLER_PLUGIN = "graph_conformance_budget"


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Controller: a share file for an explicit target; the probe and configuration check go first in it."""
    if is_worker(config):
        path = getattr(config, "workerinput", {}).get(SHARE_PATH_INPUT)
        if path:
            config.stash[_SHARE_PATH_KEY] = str(path)
        return
    if config.stash.get(EXPLICIT_TARGET_KEY, None) is None or config.option.help:
        return
    path = new_share_file()
    checked = config.stash.get(CHECK_REQUESTS_KEY, 0)  # options: the probe and the configuration check
    with open(path, "w", encoding="ascii") as handle:
        handle.write(f"[{checked}, 0, 0]")
    config.stash[_SHARE_PATH_KEY] = path
    config.pluginmanager.register(_Controller(path), CONTROLLER_PLUGIN)


class _Controller:
    """Hands the share file to every xdist worker; removes it when the run ends."""

    def __init__(self, path: str) -> None:
        self.path = path

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: object) -> None:
        """Every worker counts in the same file."""
        node.workerinput[SHARE_PATH_INPUT] = self.path  # type: ignore[attr-defined]

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """The run is over: the count goes."""
        remove_share_file(self.path)


def allowance_for(config: pytest.Config, target: TargetConfig) -> Allowance:
    """This process's Allowance for `target`: the run's budget, counted in the share file if any."""
    if _ALLOWANCE_KEY not in config.stash:
        config.stash[_ALLOWANCE_KEY] = Allowance(target.run_budget, config.stash.get(_SHARE_PATH_KEY, None))
    return config.stash[_ALLOWANCE_KEY]


def allowance_of(config: pytest.Config) -> Allowance | None:
    """The Allowance of this process once the Graph client has one (None before)."""
    return config.stash.get(_ALLOWANCE_KEY, None)
