"""The run context the suite plugin writes and the report plugin reads, and the pytest stash keys holding it.

`RUN_CONTEXT_KEY` (config stash) holds the typed `RunContext`, `TRANSCRIPT_KEY` the process's transcript,
`EXPLICIT_TARGET_KEY` the target the user named (None: the embedded server); `EXCHANGES_KEY` (item stash) the
redacted exchanges of one test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance import __version__
from conformance.target.config import TargetConfig
from conformance.target.exchange import Exchange
from conformance.target.prerequisites import PREREQUISITE_PROPERTY
from conformance.target.transcript import Transcript


@dataclass
class RunContext:
    """What the whole run shares: its id, the target, the request count and why it stopped, if it did."""

    run_id: str
    target_name: str
    base_url: str
    unsupported_profiles: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()  # the actions this run checks (empty: not known, e.g. no catalog)
    suite_version: str = __version__
    request_count: int = 0  # requests sent by the suite's client (on the controller: every worker's)
    target_unreachable: str = ""  # the error that stopped the run (exit 3); "" while the target answers
    extras: dict[str, Any] = field(default_factory=dict)  # what other plugins add, e.g. "schemathesis"

    def info(self) -> dict[str, Any]:
        """The context as a JSON-able dict, extras included."""
        info: dict[str, Any] = {
            **self.extras,
            "run_id": self.run_id,
            "target_name": self.target_name,
            "base_url": self.base_url,
            "unsupported_profiles": list(self.unsupported_profiles),
            "actions": list(self.actions),
            "suite_version": self.suite_version,
        }
        if self.target_unreachable:
            info["target_unreachable"] = self.target_unreachable
        return info


RUN_CONTEXT_KEY = pytest.StashKey[RunContext]()  # per session: the typed run context
EXCHANGES_KEY = pytest.StashKey[list[Exchange]]()  # per item: the redacted exchanges of that test
TRANSCRIPT_KEY = pytest.StashKey[Transcript]()  # per session: every exchange of this process, as recorded
EXPLICIT_TARGET_KEY = pytest.StashKey[TargetConfig | None]()  # --target / --base-url / env; None: embedded
CATALOG_INI = "graph_conformance_catalog"  # the report plugin's ini key: a project of its own cases
FOOTPRINT_PROPERTY = "graph_conformance_footprint"  # per item: Footprint.as_property(), cumulative


def record_prerequisite(item: pytest.Item, record: dict[str, Any]) -> None:
    """Keep a prerequisite record on the item (user properties cross xdist) for the reports."""
    item.user_properties.append((PREREQUISITE_PROPERTY, record))
