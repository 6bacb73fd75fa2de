"""Stash keys the plugin's modules share among themselves (the report plugin's live in conformance._stash)."""

from __future__ import annotations

import pytest

from conformance._stash import EXPLICIT_TARGET_KEY as EXPLICIT_TARGET_KEY  # shared with the cases' plugin
from conformance._stash import TRANSCRIPT_KEY as TRANSCRIPT_KEY
from conformance.target.config import TargetConfig

ACTIVE_TARGET_KEY = pytest.StashKey[TargetConfig]()  # the target the cases talk to, once known
CHECK_REQUESTS_KEY = pytest.StashKey[int]()  # requests the configuration check sent before the run (budgeted)
ACTIONS_KEY = pytest.StashKey[tuple[str, ...]]()  # the run's actions (the target's, narrowed by --actions)
RUN_ID_KEY = pytest.StashKey[str]()  # resolved with the target, before configure
WORKER_RUN_ID = "graph_conformance_run_id"  # workerinput key: the controller's run id
EMBEDDED_NAME = "graph-conformance reference server (embedded)"


def is_worker(config: pytest.Config) -> bool:
    """Whether this process is an xdist worker."""
    return hasattr(config, "workerinput")
