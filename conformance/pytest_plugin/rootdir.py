"""A path given as an option's value (`--target FILE`) must not move pytest's rootdir away from the project.

pytest finds its rootdir and ini file before any plugin has added its options, so in `pytest --target
/elsewhere/target.yaml` it takes the file for a test path: the rootdir moves to /elsewhere, the project's
ini (and its `testpaths`) is not read, and a run from the repository root collects every test there. Once
the plugins' options are known, this hook redoes that search with the real test paths and adopts its result.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _pytest.config.findpaths import determine_setup  # pytest's own search, not a copy of it

# the Config attributes set below, as in pytest 8.4 to 9.1
_PYTEST_INTERNALS = ("_rootpath", "_inipath", "_inicfg", "_inicache")


def _default_confcutdir(rootpath: Path, inipath: Path | None) -> str:
    """The confcutdir pytest derives when none is given (the ini file's directory, else the rootdir)."""
    return str(inipath.parent if inipath is not None else rootpath)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    """Redo pytest's rootdir/ini search without option values; adopt it when it differs."""
    namespace = early_config.known_args_namespace
    if namespace.inifilename or namespace.rootdir:  # the user chose them
        return
    if not all(hasattr(early_config, name) for name in _PYTEST_INTERNALS):  # another pytest: leave it
        return
    try:
        rootpath, inipath, inicfg, ignored = determine_setup(
            inifile=None,
            override_ini=namespace.override_ini,
            args=namespace.file_or_dir,
            rootdir_cmd_arg=None,
            invocation_dir=early_config.invocation_params.dir,
        )
    except TypeError:  # determine_setup of a pytest older than 9 (no override_ini): leave it
        return
    old_rootpath, old_inipath = early_config.rootpath, early_config.inipath
    if (rootpath, inipath) == (old_rootpath, old_inipath):
        return
    early_config._rootpath, early_config._inipath = rootpath, inipath  # noqa: SLF001 - see the module doc
    early_config._inicfg = inicfg  # noqa: SLF001
    if hasattr(early_config, "_ignored_config_files"):
        early_config._ignored_config_files = ignored  # noqa: SLF001
    early_config._inicache.clear()  # noqa: SLF001
    if namespace.confcutdir == _default_confcutdir(old_rootpath, old_inipath):
        namespace.confcutdir = _default_confcutdir(rootpath, inipath)
    if old_inipath is None and inipath is not None:  # the ini's addopts were never applied
        addopts = list(early_config.getini("addopts"))
        early_config.pluginmanager.consider_preparse(addopts, exclude_only=True)
        args[:0] = addopts
