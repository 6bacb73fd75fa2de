"""Acting ahead: the arrange-and-act part of the cases that await an effect runs for all of them at once.

A case marked `acts_ahead(stage)` splits into its stage (`stage(graph, target, arrange, **params)`:
arranging and the act, returning what the observation needs) and its test body, which calls
`arrange.acted()` and observes. When this process runs its first hand-written case, the stages of every
marked case it is about to run (the rest of the session, or this xdist worker's queue) run together, a few
threads at a time; each test then takes its stage's result (or its exception, raised again), its exchanges
and its act time, and waits only what is left of its bounds, counted from its own act. So the waits of all
effect cases overlap: a correct server pays nothing, a slow one about one latency, and one whose effects
never come about one bound for the whole run. `once=` shares one stage among several cases (the first
cancel of the second-cancel probes), as `Arranger.once` does.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import pytest

from conformance._stash import EXCHANGES_KEY, record_prerequisite
from conformance.cases.toolkit.act import last_act_at, set_last_act
from conformance.errors import TargetUnreachable
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.prerequisites import records_to
from conformance.target.provision import Provisioner

if TYPE_CHECKING:
    from conformance.cases.toolkit.session import CaseSession

MARK = "acts_ahead"
# stages run at once, mostly waiting: on a throttled target, while one waits out its Retry-After (outside the
# per-mailbox cap, which alone bounds the requests in flight) the others go on
STAGE_THREADS = 64
Stage = Callable[..., Any]  # stage(graph=, target=, arrange=, **the case's parameters it names) -> anything


def acts_ahead(stage: Stage, *, once: str | None = None) -> pytest.MarkDecorator:
    """Mark a case whose arranging and act, `stage`, may run ahead of its test (with the other such cases)."""
    return getattr(pytest.mark, MARK)(stage, once=once)


QUIET = "graph_conformance_watches_quiet"  # a stage attribute: its case watches a quiet period


def watches_quiet(stage: Stage) -> Stage:
    """Mark `stage` as that of a case that watches a quiet period (something must not happen after its act):
    such cases run last, so their quiet periods, counted from their acts, pass while the others run."""
    setattr(stage, QUIET, True)
    return stage


def watches_quiet_period(item: pytest.Item) -> bool:
    """Whether `item` is acted ahead by a stage marked `watches_quiet`."""
    found = stage_of(item)
    return found is not None and bool(getattr(found[0], QUIET, False))


def stage_of(item: pytest.Item) -> tuple[Stage, str] | None:
    """(the stage of a marked case, the key its result is kept under), or None for an unmarked one."""
    marker = item.get_closest_marker(MARK)
    if marker is None or not marker.args:
        return None
    return marker.args[0], marker.kwargs.get("once") or item.nodeid


def parameters_for(stage: Stage, item: pytest.Item) -> dict[str, Any]:
    """The case's parameters (its callspec) that `stage` names."""
    params: dict[str, Any] = dict(getattr(getattr(item, "callspec", None), "params", {}) or {})
    names = inspect.signature(stage).parameters
    return {name: value for name, value in params.items() if name in names}


@dataclass
class Staged:
    """What a stage left: its value or its exception, its exchanges, when its act was answered."""

    value: Any = None
    error: BaseException | None = None
    exchanges: list[Any] = field(default_factory=list)
    acted_at: float | None = None
    provision: Provisioner | None = None


def _accepted_on(exchange: Any, event_id: str) -> bool:
    """Whether `exchange` is a 2xx answer to a request addressing the event `event_id`."""
    status = getattr(exchange, "status", None)
    url = unquote(str(getattr(exchange, "url", "")))
    return status is not None and 200 <= status < 300 and event_id in url


def _xdist_queue(config: pytest.Config) -> list[int] | None:
    """The session indexes this xdist worker is still to run (None when not a worker)."""
    if not hasattr(config, "workerinput"):
        return None
    for plugin in config.pluginmanager.get_plugins():
        torun = getattr(plugin, "torun", None)
        if torun is None or not hasattr(torun, "lock"):
            continue
        with torun.lock() as queue:
            pending = [index for index in queue if isinstance(index, int)]
        following = getattr(plugin, "nextitem_index", None)
        return ([following] if isinstance(following, int) else []) + pending
    return []


def upcoming(item: pytest.Item) -> list[pytest.Item]:
    """`item` and the items this process will run after it (serial: the rest of the session)."""
    items = item.session.items
    queue = _xdist_queue(item.config)
    if queue is not None:
        return [item, *(items[index] for index in queue if 0 <= index < len(items))]
    try:
        return list(items[items.index(item):])
    except ValueError:
        return [item]


