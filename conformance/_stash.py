"""pytest stash keys shared by the suite plugin (writer) and the report plugin (reader)."""

from __future__ import annotations

from typing import Any

import pytest

RUN_INFO_KEY = pytest.StashKey[
    dict[str, Any]
]()  # run_id, target_name, base_url, unsupported_profiles, suite_version
EXCHANGES_KEY = pytest.StashKey[list[dict[str, Any]]]()  # per item: the redacted exchanges of that test
REQUEST_COUNT_KEY = pytest.StashKey[list[int]]()  # per session: a one-element counter of requests sent
