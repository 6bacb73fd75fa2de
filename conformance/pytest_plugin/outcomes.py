"""What an exception escaping a case means: not-verified, or (after a failed health probe) the end of the run.

    MissingIdentity     not-verified, naming the identity to add to the target file
    AmbiguousReplay     not-verified (a re-sent cancel cannot be judged)
    BudgetExhausted     not-verified "budget: ..." (the request that would exceed the budget was not sent)
    PrerequisiteFailed  not-verified "prerequisite ID failed: ...", its record on the item for the reports
    TokenError          the same, as IDENTITY-TOKENS (a token refused mid-run judges no requirement)
    a transport error   one bounded health probe of the target: it answers -> this case is not-verified and
                        the run goes on; it does not -> the run stops after this case with exit 3
"""

from __future__ import annotations

from collections.abc import Generator
from functools import partial
from typing import Any, NoReturn

import pytest

from conformance._stash import RUN_CONTEXT_KEY, record_prerequisite
from conformance.errors import (
    AmbiguousReplay,
    BudgetExhausted,
    MissingIdentity,
    RequestUnanswered,
    TargetUnreachable,
    TokenError,
)
from conformance.outcomes import ExitCode, not_verified
from conformance.pytest_plugin._keys import ACTIVE_TARGET_KEY, EXPLICIT_TARGET_KEY, is_worker
from conformance.pytest_plugin.budget import allowance_of
from conformance.target.client import TRANSPORT_ERRORS
from conformance.target.hangs import Unanswered
from conformance.target.prerequisites import IDENTITY_TOKENS, PrerequisiteFailed, records_to
from conformance.target.resolve import probe_reachable

UNREACHABLE_PROPERTY = "graph_conformance_unreachable"  # on a worker's report: the run must stop
_LOST_TARGET_KEY = pytest.StashKey[str]()  # per item: the unreachable-target error this item ended on


def _not_verified_for(missing: MissingIdentity) -> NoReturn:
    target_hint = (
        "identities.attendees" if missing.role.startswith("attendee") else f"identities.{missing.role}"
    )
    not_verified(f"{missing}; add {target_hint} to the target file to check this requirement")


def _prerequisite_failed(item: pytest.Item, failed: PrerequisiteFailed) -> NoReturn:
    if not failed.recorded:  # a Provisioner hands its records to the item itself
        record_prerequisite(item, failed.record)
    not_verified(f"prerequisite {failed.prerequisite_id} failed: {failed.detail}")


def _probe_error(item: pytest.Item) -> str | None:
    """One bounded health probe of the target: None when it answers, else why not."""
    stash = item.config.stash
    target = stash.get(ACTIVE_TARGET_KEY, None) or stash.get(EXPLICIT_TARGET_KEY, None)
    if target is None:
        return "the target is not known yet, so it could not be probed"
    try:
        probe_reachable(target, allowance_of(item.config))
    except TargetUnreachable as error:
        return str(error)
    return None


def _transport_error(item: pytest.Item, error: Exception) -> NoReturn:
    """A request went unanswered: the case is not-verified; the run stops (exit 3) only if a probe fails too.

    Never a fail: an unanswered request is no evidence about the requirement (a case whose requirement is
    about the answer turns it into a failure itself, through the case toolkit).
    """
    if not isinstance(error, TargetUnreachable):  # a transport error from a client of its own (Schemathesis)
        error = TargetUnreachable(
            f"a request to {item.config.stash[RUN_CONTEXT_KEY].base_url} got no answer "
            f"({type(error).__name__}, after the bounded retries)"
        )
    if isinstance(error, RequestUnanswered | Unanswered):  # probed already: this kind of request hangs
        not_verified(f"the target did not answer one kind of request (it still answers others): {error}")
    probe_error = _probe_error(item)
    if probe_error is None:
        not_verified(f"the target did not answer one request (it still answers others): {error}")
    context = item.config.stash[RUN_CONTEXT_KEY]
    lost = f"{error}; a health probe got no answer either: {probe_error}"
    context.target_unreachable = context.target_unreachable or lost
    item.stash[_LOST_TARGET_KEY] = lost
    item.session.shouldstop = f"graph-conformance: target unreachable, run stopped: {lost}"
    not_verified(f"the target stopped answering, so the run was stopped: {lost}")


def _guarded_phase(item: pytest.Item) -> Generator[None, None, None]:
    """Run one phase, turning the exceptions above into their outcomes."""
    try:  # run-wide arranging meanwhile (a session Provisioner, its last clean-up) records on this item
        with records_to(partial(record_prerequisite, item)):
            return (yield)
    except MissingIdentity as missing:
        _not_verified_for(missing)
    except (AmbiguousReplay, BudgetExhausted) as unjudged:
        not_verified(str(unjudged))
    except PrerequisiteFailed as failed:
        _prerequisite_failed(item, failed)
    except TokenError as error:  # e.g. a generated case's own request: no token, so nothing was judged
        _prerequisite_failed(item, PrerequisiteFailed(IDENTITY_TOKENS, f"no token: {error}"))
    except (TargetUnreachable, *TRANSPORT_ERRORS) as error:
        _transport_error(item, error)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    """Fixtures: a missing identity or prerequisite is not-verified; a lost request is probed."""
    return (yield from _guarded_phase(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """The test body: a missing identity or prerequisite is not-verified; a lost request is probed."""
    return (yield from _guarded_phase(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    """Fixture finalizers: the same mapping (clean-up itself only warns; a finalizer of a case may not)."""
    return (yield from _guarded_phase(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """On an xdist worker: tell the controller that this item lost the target (it stops every worker)."""
    report = yield
    lost_target = item.stash.get(_LOST_TARGET_KEY, None)
    if is_worker(item.config) and lost_target is not None:
        report.user_properties.append((UNREACHABLE_PROPERTY, lost_target))
        del item.stash[_LOST_TARGET_KEY]  # told once
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Exit 3, with one clear line, when the target stopped answering during the run."""
    context = session.config.stash.get(RUN_CONTEXT_KEY, None)
    if context is None or not context.target_unreachable:
        return
    session.exitstatus = ExitCode.TARGET_UNREACHABLE
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and not is_worker(session.config):
        reporter.write_line(
            f"graph-conformance: the target stopped answering; run stopped: {context.target_unreachable}",
            red=True,
            bold=True,
        )
