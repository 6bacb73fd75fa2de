"""Fixtures of the hand-written cases: the Arranger (the plugin's `provision` records each prerequisite)."""

from __future__ import annotations

import pytest

from conformance.cases.toolkit import Arranger
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.provision import Provisioner


@pytest.fixture
def arrange(graph: Graph, target: TargetConfig, provision: Provisioner) -> Arranger:
    """The arranging step of a case (events, series, copies, mailboxes), each need a recorded prerequisite."""
    return Arranger(graph, target, provision)
