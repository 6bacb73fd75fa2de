"""Tests of conformance.target: config, tokens, the HTTP client, provisioning, cleanup, sweep, preflight."""
