"""The project's own tests: one package per layer of conformance/, and plugin/ for whole pytest runs."""
