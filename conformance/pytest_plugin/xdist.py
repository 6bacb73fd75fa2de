"""pytest-xdist: `-n` schedules with worksteal; the controller hands out the run id and adds up the counts."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from conformance.pytest_plugin._activity import is_conformance_run
from conformance.pytest_plugin._keys import WORKER_RUN_ID, is_worker
from conformance.pytest_plugin.context import REQUESTS_PROPERTY, run_context
from conformance.pytest_plugin.outcomes import UNREACHABLE_PROPERTY

CONTROLLER_PLUGIN = "graph_conformance_xdist"


@pytest.hookimpl(wrapper=True)
def pytest_cmdline_main(config: pytest.Config) -> Generator[None, object, object]:
    """`-n N` without `--dist`: schedule with xdist's worksteal, not its default `load`.

    `load` hands each worker a run of consecutive items up front; the Schemathesis items of one family are
    consecutive and each takes seconds on a slow target, so one worker got them all while the others idled.
    Runs before xdist's own hook (which would set `load`); an explicit `--dist` is kept.
    """
    option = config.option
    if not is_conformance_run(config):
        return (yield)
    dist_given = getattr(option, "dist", "no") != "no" or getattr(option, "distload", False)
    if getattr(option, "numprocesses", None) and not dist_given:
        option.dist = "worksteal"
    return (yield)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """On the controller of an xdist run: register the controller hooks."""
    if config.pluginmanager.hasplugin("xdist") and not is_worker(config):
        config.pluginmanager.register(XdistController(config), CONTROLLER_PLUGIN)


class XdistController:
    """xdist controller hooks: hand the run id to each worker, add up the workers' request counts."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_configure_node(self, node: Any) -> None:
        """Every worker tags what it creates with the controller's run id."""
        node.workerinput[WORKER_RUN_ID] = run_context(self.config).run_id

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold a worker's request count in; a worker that lost the target stops every worker."""
        if getattr(self.config.option, "dist", "no") == "no":
            return
        context = run_context(self.config)
        for name, value in report.user_properties:
            if name == REQUESTS_PROPERTY:
                context.request_count += int(str(value))
            elif name == UNREACHABLE_PROPERTY:
                self._stop_workers(str(value))

    def _stop_workers(self, error: str) -> None:
        """A worker's health probe failed too: record it (exit 3) and have xdist stop every worker."""
        context = run_context(self.config)
        context.target_unreachable = context.target_unreachable or error
        dsession = self.config.pluginmanager.get_plugin("dsession")
        if dsession is not None and not dsession.shouldstop:
            dsession.shouldstop = f"graph-conformance: target unreachable, run stopped: {error}"
