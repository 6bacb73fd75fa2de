"""Tests of conformance.report: verdicts, the four reports, certification bundles, the footprint."""
