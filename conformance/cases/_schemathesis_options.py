"""pytest plugin of the Schemathesis cases: `--st-examples`, `--st-seed` and the run's summary line.

Registered by the suite (pytest11 entry point, root conftest or `-p conformance.cases._schemathesis_options`);
without it the cases still run, with their defaults.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any

import pytest

from conformance._stash import RUN_INFO_KEY
from conformance.target.config import is_loopback_url

SEED_WORKER_KEY = "graph_conformance_st_seed"
CASES_PROPERTY = "schemathesis_cases"
REQUESTS_PROPERTY = "schemathesis_requests"
EXAMPLES_PROPERTY = "schemathesis_examples"
LOOPBACK_EXAMPLES = 10  # the embedded server: twice the remote budget (coverage adds ~100 cases per route)
REMOTE_EXAMPLES = 5  # a real tenant: every example provisions an event in a real mailbox
FAMILY_ATTRIBUTE = "graph_conformance_check_family"  # set on a test function by CheckFamily.cases()


@dataclass
class SchemathesisRun:
    """What the Schemathesis cases did in this run: seed, examples per operation, cases and requests sent."""

    seed: int
    examples_option: int | None
    examples_per_operation: int | None = None
    cases: int = 0
    requests: int = 0
    tests: int = 0


ST_RUN_KEY = pytest.StashKey[SchemathesisRun]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--st-examples N` and `--st-seed N`."""
    group = parser.getgroup("graph-conformance-schemathesis", "Schemathesis-generated conformance cases")
    group.addoption(
        "--st-examples", type=int, default=None, metavar="N",
        help=f"fuzzed examples per operation and check family (default {LOOPBACK_EXAMPLES} on a loopback "
        f"target, {REMOTE_EXAMPLES} otherwise); the examples and coverage phases add their own fixed cases",
    )
    group.addoption(
        "--st-seed", type=int, default=None, metavar="N",
        help="seed of the Schemathesis generation (printed at the end of every run; reuse it to reproduce)",
    )


def run_of(config: pytest.Config) -> SchemathesisRun:
    """This run's record, created on first use (also when this plugin is not registered)."""
    if ST_RUN_KEY not in config.stash:
        worker_seed = getattr(config, "workerinput", {}).get(SEED_WORKER_KEY)
        option_seed = config.getoption("st_seed", None)
        option_examples = config.getoption("st_examples", None)
        if option_examples is not None and option_examples < 1:
            raise pytest.UsageError(f"--st-examples {option_examples}: give a positive number, e.g. 5")
        seed = option_seed if option_seed is not None else worker_seed
        config.stash[ST_RUN_KEY] = SchemathesisRun(
            seed=int(seed) if seed is not None else random.randrange(2**32), examples_option=option_examples
        )
    return config.stash[ST_RUN_KEY]


def examples_for(config: pytest.Config, loopback: bool) -> int:
    """Fuzzed examples per operation: `--st-examples`, else generous on loopback, small on a remote target."""
    run = run_of(config)
    if run.examples_option is not None:
        run.examples_per_operation = run.examples_option
    else:
        run.examples_per_operation = LOOPBACK_EXAMPLES if loopback else REMOTE_EXAMPLES
    return run.examples_per_operation


def pytest_configure(config: pytest.Config) -> None:
    """Fix the seed once per run and start counting what the Schemathesis cases do."""
    run_of(config)
    ensure_summary(config)


def loopback_target(config: pytest.Config) -> bool:
    """At collection: whether the target is this machine (the embedded server, or a loopback base URL)."""
    run_info = config.stash.get(RUN_INFO_KEY, None)
    base_url = str(run_info.get("base_url", "")) if isinstance(run_info, dict) else ""
    if not base_url or base_url.startswith("embedded"):
        return True
    return is_loopback_url(base_url)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: Any) -> Any:
    """Before Schemathesis builds a family's items (one per operation), give it the seed and examples."""
    tune = getattr(getattr(obj, FAMILY_ATTRIBUTE, None), "tune", None)
    if callable(tune):
        config = collector.config
        tune(seed=run_of(config).seed, per_operation=examples_for(config, loopback_target(config)))
    yield


SUMMARY_PLUGIN = "graph_conformance_schemathesis_summary"


def ensure_summary(config: pytest.Config) -> None:
    """Register the summary plugin (again a no-op when pytest_configure already did)."""
    if not config.pluginmanager.has_plugin(SUMMARY_PLUGIN):
        config.pluginmanager.register(SchemathesisSummary(config), SUMMARY_PLUGIN)


class SchemathesisSummary:
    """Adds up each Schemathesis test's numbers (also from xdist workers) and prints them at the end."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """xdist: every worker generates from the controller's seed."""
        node.workerinput[SEED_WORKER_KEY] = run_of(self.config).seed

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold in one Schemathesis test (its teardown report carries the numbers as user properties)."""
        properties: dict[str, Any] = dict(report.user_properties)
        if report.when != "teardown" or CASES_PROPERTY not in properties:
            return
        run = run_of(self.config)
        run.tests += 1
        run.cases += int(properties[CASES_PROPERTY])
        run.requests += int(properties.get(REQUESTS_PROPERTY, 0))
        if properties.get(EXAMPLES_PROPERTY) is not None:
            run.examples_per_operation = int(properties[EXAMPLES_PROPERTY])
        run_info = self.config.stash.get(RUN_INFO_KEY, None)
        if isinstance(run_info, dict):
            run_info["schemathesis"] = asdict(run)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """One line: tests (one per operation and check family), cases, requests, examples and the seed."""
        run = run_of(self.config)
        if not run.tests:
            return
        terminalreporter.write_sep("-", "schemathesis")
        terminalreporter.write_line(
            f"schemathesis: {run.tests} tests, {run.cases} generated cases, {run.requests} requests "
            f"(provisioning included), {run.examples_per_operation} fuzzed examples per operation, "
            f"seed {run.seed} (reproduce with --st-seed {run.seed})"
        )
