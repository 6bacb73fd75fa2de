"""The old import path of two checks, for importers not yet moved to `conformance.cases.toolkit`."""

from __future__ import annotations

from conformance.cases.toolkit.checks import is_unknown_route, profile_of

__all__ = ["is_unknown_route", "profile_of"]
