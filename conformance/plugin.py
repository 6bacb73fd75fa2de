"""The pytest plugin: `--target`, the resolved TargetConfig, the embedded default target, the fixtures."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from typing import Any

import pytest

from conformance import __version__
from conformance._stash import EXCHANGES_KEY, REQUEST_COUNT_KEY, RUN_INFO_KEY
from conformance.errors import ConformanceError, TargetUnreachable
from conformance.outcomes import not_applicable, not_verified
from conformance.target.client import TRANSPORT_ERRORS, AmbiguousReplay, Graph, MissingIdentity
from conformance.target.config import TargetConfig, target_from_document
from conformance.target.provision import Provisioner
from conformance.target.redact import Redactor
from conformance.target.resolve import probe_reachable, resolve_target
from conformance.target.tags import is_valid_run_id, new_run_id
from conformance.target.transcript import Transcript

EXPLICIT_TARGET_KEY = pytest.StashKey[TargetConfig | None]()
TRANSCRIPT_KEY = pytest.StashKey[Transcript]()
UNREACHABLE_KEY = pytest.StashKey[list[str]]()
WORKER_RUN_ID = "graph_conformance_run_id"
REQUESTS_PROPERTY = "graph_conformance_requests"
UNREACHABLE_PROPERTY = "graph_conformance_unreachable"
EMBEDDED_NAME = "graph-conformance reference server (embedded)"
EXIT_TARGET_UNREACHABLE = 3


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--target FILE` and `--run-id ID` (`--base-url` comes from pytest-base-url)."""
    group = parser.getgroup("graph-conformance", "Graph event: cancel conformance")
    group.addoption(
        "--target",
        metavar="FILE",
        default=None,
        help="target file (YAML, docs/INTERFACES.md section 2); without it and --base-url the embedded "
        "reference server is started. Env: GRAPH_CONFORMANCE_TARGET",
    )
    group.addoption("--run-id", metavar="ID", default=None, help="tag of everything this run creates")


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _is_xdist_controller(config: pytest.Config) -> bool:
    return not _is_worker(config) and getattr(config.option, "dist", "no") != "no"


@pytest.hookimpl(wrapper=True)
def pytest_cmdline_main(config: pytest.Config) -> Generator[None, object, object]:
    """`-n N` without `--dist`: schedule with xdist's worksteal, not its default `load`.

    `load` hands each worker a run of consecutive items up front; the Schemathesis items of one family are
    consecutive and each takes seconds on a slow target, so one worker got them all while the others idled.
    Runs before xdist's own hook (which would set `load`); an explicit `--dist` is kept.
    """
    option = config.option
    dist_given = getattr(option, "dist", "no") != "no" or getattr(option, "distload", False)
    if getattr(option, "numprocesses", None) and not dist_given:
        option.dist = "worksteal"
    return (yield)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Resolve the target once (CLI > env > file), fix the run id, and fill the stash the reports read."""
    config.addinivalue_line(
        "markers", "requirement(*ids): the catalog requirement ids a conformance case checks"
    )
    if _is_worker(config):
        run_id = str(config.workerinput[WORKER_RUN_ID])  # type: ignore[attr-defined]
    else:
        run_id = config.getoption("run_id") or new_run_id()
        if not is_valid_run_id(run_id):
            pytest.exit(f"--run-id {run_id!r}: use letters, digits, '.', '_' or '-' (max 64)", returncode=2)
    try:
        target = resolve_target(
            target_file=config.getoption("target"),
            base_url=config.getoption("base_url", None),
            environ=dict(os.environ),
        )
    except ConformanceError as error:
        pytest.exit(f"graph-conformance: {error}", returncode=error.exit_code)
    config.stash[EXPLICIT_TARGET_KEY] = target
    redactor = Redactor(target.secrets() if target else ())
    config.stash[TRANSCRIPT_KEY] = Transcript(redactor)
    config.stash[REQUEST_COUNT_KEY] = [0]
    config.stash[UNREACHABLE_KEY] = []
    config.stash[RUN_INFO_KEY] = {
        "run_id": run_id,
        "target_name": target.name if target else EMBEDDED_NAME,
        "base_url": target.base_url if target else "embedded (127.0.0.1, free port)",
        "unsupported_profiles": sorted(target.unsupported_profiles) if target else [],
        "suite_version": __version__,
    }
    if config.pluginmanager.hasplugin("xdist") and not _is_worker(config):
        config.pluginmanager.register(_XdistController(config), "graph_conformance_xdist")


class _XdistController:
    """xdist controller hooks: hand the run id to each worker, add up the workers' request counts."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[WORKER_RUN_ID] = self.config.stash[RUN_INFO_KEY]["run_id"]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not _is_xdist_controller(self.config):
            return
        for name, value in report.user_properties:
            if name == REQUESTS_PROPERTY:
                self.config.stash[REQUEST_COUNT_KEY][0] += int(str(value))
            elif name == UNREACHABLE_PROPERTY:
                self._stop_workers(str(value))

    def _stop_workers(self, error: str) -> None:
        """A worker lost the target: record it (exit 3) and have xdist stop every worker."""
        errors = self.config.stash[UNREACHABLE_KEY]
        errors.append(error)
        self.config.stash[RUN_INFO_KEY].setdefault("target_unreachable", errors[0])  # for the reports
        dsession = self.config.pluginmanager.get_plugin("dsession")
        if dsession is not None and not dsession.shouldstop:
            dsession.shouldstop = f"graph-conformance: target unreachable, run stopped: {errors[0]}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to start (exit 3) against an explicit target that does not answer."""
    target = session.config.stash[EXPLICIT_TARGET_KEY]
    if target is not None and not _is_worker(session.config):
        try:
            probe_reachable(target)
        except TargetUnreachable as error:
            pytest.exit(f"graph-conformance: {error}", returncode=EXIT_TARGET_UNREACHABLE)


