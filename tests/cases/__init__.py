"""Tests of conformance.cases: the toolkit, the Schemathesis plan and budget, and the mutant matrix."""
