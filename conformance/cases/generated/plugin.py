"""pytest plugin of the Schemathesis cases: `--st-examples`, `--st-seed`, `--st-full-routes`, what the run
has spent so far (for a target's budget), and the run's summary line.

Registered by the suite (pytest11 entry point, root conftest or `-p conformance.cases.generated.plugin`);
without it the cases still run, with their defaults.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any

import pytest

from conformance._stash import EXPLICIT_TARGET_KEY, FOOTPRINT_PROPERTY, RUN_CONTEXT_KEY
from conformance.cases.generated._plan import Effort
from conformance.cases.toolkit.spending import ledger_of
from conformance.outcomes import refuse
from conformance.target.config import Budget
from conformance.target.footprint import Footprint, total_footprint

SEED_WORKER_KEY = "graph_conformance_st_seed"
CASES_PROPERTY = "schemathesis_cases"
REQUESTS_PROPERTY = "schemathesis_requests"
EXAMPLES_PROPERTY = "schemathesis_examples"
LEFT_OUT_PROPERTY = "schemathesis_left_out"
OPERATION_ARGUMENT = "operation"  # the parameter naming the route of a Schemathesis item
CASES_MODULE = "test_schemathesis"
LOOPBACK_EXAMPLES = 10  # the embedded server: fuzzed examples on the first route (coverage adds ~40 cases)
REMOTE_EXAMPLES = 5  # a real tenant: every valid example cancels a (attendee-less) event in a real mailbox
REMOTE_EVENTS_PER_ROUTE = 8  # a real tenant: cases per route that may cancel an event (named examples first)
REMOTE_LATENCY_MS = 20.0  # a loopback URL answering slower than this is a remote tenant behind a tunnel, or
# the reference server simulating one (`serve --latency-ms`): it gets the remote effort


@dataclass
class SchemathesisRun:
    """What the Schemathesis cases did in this run: seed, examples per operation, cases and requests sent."""

    seed: int
    examples_option: int | None
    examples_per_operation: int | None = None
    cases: int = 0
    requests: int = 0
    tests: int = 0
    left_out: int = 0


ST_RUN_KEY = pytest.StashKey[SchemathesisRun]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--st-examples N` and `--st-seed N`."""
    group = parser.getgroup("graph-conformance-schemathesis", "Schemathesis-generated conformance cases")
    group.addoption(
        "--st-examples", type=int, default=None, metavar="N",
        help=f"fuzzed examples on the first route (default {LOOPBACK_EXAMPLES} on a loopback target, "
        f"{REMOTE_EXAMPLES} on a remote one); the examples and coverage phases add their own fixed cases",
    )
    group.addoption(
        "--st-full-routes", action="store_true", default=False,
        help="generate in full on every cancel route (default: the first route in full, the essential cases "
        "on the others: the page's example, other methods, a wrong comment type, an unknown parameter)",
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
        seed = option_seed if option_seed is not None else worker_seed
        config.stash[ST_RUN_KEY] = SchemathesisRun(
            seed=int(seed) if seed is not None else random.randrange(2**32), examples_option=option_examples
        )
    return config.stash[ST_RUN_KEY]


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """`--st-examples` below 1 ends the run before it starts, with one line (exit 2)."""
    examples = config.getoption("st_examples", None)
    if not config.pluginmanager.has_plugin("conformance.pytest_plugin.activation"):  # another session
        return None
    if examples is not None and examples < 1:
        return refuse(f"--st-examples {examples}: give a positive number of fuzzed examples, e.g. 5")
    return None


def effort_for(config: pytest.Config, *, remote: bool) -> Effort:
    """How much to generate: `--st-examples`, else generous on loopback, small on a remote target."""
    run = run_of(config)
    if run.examples_option is not None:
        run.examples_per_operation = run.examples_option
    else:
        run.examples_per_operation = REMOTE_EXAMPLES if remote else LOOPBACK_EXAMPLES
    remote_default = remote and run.examples_option is None
    return Effort(run.examples_per_operation, full_routes=bool(config.getoption("st_full_routes", False)),
                  events_per_route=REMOTE_EVENTS_PER_ROUTE if remote_default else None)


def remote_like(config: pytest.Config, *, file_says: bool | None, loopback: bool) -> bool:
    """Whether to spend as on a real tenant: the target file's `remote`, else a non-loopback URL, else a
    loopback target whose answers so far took a remote tenant's time (median over the tests run before)."""
    if file_says is not None:
        return file_says
    latency = ledger_of(config).median_latency_ms
    return not loopback or (latency is not None and latency >= REMOTE_LATENCY_MS)


def pytest_configure(config: pytest.Config) -> None:
    """Fix the seed once per run and start counting what the Schemathesis cases do."""
    run_of(config)
    ensure_summary(config)


def pytest_sessionstart(session: pytest.Session) -> None:
    """The ledger listens to the transcript from the first exchange on (every case's, as recorded)."""
    ledger_of(session.config)


def _is_generated(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    return module is not None and module.__name__.rsplit(".", 1)[-1] == CASES_MODULE


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep each route's family items together (route by route), so one process runs a route's cases once."""
    positions = [index for index, item in enumerate(items) if _is_generated(item)]
    generated = [items[index] for index in positions]

    def route_of(item: pytest.Item) -> str:
        callspec = getattr(item, "callspec", None)
        return str(callspec.params.get(OPERATION_ARGUMENT, "")) if callspec is not None else ""

    order = {route: rank for rank, route in enumerate(dict.fromkeys(map(route_of, generated)))}
    for index, item in zip(positions, sorted(generated, key=lambda item: order[route_of(item)]), strict=True):
        items[index] = item


def over_budget(budget: Budget, spent: Footprint) -> list[str]:
    """`264 meeting messages (budget 100)` for each count the run spent beyond the target file's budget."""
    counts = (("requests", budget.requests, spent.requests), ("events created", budget.events,
              spent.events_created), ("meeting messages", budget.messages, spent.messages))
    return [f"{used} {name} (budget {limit})" for name, limit, used in counts
            if limit is not None and used > limit]


SUMMARY_PLUGIN = "graph_conformance_schemathesis_summary"


def ensure_summary(config: pytest.Config) -> None:
    """Register the summary plugin (again a no-op when pytest_configure already did)."""
    if not config.pluginmanager.has_plugin(SUMMARY_PLUGIN):
        config.pluginmanager.register(SchemathesisSummary(config), SUMMARY_PLUGIN)


class SchemathesisSummary:
    """Adds up each Schemathesis test's numbers (also from xdist workers) and prints them at the end."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.footprints: dict[str, Any] = {}  # nodeid -> the item's footprint property (cumulative)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """xdist: every worker generates from the controller's seed."""
        node.workerinput[SEED_WORKER_KEY] = run_of(self.config).seed

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold in one Schemathesis test (its teardown report carries the numbers as user properties)."""
        properties: dict[str, Any] = dict(report.user_properties)
        if FOOTPRINT_PROPERTY in properties:
            self.footprints[report.nodeid] = properties[FOOTPRINT_PROPERTY]
        if report.when != "teardown" or CASES_PROPERTY not in properties:
            return
        run = run_of(self.config)
        run.tests += 1
        run.cases += int(properties[CASES_PROPERTY])
        run.requests += int(properties.get(REQUESTS_PROPERTY, 0))
        run.left_out += int(properties.get(LEFT_OUT_PROPERTY, 0))
        if properties.get(EXAMPLES_PROPERTY) is not None:
            run.examples_per_operation = int(properties[EXAMPLES_PROPERTY])
        context = self.config.stash.get(RUN_CONTEXT_KEY, None)
        if context is not None:
            context.extras["schemathesis"] = asdict(run)

    def _report_overspending(self, terminalreporter: Any) -> None:
        """Say so if the footprint ever shows more than the budget (the Allowance makes it impossible)."""
        target = self.config.stash.get(EXPLICIT_TARGET_KEY, None)
        if target is None or not target.run_budget.limited or not self.footprints:
            return
        spent = total_footprint(Footprint.from_property(value) for value in self.footprints.values())
        over = over_budget(target.run_budget, spent)
        if over:
            terminalreporter.write_line(f"budget exceeded: {', '.join(over)}", yellow=True)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """One line: tests (one per operation and check family), cases, requests, examples and the seed."""
        run = run_of(self.config)
        if not run.tests:
            self._report_overspending(terminalreporter)
            return
        terminalreporter.write_sep("-", "schemathesis")
        left_out = f", {run.left_out} left out by the target's budget (not-verified)" if run.left_out else ""
        terminalreporter.write_line(
            f"schemathesis: {run.tests} tests, {run.cases} generated cases, {run.requests} requests "
            f"(provisioning included){left_out}, {run.examples_per_operation} fuzzed examples on the "
            f"first route, seed {run.seed} (reproduce with --st-seed {run.seed})"
        )
        self._report_overspending(terminalreporter)