def pytest_report_header(config: pytest.Config) -> str:
    """One line: target name, base URL, run id."""
    info = config.stash[RUN_INFO_KEY]
    return f"graph-conformance: target {info['target_name']!r} at {info['base_url']}, run id {info['run_id']}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    """Send this test's exchanges to `item.stash[EXCHANGES_KEY]` and keep the run's request count."""
    transcript = item.config.stash[TRANSCRIPT_KEY]
    item.stash[EXCHANGES_KEY] = []
    transcript.start_test(item.stash[EXCHANGES_KEY])
    try:
        return (yield)
    finally:
        transcript.stop_test()
        item.config.stash[REQUEST_COUNT_KEY][0] = transcript.request_count


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """On an xdist worker: attach the number of requests of each phase to the report for the controller."""
    counted_before = item.stash.get(_COUNTED_KEY, 0)
    report = yield
    if _is_worker(item.config):
        exchanges = len(item.stash.get(EXCHANGES_KEY, []))
        report.user_properties.append((REQUESTS_PROPERTY, exchanges - counted_before))
        item.stash[_COUNTED_KEY] = exchanges
        lost_target = item.stash.get(_LOST_TARGET_KEY, None)
        if lost_target is not None and call.when != "teardown":
            report.user_properties.append((UNREACHABLE_PROPERTY, lost_target))
    return report


_COUNTED_KEY = pytest.StashKey[int]()
_LOST_TARGET_KEY = pytest.StashKey[str]()  # the unreachable-target error this item ended on


def _not_verified_for(missing: MissingIdentity) -> None:
    target_hint = (
        "identities.attendees" if missing.role.startswith("attendee") else f"identities.{missing.role}"
    )
    not_verified(f"{missing}; add {target_hint} to the target file to check this requirement")


def _stop_on_unreachable(item: pytest.Item, error: Exception) -> None:
    """Record the unreachable target, stop the session after this item (exit 3), end the case not-verified.

    Not a fail: the case could not judge the server, and a fail in the report would be false evidence.
    """
    if not isinstance(error, TargetUnreachable):  # a transport error from a client of its own (Schemathesis)
        error = TargetUnreachable(
            f"the target does not answer ({type(error).__name__}, after the bounded retries); check that "
            f"{item.config.stash[RUN_INFO_KEY]['base_url']} is up and answers in time"
        )
    errors = item.config.stash[UNREACHABLE_KEY]
    errors.append(str(error))
    item.config.stash[RUN_INFO_KEY].setdefault("target_unreachable", errors[0])  # for the reports
    item.stash[_LOST_TARGET_KEY] = str(error)
    item.session.shouldstop = f"graph-conformance: target unreachable, run stopped: {errors[0]}"
    not_verified(f"the target stopped answering, so the run was stopped: {error}")


def _guarded_phase(item: pytest.Item) -> Generator[None, None, None]:
    """Run one phase: missing identity or ambiguous replay -> not-verified; unreachable target -> stop."""
    try:
        return (yield)
    except MissingIdentity as missing:
        _not_verified_for(missing)
    except AmbiguousReplay as replay:
        not_verified(str(replay))
    except (TargetUnreachable, *TRANSPORT_ERRORS) as error:
        _stop_on_unreachable(item, error)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    """A missing identity in a fixture ends the case as not-verified; an unreachable target stops the run."""
    return (yield from _guarded_phase(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """A missing identity in the test body ends the case as not-verified; a lost target stops the run."""
    return (yield from _guarded_phase(item))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Exit 3, with one clear line, when the target stopped answering during the run."""
    errors = session.config.stash.get(UNREACHABLE_KEY, [])
    if errors:
        session.exitstatus = EXIT_TARGET_UNREACHABLE
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and not _is_worker(session.config):
            reporter.write_line(f"graph-conformance: the target stopped answering; run stopped: {errors[0]}",
                                red=True, bold=True)


