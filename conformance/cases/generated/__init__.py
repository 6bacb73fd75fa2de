"""The Schemathesis-generated conformance cases: one generation per cancel route, judged by every family."""
