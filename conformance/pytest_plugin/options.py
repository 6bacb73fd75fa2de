"""`--target` and `--run-id`, resolved once before pytest configures anything: bad input is one line."""

from __future__ import annotations

import os

import pytest

from conformance.errors import ConformanceError, TargetConfigError
from conformance.outcomes import refuse as refuse  # re-exported: the plugin's one-line refusal
from conformance.pytest_plugin._activity import is_conformance_run
from conformance.pytest_plugin._keys import (
    CHECK_REQUESTS_KEY,
    EXPLICIT_TARGET_KEY,
    RUN_ID_KEY,
    WORKER_RUN_ID,
    is_worker,
)
from conformance.pytest_plugin.actions import resolve_actions
from conformance.target.resolve import check_target, resolve_target
from conformance.target.tags import is_valid_run_id, new_run_id


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--target FILE`, `--run-id ID`, `--actions A,B` (`--base-url` comes from pytest-base-url)."""
    group = parser.getgroup("graph-conformance", "Graph event: cancel conformance")
    group.addoption(
        "--target",
        metavar="FILE",
        default=None,
        help="target file (YAML, docs/INTERFACES.md section 2); without it and --base-url the embedded "
        "reference server is started. Env: GRAPH_CONFORMANCE_TARGET",
    )
    group.addoption("--run-id", metavar="ID", default=None, help="tag of everything this run creates")
    group.addoption("--actions", metavar="A,B", default=None,
                    help="check only these actions (e.g. cancel,accept) of those the target file's `actions` "
                    "declares (default: all); the others' requirements are not-applicable")


def _ini_base_url(config: pytest.Config) -> str | None:
    """pytest-base-url's `base_url` ini value, which its users set instead of `--base-url`."""
    try:
        return str(config.getini("base_url") or "") or None
    except ValueError:  # pytest-base-url is not installed
        return None


def resolve_run(config: pytest.Config) -> None:
    """Fix the run id and the explicit target (CLI > env > file) in the stash; probe the target.

    Raises ConformanceError (exit code on it) for a bad run id, target file or URL, or a target that does
    not answer. The probe is skipped on xdist workers (the controller did it) and by `--collect-only`.
    """
    if is_worker(config):
        run_id = str(config.workerinput[WORKER_RUN_ID])  # type: ignore[attr-defined]
    else:
        run_id = config.getoption("run_id") or new_run_id()
        if not is_valid_run_id(run_id):
            raise TargetConfigError(f"--run-id {run_id!r}: use letters, digits, '.', '_' or '-' (max 64)")
    target = resolve_target(
        target_file=config.getoption("target"),
        base_url=config.getoption("base_url", None) or _ini_base_url(config),
        environ=dict(os.environ),
    )
    target = resolve_actions(config, target)  # an unknown action name: exit 2, before any request
    if target is not None and not is_worker(config) and not config.option.collectonly:
        # answers (else exit 3), speaks Graph, accepts every identity; its requests count in the budget
        config.stash[CHECK_REQUESTS_KEY] = check_target(target, os.environ)
    config.stash[RUN_ID_KEY] = run_id
    config.stash[EXPLICIT_TARGET_KEY] = target


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """Resolve the run before configure; a bad target or option ends the run with one line (exit 2 or 3).

    `--help` and `--version` need no target: they are left alone, whatever the environment says.
    """
    if config.option.help or config.option.version or not is_conformance_run(config):
        return None
    try:
        resolve_run(config)
    except ConformanceError as error:
        return refuse(str(error), error.exit_code)
    return None
