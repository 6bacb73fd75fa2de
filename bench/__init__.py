"""Benchmarks that print their figures: `python -m bench` (see bench/README.md)."""
