"""Child-run plugin (`-p bench._chain_probe --chain-file F`): record each test's request count."""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any

import pytest

from conformance._stash import EXCHANGES_KEY


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--chain-file FILE`: where the per-test request counts go (JSON lines)."""
    parser.addoption("--chain-file", default="", metavar="FILE")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """After teardown, append {nodeid, requests} for the item (setup, call and cleanup requests)."""
    report = yield
    chain_file = str(item.config.getoption("chain_file"))
    if call.when == "teardown" and chain_file:
        count = len(item.stash.get(EXCHANGES_KEY, []))
        with open(chain_file, "a", encoding="utf-8") as out:
            out.write(json.dumps({"nodeid": item.nodeid, "requests": count}) + "\n")
    return report
