"""Whether a pytest session is a conformance run (the rules: conformance/pytest_plugin/activation.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance._stash import CATALOG_INI

OPT_IN = "--graph-conformance"
CASES_PACKAGE = "conformance.cases"
_ACTIVE_KEY = pytest.StashKey[bool]()


def _cases_dir() -> Path:
    import conformance.cases

    return Path(conformance.cases.__file__).resolve().parent


def _names_the_cases(argument: str, pyargs: bool, invocation_dir: Path) -> bool:
    """Whether one test argument collects (some of) the conformance cases."""
    argument = argument.split("::", 1)[0]
    if pyargs and (argument in ("conformance", CASES_PACKAGE) or argument.startswith(CASES_PACKAGE + ".")):
        return True
    path = (invocation_dir / argument).resolve()
    cases = _cases_dir()
    if path == cases or cases in path.parents:
        return True
    if path not in cases.parents:
        return False
    between = cases.relative_to(path).parts
    return not any(part.startswith(".") or part in ("site-packages", "dist-packages") for part in between)


def is_conformance_run(config: pytest.Config) -> bool:
    """Whether this session is a conformance run (see the module docstring); decided once."""
    if _ACTIVE_KEY not in config.stash:
        invocation_dir = config.invocation_params.dir
        pyargs = bool(getattr(config.option, "pyargs", False))
        config.stash[_ACTIVE_KEY] = bool(
            config.getoption("target", None)
            or config.getoption("graph_conformance", False)
            or _ini_names_a_catalog(config)
            or any(_names_the_cases(str(argument), pyargs, invocation_dir) for argument in config.args)
        )
    return config.stash[_ACTIVE_KEY]


def _ini_names_a_catalog(config: pytest.Config) -> bool:
    try:
        return bool(config.getini(CATALOG_INI))
    except ValueError:  # the report plugin that declares it is not registered
        return False
