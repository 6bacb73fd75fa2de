"""Stash keys the plugin's modules share among themselves (the report plugin's live in conformance._stash)."""

from __future__ import annotations

import pytest

from conformance.target.config import TargetConfig
from conformance.target.transcript import Transcript

EXPLICIT_TARGET_KEY = pytest.StashKey[TargetConfig | None]()  # --target / --base-url / env; None: embedded
ACTIVE_TARGET_KEY = pytest.StashKey[TargetConfig]()  # the target the cases talk to, once known
RUN_ID_KEY = pytest.StashKey[str]()  # resolved with the target, before configure
TRANSCRIPT_KEY = pytest.StashKey[Transcript]()
WORKER_RUN_ID = "graph_conformance_run_id"  # workerinput key: the controller's run id
EMBEDDED_NAME = "graph-conformance reference server (embedded)"


def is_worker(config: pytest.Config) -> bool:
    """Whether this process is an xdist worker."""
    return hasattr(config, "workerinput")