@pytest.fixture(scope="session")
def _graph_conformance_embedded_server() -> Iterator[Any]:
    """The embedded reference server on a free loopback port, for the session (one per xdist worker)."""
    from conformance.reference.serve import ReferenceServer

    with ReferenceServer(host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> TargetConfig:
    """The TargetConfig of this run: the explicit one, or the embedded server's target document."""
    config = request.config
    explicit = config.stash[EXPLICIT_TARGET_KEY]
    if explicit is not None:
        return explicit
    server = request.getfixturevalue("_graph_conformance_embedded_server")
    embedded = target_from_document(server.target_document(), source="embedded reference server", environ={})
    for secret in embedded.secrets():
        config.stash[TRANSCRIPT_KEY].redactor.add(secret)
    config.stash[RUN_INFO_KEY].update(
        base_url=embedded.base_url, unsupported_profiles=sorted(embedded.unsupported_profiles)
    )
    return embedded


@pytest.fixture(scope="session")
def run_id(request: pytest.FixtureRequest) -> str:
    """This run's id, in every subject the suite creates."""
    return str(request.config.stash[RUN_INFO_KEY]["run_id"])


@pytest.fixture(scope="session")
def graph(request: pytest.FixtureRequest, target: TargetConfig) -> Iterator[Graph]:
    """The target's API as each identity, sharing one connection pool and the per-mailbox caps."""
    workers = int(getattr(request.config, "workerinput", {}).get("workercount", 1))
    cap = max(1, target.max_concurrency_per_mailbox // max(1, workers))
    client = Graph(target, request.config.stash[TRANSCRIPT_KEY], mailbox_cap=cap)
    yield client
    client.close()


@pytest.fixture
def provision(request: pytest.FixtureRequest, graph: Graph, run_id: str) -> Iterator[Provisioner]:
    """Creates what a case needs; removes all of it after the case, pass or fail."""
    provisioner = Provisioner(graph, run_id, label=request.node.name[:60])
    yield provisioner
    provisioner.cleanup()


@pytest.fixture(autouse=True)
def _graph_conformance_profiles(request: pytest.FixtureRequest) -> None:
    """A case whose requirements need a profile the target does not support is not-applicable."""
    marker = request.node.get_closest_marker("requirement")
    if marker is None:
        return
    target_config: TargetConfig = request.getfixturevalue("target")
    if not target_config.unsupported_profiles:
        return
    from conformance.cases._expect import profile_of

    for requirement_id in marker.args:
        profile = profile_of(requirement_id)
        if profile in target_config.unsupported_profiles:
            not_applicable(
                f"{requirement_id} belongs to profile {profile!r}, which the target does not support"
            )
