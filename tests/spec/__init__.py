"""Tests of conformance.spec: page parsing, the requirement catalog and the generated OpenAPI description."""
