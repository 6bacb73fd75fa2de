"""Tests of conformance.cases.generated: the Schemathesis plan, the budget, the faults its families catch."""
