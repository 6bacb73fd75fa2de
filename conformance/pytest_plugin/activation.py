"""Whether a pytest session is a conformance run; when it is not, the suite's plugins step aside entirely.

Installing the suite (its pytest11 entry points) must not change other projects' test runs. A session is a
conformance run when one of these holds, else every plugin of the suite is unregistered before pytest
configures anything (no option read, no target probed, no header, no report, no fixture):

    its test arguments (or the ini's testpaths) name the conformance cases: `--pyargs conformance.cases`,
        a path inside conformance/cases, or a folder holding them (the repository root)
    `--target FILE` is given
    it opts in: `--graph-conformance`, or its ini sets `graph_conformance_catalog` (its own cases)

`--base-url` alone is pytest-base-url's option and activates nothing: with the suite installed beside it, an
unrelated project's `pytest --base-url URL` runs as before.

It also says, in one line, when pytest took a path given as an option's value (`--target /elsewhere/FILE`)
for a test path and moved its rootdir there: the project's ini was not read, so the run stops (exit 2)
unless test arguments were given; `--target=FILE` (one word) or `--rootdir DIR` avoid it.
"""

from __future__ import annotations

import sys

import pytest

from conformance.outcomes import refuse
from conformance.pytest_plugin._activity import OPT_IN, is_conformance_run

SUITE_MODULES = ("conformance.plugin", "conformance.pytest_plugin.", "conformance.report.plugin",
                 "conformance.cases.generated.plugin")


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--graph-conformance`: this session is a conformance run even without the suite's cases."""
    group = parser.getgroup("graph-conformance", "Graph event: cancel conformance")
    group.addoption(OPT_IN, action="store_true", default=False,
                    help="treat this session as a conformance run (the suite's fixtures, reports, target) "
                    "even when it collects no case of conformance.cases and names no --target")


def _step_aside(config: pytest.Config) -> None:
    """Unregister every plugin of the suite (its hooks and fixtures are then never used)."""
    manager = config.pluginmanager
    for name, plugin in list(manager.list_name_plugin()):
        module = getattr(plugin, "__name__", "")
        if plugin is not None and (module.startswith(SUITE_MODULES[1]) or module in SUITE_MODULES):
            manager.unregister(plugin, name)


def _moved_rootdir(config: pytest.Config) -> str | None:
    """The option and path pytest took for a test path when it chose its rootdir, if it did."""
    if config.getoption("rootdir", None) or config.getoption("inifilename", None):
        return None
    arguments = list(config.invocation_params.args)
    invocation_dir = config.invocation_params.dir
    for option, value in zip(arguments, arguments[1:], strict=False):
        if not option.startswith("--") or "=" in option or value.startswith("-"):
            continue
        path = (invocation_dir / value).resolve()
        folder = path if path.is_dir() else path.parent
        if path.exists() and config.rootpath == folder and folder != invocation_dir.resolve():
            return f"{option} {value}"
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """Not a conformance run: step aside. A conformance run whose rootdir moved: say so in one line."""
    if not is_conformance_run(config):
        _step_aside(config)
        return None
    moved = _moved_rootdir(config)
    if moved is None or config.option.help:
        return None
    one_word = moved.replace(" ", "=", 1)
    note = (f"pytest took the path in `{moved}` for a test path and made {config.rootpath} its rootdir, so "
            f"the project's ini was not read; write {one_word} (one word) or add --rootdir .")
    if config.args_source == pytest.Config.ArgsSource.ARGS:  # explicit test arguments: they still hold
        sys.stderr.write(f"graph-conformance: note: {note}\n")
        return None
    return refuse(note)
