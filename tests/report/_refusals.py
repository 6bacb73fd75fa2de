"""Report option files (--baseline, --product) that a loader must refuse with one TargetConfigError."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.errors import TargetConfigError


def refusal(load: Callable[[str], object], path: Path, text: str, option: str) -> str:
    """Write `text` to `path` and load it: the message of the TargetConfigError, which names `option`."""
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TargetConfigError, match=option) as raised:
        load(str(path))
    return str(raised.value)
