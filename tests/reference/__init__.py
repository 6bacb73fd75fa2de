"""Tests of conformance.reference: the reference server over real HTTP, its faults and gaps."""
