"""Where the common requirements' hand-written probes act: cancel's routes, or the first selected action's.

The `common` conventions (GRAPH-401-NO-TOKEN, GRAPH-404-UNKNOWN-ID, ...) hold on every action's routes. Their
hand-written probes act on the run's first selected action (catalog order): cancel, in any run selecting it
(a default run sends what it always sent), else e.g. accept in a run narrowed to the answers, through that
action's contract (its subject, caller and body). The generated families judge them on every selected action.
Cases marked `COMMON_PROBE` run whatever the run selects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from conformance.cases.toolkit.arrange import Arranger
from conformance.cases.toolkit.contract import (
    ME_EVENTS,
    ActionContract,
    Route,
    Subject,
    action_path,
    bound_contracts,
    expect_unchanged,
    routes_of,
)
from conformance.outcomes import not_applicable
from conformance.target.actions import COMMON
from conformance.target.client import Graph

CANCEL = "cancel"
COMMON_PROBE = pytest.mark.actions(COMMON)  # a probe of a common requirement: runs whatever is selected


def contracts() -> Mapping[str, ActionContract]:
    """The contract of every action besides cancel whose case module is collected, by action name."""
    return {action: contract for action, contract in bound_contracts().items() if action != CANCEL}


def probed_action(target: object) -> str:
    """The action the common probes act on: the run's first selected one with a contract (else cancel)."""
    selected = tuple(getattr(target, "actions", ()) or ())
    return next((action for action in selected if action == CANCEL or action in contracts()), CANCEL)


def probed_contract(arrange: Arranger) -> ActionContract | None:
    """The probed action's contract; None when the probes act on cancel (their own cancel code)."""
    action = probed_action(arrange.target)
    return None if action == CANCEL else contracts()[action]


@dataclass(frozen=True)
class Aim:
    """A probe's target on another action: its contract, the subject, the caller and the action's path."""

    contract: ActionContract
    subject: Subject
    caller: str
    path: str

    @property
    def action(self) -> str:
        """The action probed."""
        return self.contract.action

    def body(self, requirement_id: str, **extra: Any) -> Any:
        """The contract's body for `requirement_id`, with `extra` members (a body it sends: an object)."""
        body = self.contract.body(requirement_id)
        if not extra:
            return body
        return {**(body if isinstance(body, dict) else {}), **extra}

    def expect_unchanged(self, graph: Graph, arrange: Arranger, requirement_id: str) -> None:
        """The refused request had no effect of the action (the contract's quiet-period watch)."""
        expect_unchanged(self.contract, graph, arrange, self.subject, requirement_id)


def aim(
    graph: Graph, arrange: Arranger, contract: ActionContract, *, caller: str | None = None,
    route: Route = ME_EVENTS, fresh: bool = False,
) -> Aim:
    """A subject of `contract`'s action in `caller`'s reach (default the contract's caller), on `route`;
    `fresh`: as created (a probe judging it untouched), else one the contract's cases share."""
    caller = caller or contract.caller
    graph.as_(caller)  # not configured: not-verified before anything is created
    subject = contract.arrange(graph, arrange, caller, route, fresh)
    if fresh and contract.calibrate is not None:  # judged untouched: its quiet period measured now
        contract.calibrate(graph, arrange)
    return Aim(contract, subject, caller, action_path(route, graph, subject, contract.action))


def route_like(contract: ActionContract, principal: str, container: str) -> Route:
    """The contract's route of `principal` and `container`; none on its page: the case is not-applicable."""
    for route in routes_of(contract.prefix):
        if route.principal == principal and route.container == container:
            return route
    not_applicable(f"{contract.action}'s page lists no {principal} route through {container}")