class Stager:
    """Runs the stages of the cases ahead, keeps what they left until their tests take it; cleans up."""

    def __init__(self, graph: Graph, target: TargetConfig, run_id: str, session: CaseSession) -> None:
        self.graph, self.target, self.run_id, self.session = graph, target, run_id, session
        self._lock = threading.Lock()
        self._tried: set[str] = set()
        self._staged: dict[str, Staged] = {}
        self._taken: dict[str, list[Provisioner]] = {}
        self._done: list[Provisioner] = []  # stages whose tests are over: cleaned up at close()
        self._scrap_turn = threading.Lock()  # the stages sharing the scrap event use it one at a time
        self._turn = threading.local()  # whether this thread's stage holds the scrap's turn
        self._lost = threading.Event()  # a stage found the target gone: stage nothing more

    def ahead(self, item: pytest.Item) -> None:
        """Run now, together, the stages of `item` and of the marked cases after it not staged yet."""
        jobs: list[tuple[str, pytest.Item, Stage]] = []
        with self._lock:
            for upcoming_item in upcoming(item):
                found = stage_of(upcoming_item)
                if found is not None and found[1] not in self._tried and self._applicable(upcoming_item):
                    self._tried.add(found[1])
                    jobs.append((found[1], upcoming_item, found[0]))
        if not jobs:
            return
        # those watching a quiet period act first (their tests run last): their quiet periods, counted from
        # their acts, and the calibrations they begin in the background then overlap the rest of the stages
        jobs.sort(key=lambda job: not getattr(job[2], QUIET, False))
        with ThreadPoolExecutor(max_workers=STAGE_THREADS, thread_name_prefix="acts-ahead") as pool:
            results = list(pool.map(lambda job: self._run(*job), jobs))
        with self._lock:
            for (key, _, _), staged in zip(jobs, results, strict=True):
                if staged is not None:
                    self._staged[key] = staged

    def _applicable(self, item: pytest.Item) -> bool:
        """Whether the case's requirements are all of profiles the target supports, and it is not skipped at
        collection (e.g. of an action the run does not check): else it acts nothing."""
        from conformance.cases.toolkit.checks import profile_of

        if item.get_closest_marker("skip") is not None:
            return False
        marker = item.get_closest_marker("requirement")
        ids = [str(requirement_id) for requirement_id in (marker.args if marker else ())]
        unsupported = self.target.unsupported_profiles
        return not any(profile_of(requirement_id) in unsupported for requirement_id in ids)

    def _run(self, key: str, item: pytest.Item, stage: Stage) -> Staged | None:
        """One stage, in this thread: its exchanges, records and act time kept apart for `item`.

        None once a stage found the target gone: the case then acts in its own test (and stops the run).
        """
        from conformance.cases.toolkit.arrange import Arranger

        if self._lost.is_set():
            return None

        def record(entry: dict[str, Any]) -> None:
            record_prerequisite(item, entry)

        provision = Provisioner(self.graph, self.run_id, label=item.name[:60], record=record)
        staged = Staged(provision=provision)
        token = self.graph.transcript.redirect(staged.exchanges)
        set_last_act(None)
        try:
            with records_to(record):
                arranger = Arranger(self.graph, self.target, provision, self.session, item)
                arranger.ahead = True
                params = parameters_for(stage, item)
                staged.value = stage(graph=self.graph, target=self.target, arrange=arranger, **params)
        except BaseException as error:  # noqa: BLE001 - any outcome (skip, failure, lost target) is the case's
            staged.error = error
            if isinstance(error, TargetUnreachable):
                self._lost.set()
        finally:
            staged.acted_at = last_act_at()
            self.graph.transcript.restore(token)
            self._end_turn(staged.exchanges)
        return staged

    def take_turn(self) -> None:
        """Wait for this stage's turn at the scrap event (held until the stage ends: `_end_turn`)."""
        if not getattr(self._turn, "held", False):
            self._scrap_turn.acquire()
            self._turn.held = True

    def _end_turn(self, exchanges: list[Any]) -> None:
        """The stage holding the scrap's turn is over: if the target accepted (2xx) one of its requests to
        the scrap, the scrap may be gone or changed, and the next stage gets a new one."""
        if not getattr(self._turn, "held", False):
            return
        scrap = self.session.scrap
        if scrap is not None and any(_accepted_on(exchange, scrap.id) for exchange in exchanges):
            with self.session.lock:
                self.session.scrap = None
        self._turn.held = False
        self._scrap_turn.release()

    def take(self, key: str, item: pytest.Item) -> Staged | None:
        """What the stage under `key` left (once), its exchanges now `item`'s; None when it did not run."""
        with self._lock:
            staged = self._staged.pop(key, None)
        if staged is None:
            return None
        item.stash.setdefault(EXCHANGES_KEY, [])[:0] = staged.exchanges
        set_last_act(staged.acted_at)
        if staged.provision is not None:
            with self._lock:
                self._taken.setdefault(item.nodeid, []).append(staged.provision)
        return staged

    def release(self, item: pytest.Item) -> None:
        """The stages taken by `item` are over (its test is): what they created is removed at `close()`.

        Removed then, all together: one listing per calendar confirms the cancelled events gone instead of a
        DELETE each, and no test waits for another's clean-up (on a throttled target, a Retry-After each).
        """
        with self._lock:
            self._done += self._taken.pop(item.nodeid, [])

    def close(self) -> None:
        """Remove what every stage created (those whose tests never ran included), in one clean-up."""
        with self._lock:
            left = [staged.provision for staged in self._staged.values() if staged.provision is not None]
            left += [provision for provisions in self._taken.values() for provision in provisions]
            left += self._done
            self._staged.clear()
            self._taken.clear()
            self._done = []
        if not left:
            return
        everything = left[0]
        for provision in left[1:]:
            everything.adopt(provision)
        everything.presume_all_gone()  # most were cancelled: one listing per calendar finds the others
        everything.cleanup()
